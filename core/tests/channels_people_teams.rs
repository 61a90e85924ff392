//! What a student does besides reading and writing, driven through
//! `Client` against the test server: every change shows in the acting
//! device's store at once, and reaches a second device of the same user
//! through the server's websocket events.

mod common;

use std::time::Duration;

use common::within;
use common::{device, live_device};
use pausenhof_core::directory::{OwnStatus, Presence, PushLevel};
use pausenhof_core::reads::{SectionKind, SidebarSection};
use pausenhof_core::store::cached_channel;
use pausenhof_core::{Client, Error};
use pausenhof_testserver::{Role, ServerConfig, TestServer};

/// How long a change may take to reach the other device.
const REACH: Duration = Duration::from_secs(20);

async fn first_team(client: &Client) -> String {
    client.teams().await.unwrap()[0].id.clone()
}

fn channel_ids(sections: &[SidebarSection]) -> Vec<String> {
    sections
        .iter()
        .flat_map(|s| s.channels.iter().map(|c| c.id.clone()))
        .collect()
}

fn section_of(sections: &[SidebarSection], channel_id: &str) -> Option<SectionKind> {
    sections
        .iter()
        .find(|s| s.channels.iter().any(|c| c.id == channel_id))
        .map(|s| s.kind)
}

/// Polls a read of `client` until `check` holds.
async fn until<T, F, Fut>(what: &str, read: F, check: impl Fn(&T) -> bool)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = T>,
{
    let deadline = tokio::time::Instant::now() + REACH;
    loop {
        if check(&read().await) {
            return;
        }
        if tokio::time::Instant::now() > deadline {
            panic!("timed out waiting for: {what}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn channel_changes_show_at_once_and_on_the_other_device() {
    let server = TestServer::start(ServerConfig::default()).await.unwrap();
    let me = server.account(Role::Student);
    let (_a_dir, a) = device(&server, &me).await;
    let (_b_dir, b) = live_device(&server, &me).await;
    let team = first_team(&a).await;

    // Create: the URL name follows the display name; a taken one counts up.
    let created = a
        .create_channel(&team, "Übungen für Mathe", false, "Aufgaben")
        .await
        .unwrap();
    assert_eq!(created.name, "uebungen-fuer-mathe");
    assert!(channel_ids(&a.channel_list(&team).await.unwrap()).contains(&created.id));
    let twin = a
        .create_channel(&team, "Übungen für Mathe", true, "")
        .await
        .unwrap();
    assert_eq!(twin.name, "uebungen-fuer-mathe-2");
    let id = created.id.clone();
    until(
        "the created channels on device B",
        || b.channel_list(&team),
        |s| {
            let s = s.as_ref().unwrap();
            channel_ids(s).contains(&id) && channel_ids(s).contains(&twin.id)
        },
    )
    .await;
    assert!(matches!(
        a.create_channel(&team, "   ", false, "").await,
        Err(Error::InvalidInput { .. })
    ));

    // Browse and search find it; leave removes it here and there.
    let found = a.search_channels(&team, "uebungen").await.unwrap();
    assert!(found.iter().any(|c| c.id == created.id && c.is_member));
    a.leave_channel(&created.id).await.unwrap();
    assert!(!channel_ids(&a.channel_list(&team).await.unwrap()).contains(&created.id));
    until(
        "the left channel gone from device B",
        || b.channel_list(&team),
        |s| !channel_ids(s.as_ref().unwrap()).contains(&id),
    )
    .await;
    let page = a.browse_channels(&team, 0, 200).await.unwrap();
    let listed = page.iter().find(|c| c.id == created.id).unwrap();
    assert!(!listed.is_member);

    // Join it again from the browse list.
    a.join_channel(&created.id).await.unwrap();
    assert!(channel_ids(&a.channel_list(&team).await.unwrap()).contains(&created.id));
    until(
        "the joined channel on device B",
        || b.channel_list(&team),
        |s| channel_ids(s.as_ref().unwrap()).contains(&id),
    )
    .await;

    // Mute.
    let muted = |sections: &[SidebarSection]| {
        sections
            .iter()
            .flat_map(|s| &s.channels)
            .any(|c| c.id == id && c.muted)
    };
    a.set_channel_muted(&created.id, true).await.unwrap();
    assert!(muted(&a.channel_list(&team).await.unwrap()));
    until(
        "muted on device B",
        || b.channel_list(&team),
        |s| muted(s.as_ref().unwrap()),
    )
    .await;

    // Favorite through the sidebar categories; then back.
    let mut sidebar = a.watch_channel_list(&team).unwrap();
    sidebar.next().await.unwrap().unwrap();
    a.set_channel_favorite(&created.id, true).await.unwrap();
    assert_eq!(
        section_of(&a.channel_list(&team).await.unwrap(), &id),
        Some(SectionKind::Favorites)
    );
    within(REACH, sidebar.next()).await.unwrap().unwrap();
    until(
        "a favorite on device B",
        || b.channel_list(&team),
        |s| section_of(s.as_ref().unwrap(), &id) == Some(SectionKind::Favorites),
    )
    .await;
    let info = a.channel_info(&created.id).await.unwrap();
    assert!(info.favorite && info.muted);
    assert_eq!(info.summary.purpose, "Aufgaben");
    assert_eq!(info.member_count, 1);
    a.set_channel_favorite(&created.id, false).await.unwrap();
    assert_eq!(
        section_of(&a.channel_list(&team).await.unwrap(), &id),
        Some(SectionKind::Channels)
    );
    until(
        "no longer a favorite on device B",
        || b.channel_list(&team),
        |s| section_of(s.as_ref().unwrap(), &id) == Some(SectionKind::Channels),
    )
    .await;

    // Push level.
    a.set_channel_push_level(&created.id, PushLevel::Mentions)
        .await
        .unwrap();
    let info = a.channel_info(&created.id).await.unwrap();
    assert_eq!(info.push_level, PushLevel::Mentions);

    // Members, paged, with their status.
    let members = a.channel_members(&created.id, 0, 50).await.unwrap();
    assert_eq!(members.len(), 1);
    assert_eq!(members[0].username, me.username);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mark_unread_and_archived_channels() {
    let server = TestServer::start(ServerConfig::default()).await.unwrap();
    let me = server.account(Role::Student);
    let (_a_dir, a) = device(&server, &me).await;
    let (_b_dir, b) = live_device(&server, &me).await;
    // Synced before the channel existed, and not live: it never hears of it.
    let (_c_dir, c) = device(&server, &me).await;
    let team = first_team(&a).await;
    let channel = a
        .create_channel(&team, "Lesekreis", false, "")
        .await
        .unwrap();
    let first = server.post_as(&me.user_id, &channel.id, "Erster Beitrag");
    server.post_as(&me.user_id, &channel.id, "Zweiter Beitrag");
    a.sync().await.unwrap();
    let unread = |sections: &[SidebarSection]| {
        sections
            .iter()
            .flat_map(|s| &s.channels)
            .find(|c| c.id == channel.id)
            .map(|c| c.unread_count)
    };
    assert_eq!(unread(&a.channel_list(&team).await.unwrap()), Some(0));
    let post_id = first["id"].as_str().unwrap().to_owned();
    a.mark_unread_from(&post_id).await.unwrap();
    assert_eq!(unread(&a.channel_list(&team).await.unwrap()), Some(2));
    until(
        "unread on device B",
        || b.channel_list(&team),
        |s| unread(s.as_ref().unwrap()) == Some(2),
    )
    .await;

    // Archived: readable, refused for posting before anything is queued.
    a.archive_channel(&channel.id).await.unwrap();
    let listed = a.browse_channels(&team, 0, 200).await.unwrap();
    assert!(!listed.iter().any(|c| c.id == channel.id));
    let info = a.channel_info(&channel.id).await.unwrap();
    assert!(info.summary.archived);
    let store = b.store().unwrap();
    let id = channel.id.clone();
    until(
        "device B knows it is archived",
        || {
            let (store, id) = (store.clone(), id.clone());
            async move { store.read(move |c| cached_channel(c, &id)).await.unwrap() }
        },
        |c| c.as_ref().is_some_and(|c| c.delete_at > 0),
    )
    .await;
    assert_eq!(
        b.send_post(&channel.id, "", "Noch da?").await,
        Err(Error::ChannelArchived)
    );
    let refused = a.send_post(&channel.id, "", "Noch da?").await;
    assert_eq!(refused, Err(Error::ChannelArchived));
    assert!(a.pending_sends().await.unwrap().is_empty());
    // A device whose cache lacks the channel asks the server first.
    c.start_realtime().unwrap();
    assert_eq!(
        c.send_post(&channel.id, "", "Noch da?").await,
        Err(Error::ChannelArchived)
    );
    assert!(c.pending_sends().await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_direct_and_group_messages_and_status() {
    let server = TestServer::start(ServerConfig::default()).await.unwrap();
    let me = server.account(Role::Student);
    let (_a_dir, a) = live_device(&server, &me).await;
    let (_b_dir, b) = live_device(&server, &me).await;
    let team = first_team(&a).await;
    let anna = server.create_user(
        "anna.lindgren",
        "anna.lindgren@schule.example",
        "Geheim-1234!",
    );
    let bert = server.create_user(
        "bert.lindgren",
        "bert.lindgren@schule.example",
        "Geheim-1234!",
    );
    server.deactivate_user(&bert.user_id);
    server.set_timezone(&anna.user_id, "Europe/Berlin");

    // The directory, deactivated accounts marked.
    let found = a.search_people("@anna", "", 20).await.unwrap();
    assert!(found.iter().any(|p| p.id == anna.user_id && !p.deactivated));
    let found = a.search_people("bert.lind", "", 20).await.unwrap();
    assert!(found.iter().any(|p| p.id == bert.user_id && p.deactivated));
    assert!(matches!(
        a.search_people("  ", "", 20).await,
        Err(Error::InvalidInput { .. })
    ));

    // A profile card with local time.
    let card = a.profile_card(&anna.user_id).await.unwrap();
    assert_eq!(card.person.username, "anna.lindgren");
    let local = card.local_time.expect("a timezone");
    assert_eq!(local.timezone, "Europe/Berlin");
    assert_eq!(local.time.len(), 5);

    // A direct message: in the sidebar at once, and on device B.
    let dm = a.open_direct_message(&anna.user_id).await.unwrap();
    assert_eq!(
        section_of(&a.channel_list(&team).await.unwrap(), &dm),
        Some(SectionKind::DirectMessages)
    );
    let item = a
        .channel_list(&team)
        .await
        .unwrap()
        .into_iter()
        .flat_map(|s| s.channels)
        .find(|c| c.id == dm)
        .unwrap();
    assert_eq!(item.display_name, "anna.lindgren");
    let dm_id = dm.clone();
    until(
        "the direct message on device B",
        || b.channel_list(&team),
        |s| channel_ids(s.as_ref().unwrap()).contains(&dm_id),
    )
    .await;
    // Opening it again finds the same channel.
    assert_eq!(a.open_direct_message(&anna.user_id).await.unwrap(), dm);

    // A group message.
    let carla = server.create_user("carla.nord", "carla.nord@schule.example", "Geheim-1234!");
    let group = a
        .open_group_message(&[anna.user_id.clone(), carla.user_id.clone()])
        .await
        .unwrap();
    assert_eq!(
        section_of(&a.channel_list(&team).await.unwrap(), &group),
        Some(SectionKind::DirectMessages)
    );
    let group_id = group.clone();
    until(
        "the group message on device B",
        || b.channel_list(&team),
        |s| channel_ids(s.as_ref().unwrap()).contains(&group_id),
    )
    .await;
    assert!(matches!(
        a.open_group_message(std::slice::from_ref(&anna.user_id))
            .await,
        Err(Error::InvalidInput { .. })
    ));

    // Do not disturb for an hour: here at once, on device B by event.
    let until_ms = now_ms() + 3_600_000;
    a.set_own_status(OwnStatus::DoNotDisturb {
        until_ms: Some(until_ms),
    })
    .await
    .unwrap();
    assert_eq!(a.user_status(&me.user_id).unwrap().as_deref(), Some("dnd"));
    assert_eq!(a.own_status().await.unwrap(), Presence::DoNotDisturb);
    let card = a.profile_card(&me.user_id).await.unwrap();
    let end = card.dnd_until_ms.unwrap();
    assert!(
        end <= until_ms && until_ms - end < 60_000,
        "rounded to the minute"
    );
    let user = me.user_id.clone();
    until(
        "dnd on device B",
        || async { b.user_status(&user).unwrap() },
        |s| s.as_deref() == Some("dnd"),
    )
    .await;
    a.set_own_status(OwnStatus::Away).await.unwrap();
    until(
        "away on device B",
        || async { b.user_status(&user).unwrap() },
        |s| s.as_deref() == Some("away"),
    )
    .await;
    assert!(matches!(
        a.set_own_status(OwnStatus::DoNotDisturb {
            until_ms: Some(1_000)
        })
        .await,
        Err(Error::InvalidInput { .. })
    ));
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_teacher_joins_the_staff_team_by_email_domain() {
    let server = TestServer::start(ServerConfig::default()).await.unwrap();
    let staff = server.create_team("kollegium", "Kollegium", true, "kollegium.schule.example");
    let open = server.create_team("ag-schach", "AG Schach", true, "");
    let _closed = server.create_team("leitung", "Schulleitung", false, "");
    let pupils_only = server.create_team("schueler", "Schülerrat", true, "schule.example");
    let teacher = server.create_user(
        "frau.berg",
        "frau.berg@kollegium.schule.example",
        "Geheim-1234!",
    );
    let (_dir, client) = device(&server, &teacher).await;
    assert!(client.needs_team().await.unwrap());
    let (_b_dir, other_device) = live_device(&server, &teacher).await;

    let joinable = client.joinable_teams().await.unwrap();
    let names: Vec<&str> = joinable.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["ag-schach", "kollegium"]);
    assert_eq!(
        client.join_team(&pupils_only).await,
        Err(Error::EmailDomainNotAllowed)
    );

    client.join_team(&staff).await.unwrap();
    assert!(!client.needs_team().await.unwrap());
    let teams = client.teams().await.unwrap();
    assert_eq!(teams.len(), 1);
    let sections = client.channel_list(&staff).await.unwrap();
    assert_eq!(channel_ids(&sections).len(), 2, "town-square and off-topic");
    until(
        "the team on the other device",
        || other_device.teams(),
        |t| t.as_ref().unwrap().iter().any(|t| t.id == staff),
    )
    .await;
    let names: Vec<String> = client
        .joinable_teams()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(names, ["ag-schach"]);

    client.join_team(&open).await.unwrap();
    client.leave_team(&open).await.unwrap();
    assert_eq!(client.teams().await.unwrap().len(), 1);
    until(
        "the left team gone from the other device",
        || other_device.teams(),
        |t| {
            let t = t.as_ref().unwrap();
            t.len() == 1 && t[0].id == staff
        },
    )
    .await;
}
