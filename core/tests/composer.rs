//! The composer against the test server: slash commands take effect in
//! the store at once and reach the user's other device; commands are
//! never posted; saved and pinned posts.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{device, live_device};
use pausenhof_core::composer::{CommandOutcome, Submitted};
use pausenhof_core::reads::SidebarSection;
use pausenhof_core::session::MemorySecretStore;
use pausenhof_core::store::cached_channel;
use pausenhof_core::{Client, Error};
use pausenhof_testserver::{Account, Role, ServerConfig, TestServer};

/// How long a change may take to reach the other device.
const REACH: Duration = Duration::from_secs(20);

async fn first_team(client: &Client) -> (String, String) {
    let team = client.teams().await.unwrap().remove(0);
    (team.id, team.name)
}

fn listed(sections: &[SidebarSection], channel_id: &str) -> bool {
    sections
        .iter()
        .flat_map(|s| &s.channels)
        .any(|c| c.id == channel_id)
}

fn muted(sections: &[SidebarSection], channel_id: &str) -> bool {
    sections
        .iter()
        .flat_map(|s| &s.channels)
        .any(|c| c.id == channel_id && c.muted)
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

async fn cached(client: &Client, channel_id: &str) -> Option<pausenhof_core::model::Channel> {
    let id = channel_id.to_owned();
    client
        .store()
        .unwrap()
        .read(move |c| cached_channel(c, &id))
        .await
        .unwrap()
}

/// A second person in the first team.
fn classmate(server: &TestServer, team_name: &str, username: &str) -> Account {
    let account = server.create_user(
        username,
        &format!("{username}@schule.example"),
        "Passwort-123!",
    );
    server.add_to_team(&account.user_id, team_name).unwrap();
    account
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn channel_commands_show_at_once_here_and_on_the_other_device() {
    let server = TestServer::start(ServerConfig::default()).await.unwrap();
    let me = server.account(Role::Student);
    let (_a_dir, a) = device(&server, &me).await;
    let (_b_dir, b) = live_device(&server, &me).await;
    let (team, _) = first_team(&a).await;
    let channel = a
        .create_channel(&team, "Kommandos", false, "")
        .await
        .unwrap()
        .id;

    // /mute toggles, as on the real server; the answer says so.
    let outcome = a.run_command(&channel, "", "/mute").await.unwrap();
    assert!(
        matches!(&outcome, CommandOutcome::Done { message } if !message.is_empty()),
        "{outcome:?}"
    );
    assert!(muted(&a.channel_list(&team).await.unwrap(), &channel));
    until(
        "muted on device B",
        || b.channel_list(&team),
        |s| muted(s.as_ref().unwrap(), &channel),
    )
    .await;
    a.run_command(&channel, "", "/MUTE").await.unwrap();
    assert!(!muted(&a.channel_list(&team).await.unwrap(), &channel));

    // /mute ~name mutes another channel than the one typed in.
    let other = a.create_channel(&team, "Nebenan", false, "").await.unwrap();
    a.run_command(&channel, "", &format!("/mute ~{}", other.name))
        .await
        .unwrap();
    let sidebar = a.channel_list(&team).await.unwrap();
    assert!(muted(&sidebar, &other.id) && !muted(&sidebar, &channel));

    // Header, purpose and name change in the cache at once.
    a.run_command(&channel, "", "/header Bitte freundlich bleiben")
        .await
        .unwrap();
    a.run_command(&channel, "", "/purpose Üben").await.unwrap();
    a.run_command(&channel, "", "/rename Kommando-Zentrale")
        .await
        .unwrap();
    let stored = cached(&a, &channel).await.unwrap();
    assert_eq!(stored.header, "Bitte freundlich bleiben");
    assert_eq!(stored.purpose, "Üben");
    assert_eq!(stored.display_name, "Kommando-Zentrale");
    until(
        "the new header on device B",
        || cached(&b, &channel),
        |c| {
            c.as_ref()
                .is_some_and(|c| c.header == "Bitte freundlich bleiben")
        },
    )
    .await;

    // /leave: gone from the sidebar here at once and there soon; the
    // answer sends the app to the town square.
    let outcome = a.run_command(&channel, "", "/leave").await.unwrap();
    let CommandOutcome::OpenChannel { channel_id, .. } = outcome else {
        panic!("leave should open the town square: {outcome:?}");
    };
    assert_eq!(cached(&a, &channel_id).await.unwrap().name, "town-square");
    assert!(!listed(&a.channel_list(&team).await.unwrap(), &channel));
    until(
        "the left channel gone from device B",
        || b.channel_list(&team),
        |s| !listed(s.as_ref().unwrap(), &channel),
    )
    .await;

    // Leaving the town square is refused with a text; nothing changes.
    let outcome = a.run_command(&channel_id, "", "/leave").await.unwrap();
    assert!(
        matches!(&outcome, CommandOutcome::Done { message } if !message.is_empty()),
        "{outcome:?}"
    );
    assert!(listed(&a.channel_list(&team).await.unwrap(), &channel_id));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_search_and_refusals() {
    let server = TestServer::start(ServerConfig::default()).await.unwrap();
    let me = server.account(Role::Student);
    let (_dir, a) = live_device(&server, &me).await;
    let (team, _) = first_team(&a).await;
    let town_square = a
        .channel_list(&team)
        .await
        .unwrap()
        .iter()
        .flat_map(|s| s.channels.clone())
        .find(|c| c.name == "town-square")
        .unwrap()
        .id;

    for (command, status) in [
        ("/away", "away"),
        ("/dnd", "dnd"),
        ("/offline", "offline"),
        ("/online", "online"),
    ] {
        a.run_command(&town_square, "", command).await.unwrap();
        assert_eq!(
            a.user_status(&me.user_id).unwrap().as_deref(),
            Some(status),
            "{command}"
        );
    }

    // /search never reaches the server.
    server.reset_request_log();
    assert_eq!(
        a.run_command(&town_square, "", "/search from:anna Mathe")
            .await
            .unwrap(),
        CommandOutcome::Search {
            terms: "from:anna Mathe".into()
        }
    );
    assert!(server.request_log().is_empty());

    assert_eq!(
        a.run_command(&town_square, "", "/gibtsnicht 1").await,
        Err(Error::UnknownCommand {
            trigger: "gibtsnicht".into()
        })
    );
    assert!(matches!(
        a.run_command(&town_square, "", "/").await,
        Err(Error::InvalidInput { .. })
    ));
    assert!(matches!(
        a.run_command(&town_square, "", "kein Kommando").await,
        Err(Error::InvalidInput { .. })
    ));
    assert!(matches!(
        a.run_command("4xp9fdt3pbbqpiaxc6gh1ddbyw", "", "/away")
            .await,
        Err(Error::NotFound { .. })
    ));

    // The `/` menu and the suggestions.
    let commands = a.slash_commands(&team).await.unwrap();
    let triggers: Vec<&str> = commands.iter().map(|c| c.trigger.as_str()).collect();
    for trigger in ["away", "leave", "msg", "mute", "header"] {
        assert!(triggers.contains(&trigger), "{trigger} in {triggers:?}");
    }
    assert!(triggers.windows(2).all(|w| w[0] < w[1]));
    let suggestions = a
        .command_suggestions(&town_square, "", "/mu")
        .await
        .unwrap();
    assert_eq!(suggestions.len(), 1);
    assert_eq!(suggestions[0].complete, "mute");
    assert!(a
        .command_suggestions(&town_square, "", "mu")
        .await
        .unwrap()
        .is_empty());

    // Offline a command fails: it is never queued.
    server.stop().await;
    let offline = a.run_command(&town_square, "", "/away").await;
    assert!(
        offline.as_ref().is_err_and(Error::is_transient),
        "{offline:?}"
    );
    assert!(a.pending_sends().await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_commands_open_conversations_and_change_members() {
    let server = TestServer::start(ServerConfig::default()).await.unwrap();
    let me = server.account(Role::Student);
    let (_dir, a) = live_device(&server, &me).await;
    let (team, team_name) = first_team(&a).await;
    let mia = classmate(&server, &team_name, "mia.komposer");
    let tom = classmate(&server, &team_name, "tom.komposer");
    let (_mia_dir, mia_device) = live_device(&server, &mia).await;
    let channel = a
        .create_channel(&team, "Gruppenarbeit", false, "")
        .await
        .unwrap();

    // /msg opens the direct message (stored, in the sidebar) and posts.
    let outcome = a
        .run_command(&channel.id, "", "/msg @mia.komposer Hallo Mia")
        .await
        .unwrap();
    let CommandOutcome::OpenChannel { channel_id: dm, .. } = outcome else {
        panic!("msg should open the conversation: {outcome:?}");
    };
    assert!(listed(&a.channel_list(&team).await.unwrap(), &dm));
    until(
        "the message in Mia's direct message",
        || mia_device.timeline(&dm, 20),
        |t| {
            t.as_ref()
                .is_ok_and(|t| t.posts.iter().any(|p| p.message == "Hallo Mia"))
        },
    )
    .await;

    // /groupmsg likewise.
    let outcome = a
        .run_command(
            &channel.id,
            "",
            "/groupmsg @mia.komposer,@tom.komposer Referat",
        )
        .await
        .unwrap();
    let CommandOutcome::OpenChannel { channel_id: gm, .. } = outcome else {
        panic!("groupmsg should open the conversation: {outcome:?}");
    };
    assert!(listed(&a.channel_list(&team).await.unwrap(), &gm));

    // /invite and /kick change who is in the channel.
    a.run_command(&channel.id, "", "/invite @tom.komposer")
        .await
        .unwrap();
    let members = a.channel_members(&channel.id, 0, 50).await.unwrap();
    assert!(members.iter().any(|m| m.username == tom.username));
    a.run_command(&channel.id, "", "/kick @tom.komposer")
        .await
        .unwrap();
    let members = a.channel_members(&channel.id, 0, 50).await.unwrap();
    assert!(!members.iter().any(|m| m.username == tom.username));

    // /join ~name joins a channel that was not cached and opens it.
    let theirs = mia_device
        .create_channel(&team, "Mias Ecke", false, "")
        .await
        .unwrap();
    let outcome = a
        .run_command(&channel.id, "", &format!("/join ~{}", theirs.name))
        .await
        .unwrap();
    assert_eq!(
        outcome,
        CommandOutcome::OpenChannel {
            channel_id: theirs.id.clone(),
            message: String::new()
        }
    );
    assert!(listed(&a.channel_list(&team).await.unwrap(), &theirs.id));

    // /me posts (through the server, as a post of type "me").
    a.run_command(&theirs.id, "", "/me winkt").await.unwrap();
    until(
        "the /me post at Mia's",
        || mia_device.timeline(&theirs.id, 20),
        |t| {
            t.as_ref()
                .is_ok_and(|t| t.posts.iter().any(|p| p.message == "*winkt*"))
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submit_runs_commands_and_queues_messages() {
    let server = TestServer::start(ServerConfig::default()).await.unwrap();
    let me = server.account(Role::Student);
    let (_dir, a) = live_device(&server, &me).await;
    let (team, _) = first_team(&a).await;
    let channel = a
        .create_channel(&team, "Abgeben", false, "")
        .await
        .unwrap()
        .id;

    let submitted = a
        .submit(&channel, "", "/header Abgabe Freitag")
        .await
        .unwrap();
    assert!(matches!(submitted, Submitted::Command { .. }));
    assert_eq!(cached(&a, &channel).await.unwrap().header, "Abgabe Freitag");
    let Submitted::Queued { client_key } = a.submit(&channel, "", "Hallo alle").await.unwrap()
    else {
        panic!("a message is queued");
    };
    assert!(!client_key.is_empty());
    until(
        "the message on the server",
        || a.timeline(&channel, 20),
        |t| {
            t.as_ref().is_ok_and(|t| {
                t.posts
                    .iter()
                    .any(|p| p.message == "Hallo alle" && !p.id.is_empty())
            })
        },
    )
    .await;
    let timeline = a.timeline(&channel, 50).await.unwrap();
    assert!(!timeline
        .posts
        .iter()
        .any(|p| p.message.starts_with("/header")));
    assert!(matches!(
        a.submit(&channel, "", "/unbekannt").await,
        Err(Error::UnknownCommand { .. })
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn saved_and_pinned_posts() {
    let server = TestServer::start(ServerConfig::default()).await.unwrap();
    let me = server.account(Role::Student);
    let (_a_dir, a) = device(&server, &me).await;
    let (_b_dir, b) = live_device(&server, &me).await;
    let (team, _) = first_team(&a).await;
    let channel = a
        .create_channel(&team, "Merkzettel", false, "")
        .await
        .unwrap()
        .id;
    let first = server.post_as(&me.user_id, &channel, "Termin: Montag");
    let second = server.post_as(&me.user_id, &channel, "Termin: Dienstag");
    let (first, second) = (
        first["id"].as_str().unwrap().to_owned(),
        second["id"].as_str().unwrap().to_owned(),
    );

    // Saved: the list comes newest first; the other device learns it.
    a.set_post_saved(&first, true).await.unwrap();
    a.set_post_saved(&second, true).await.unwrap();
    assert!(a.is_post_saved(&first).await.unwrap());
    let saved: Vec<String> = a
        .saved_posts()
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(saved, vec![second.clone(), first.clone()]);
    until(
        "saved on device B",
        || b.is_post_saved(&first),
        |s| *s.as_ref().unwrap(),
    )
    .await;
    a.set_post_saved(&second, false).await.unwrap();
    assert!(!a.is_post_saved(&second).await.unwrap());
    let saved = a.saved_posts().await.unwrap();
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0].message, "Termin: Montag");

    // Pinned: marked in the cache at once; unpinned elsewhere is noticed
    // by the next list.
    a.set_post_pinned(&first, true).await.unwrap();
    let pinned = a.pinned_posts(&channel).await.unwrap();
    assert_eq!(pinned.len(), 1);
    assert!(pinned[0].is_pinned && pinned[0].id == first);
    until(
        "pinned on device B",
        || b.timeline(&channel, 20),
        |t| {
            t.as_ref()
                .is_ok_and(|t| t.posts.iter().any(|p| p.id == first && p.is_pinned))
        },
    )
    .await;
    b.set_post_pinned(&first, false).await.unwrap();
    b.set_post_pinned(&second, true).await.unwrap();
    let pinned = a.pinned_posts(&channel).await.unwrap();
    assert_eq!(pinned.len(), 1);
    assert_eq!(pinned[0].id, second);

    // Offline the cached lists remain.
    server.stop().await;
    assert_eq!(a.pinned_posts(&channel).await.unwrap().len(), 1);
    assert_eq!(a.saved_posts().await.unwrap().len(), 1);
    assert!(matches!(
        a.set_post_saved("", true).await,
        Err(Error::InvalidInput { .. })
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drafts_are_kept_locally_synced_to_the_other_device_and_cleared_by_sending() {
    let server = TestServer::start(ServerConfig::default()).await.unwrap();
    let me = server.account(Role::Student);
    let a_dir = tempfile::tempdir().unwrap();
    let a_secrets = Arc::new(MemorySecretStore::new());
    let a = Client::builder(a_dir.path())
        .secret_store(a_secrets.clone())
        .build()
        .unwrap();
    a.sign_in_with_password(&server.url(), &me.username, &me.password, None)
        .await
        .unwrap();
    a.sync().await.unwrap();
    let (_b_dir, b) = live_device(&server, &me).await;
    let (team, _) = first_team(&a).await;
    let channel = a
        .create_channel(&team, "Entwürfe", false, "")
        .await
        .unwrap()
        .id;
    let root = server.post_as(&me.user_id, &channel, "Frage zur Klassenfahrt")["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Saved as typed, per channel and per thread.
    a.save_draft(&channel, "", "Ich bringe").await.unwrap();
    a.save_draft(&channel, "", "Ich bringe Kuchen mit")
        .await
        .unwrap();
    a.save_draft(&channel, &root, "Antwort im Thread")
        .await
        .unwrap();
    let draft = a.draft(&channel, "").await.unwrap().unwrap();
    assert_eq!(draft.message, "Ich bringe Kuchen mit");
    assert_eq!(draft.channel_name, "Entwürfe");
    assert_eq!(
        a.draft(&channel, &root).await.unwrap().unwrap().message,
        "Antwort im Thread"
    );
    assert_eq!(a.drafts().await.unwrap().len(), 2);

    // The other device gets them over the websocket.
    until(
        "the draft on device B",
        || b.draft(&channel, ""),
        |d| {
            d.as_ref()
                .unwrap()
                .as_ref()
                .is_some_and(|d| d.message == "Ich bringe Kuchen mit")
        },
    )
    .await;

    // They survive a restart of the app (a new client on the same data).
    drop(a);
    let restarted = Client::builder(a_dir.path())
        .secret_store(a_secrets.clone())
        .build()
        .unwrap();
    restarted.restore().await.unwrap();
    assert_eq!(
        restarted
            .draft(&channel, "")
            .await
            .unwrap()
            .unwrap()
            .message,
        "Ich bringe Kuchen mit"
    );
    drop(restarted);

    // Sending from the composer clears its draft, here and there.
    let submitted = b
        .submit(&channel, "", "Ich bringe Kuchen mit")
        .await
        .unwrap();
    assert!(matches!(submitted, Submitted::Queued { .. }));
    assert_eq!(b.draft(&channel, "").await.unwrap(), None);
    assert!(b.draft(&channel, &root).await.unwrap().is_some());

    // A device that was offline takes the server's list on sync.
    let (_c_dir, c) = device(&server, &me).await;
    c.sync_drafts().await.unwrap();
    let drafts = c.drafts().await.unwrap();
    assert_eq!(drafts.len(), 1, "{drafts:?}");
    assert_eq!(drafts[0].root_id, root);

    // An emptied draft is gone; offline a draft is still kept.
    c.save_draft(&channel, &root, "   ").await.unwrap();
    assert!(c.drafts().await.unwrap().is_empty());
    server.stop().await;
    c.save_draft(&channel, "", "Offline geschrieben")
        .await
        .unwrap();
    assert_eq!(
        c.draft(&channel, "").await.unwrap().unwrap().message,
        "Offline geschrieben"
    );
    assert!(c.sync_drafts().await.unwrap_err().is_transient());
    assert!(matches!(
        c.save_draft("", "", "x").await,
        Err(Error::InvalidInput { .. })
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn autocomplete_people_channels_and_emoji() {
    use pausenhof_core::composer::{CompletionKind, Suggestion};
    let server = TestServer::start(ServerConfig::default()).await.unwrap();
    let me = server.account(Role::Student);
    let (_dir, a) = device(&server, &me).await;
    let (team, team_name) = first_team(&a).await;
    let channel = a
        .create_channel(&team, "Zeichnen", false, "")
        .await
        .unwrap();
    let inside = classmate(&server, &team_name, "zora.drinnen");
    classmate(&server, &team_name, "zorro.draussen");
    a.run_command(&channel.id, "", "/invite @zora.drinnen")
        .await
        .unwrap();

    // People: the channel's members first, then the team (from the server).
    let text = "Hallo @zor";
    let completion = a
        .autocomplete(&channel.id, text, text.chars().count() as u32)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(completion.word.kind, CompletionKind::People);
    assert_eq!((completion.word.start, completion.word.end), (6, 10));
    let names: Vec<String> = completion
        .suggestions
        .iter()
        .map(Suggestion::insert_text)
        .collect();
    assert_eq!(names, ["@zora.drinnen ", "@zorro.draussen "]);
    let Suggestion::Person(first) = &completion.suggestions[0] else {
        panic!("a person");
    };
    assert!(first.in_channel && first.user_id == inside.user_id);

    // Offline the cached people remain (the server's answer was cached).
    server.stop().await;
    let offline = a
        .autocomplete(&channel.id, "@zor", 4)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(offline.suggestions.len(), 2);

    // Channels from the cache; emoji from the Unicode table.
    let channels = a
        .autocomplete(&channel.id, "siehe ~zeich", 12)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        channels.suggestions.first().map(Suggestion::insert_text),
        Some(format!("~{} ", channel.name))
    );
    let emoji = a
        .autocomplete(&channel.id, "super :thumbsu", 14)
        .await
        .unwrap()
        .unwrap();
    assert!(emoji
        .suggestions
        .iter()
        .any(|s| matches!(s, Suggestion::Emoji(e) if e.emoji == "👍")));
    assert_eq!(
        a.autocomplete(&channel.id, "kein Wort", 9).await.unwrap(),
        None
    );
}
