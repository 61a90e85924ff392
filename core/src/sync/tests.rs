use super::fake::{FakeData, FakeServer};
use super::*;
use crate::model::{Channel, ChannelMember, ChannelType, Post, Team, TeamMember, User};
use crate::store::reads::{self, OlderPosts, SectionKind};
use crate::store::{OpenCheck, Store};

const ME: &str = "me";

fn user(id: &str, first: &str) -> User {
    User {
        id: id.into(),
        username: format!("{id}.name"),
        first_name: first.into(),
        last_name: "Muster".into(),
        update_at: 1_000,
        ..User::default()
    }
}

fn channel(id: &str, team: &str, kind: ChannelType, name: &str) -> Channel {
    Channel {
        id: id.into(),
        team_id: team.into(),
        channel_type: kind,
        name: name.into(),
        display_name: name.to_uppercase(),
        ..Channel::default()
    }
}

fn post(id: &str, channel: &str, author: &str, at: i64) -> Post {
    Post {
        id: id.into(),
        channel_id: channel.into(),
        user_id: author.into(),
        create_at: at,
        update_at: at,
        message: format!("Nachricht {id}"),
        ..Post::default()
    }
}

/// Two teams, `extra_channels` more channels in team 1, a direct message
/// with u1 and a group message with u1 and u2. Channels "a" and "dm" get
/// 100 posts each; the user read everything except the last 5 of "a".
fn school(extra_channels: usize) -> FakeServer {
    let mut d = FakeData {
        me: User {
            username: "ich".into(),
            ..user(ME, "Ich")
        },
        ..FakeData::default()
    };
    d.users = (1..=5)
        .map(|i| user(&format!("u{i}"), &format!("Person{i}")))
        .collect();
    d.teams = vec![
        Team {
            id: "t1".into(),
            display_name: "Klasse".into(),
            ..Team::default()
        },
        Team {
            id: "t2".into(),
            display_name: "AG".into(),
            ..Team::default()
        },
    ];
    d.team_members = ["t1", "t2"]
        .iter()
        .map(|t| TeamMember {
            team_id: t.to_string(),
            user_id: ME.into(),
            ..TeamMember::default()
        })
        .collect();
    d.channels = vec![
        channel("a", "t1", ChannelType::Open, "a"),
        channel("b", "t1", ChannelType::Open, "b"),
        channel("c", "t2", ChannelType::Private, "c"),
        channel("dm", "", ChannelType::Direct, "me__u1"),
        Channel {
            display_name: "ich, u1.name, u2.name".into(),
            ..channel("gm", "", ChannelType::Group, "gm")
        },
    ];
    for i in 0..extra_channels {
        d.channels.push(channel(
            &format!("x{i:04}"),
            "t1",
            ChannelType::Open,
            &format!("x{i:04}"),
        ));
    }
    for ch in ["a", "dm"] {
        for i in 0..100 {
            let author = if i % 2 == 0 { "u3" } else { "u4" };
            d.posts
                .push(post(&format!("{ch}-{i:03}"), ch, author, 10_000 + i * 10));
        }
    }
    for ch in &mut d.channels {
        let posts: Vec<&Post> = d.posts.iter().filter(|p| p.channel_id == ch.id).collect();
        ch.total_msg_count = posts.len() as i64;
        ch.last_post_at = posts.iter().map(|p| p.create_at).max().unwrap_or(0);
    }
    d.members = d
        .channels
        .iter()
        .map(|ch| ChannelMember {
            channel_id: ch.id.clone(),
            user_id: ME.into(),
            msg_count: if ch.id == "a" {
                ch.total_msg_count - 5
            } else {
                ch.total_msg_count
            },
            last_viewed_at: if ch.id == "b" { 50_000 } else { 1 },
            ..ChannelMember::default()
        })
        .collect();
    FakeServer::new(d)
}

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_blocking(dir.path().join("s.sqlite"), OpenCheck::Header).unwrap();
    (dir, store)
}

async fn list(store: &Store, team: &str) -> Vec<reads::SidebarSection> {
    let team = team.to_owned();
    store
        .read(move |c| reads::channel_list(c, &team))
        .await
        .unwrap()
}

async fn window(store: &Store, channel: &str, limit: usize) -> reads::TimelineWindow {
    let channel = channel.to_owned();
    store
        .read(move |c| reads::timeline(c, &channel, limit, None))
        .await
        .unwrap()
}

/// Requests the channel list needs: the listings, the categories and the
/// people direct/group messages are named after (u1, u2), not post authors.
const CHANNEL_LIST_REQUESTS: &[&str] = &[
    "me",
    "teams",
    "team_members",
    "channels",
    "channel_members",
    "preferences",
    "config",
    "users_by_ids [\"u1\"]",
    "users_by_usernames",
    "categories",
];

#[tokio::test]
async fn first_sync_completes_the_channel_list_in_two_round_trips() {
    let server = school(0);
    let (_d, store) = store();
    let report = sync(&server, &store, &SyncOptions::default())
        .await
        .unwrap();
    assert_eq!(report.kind, SyncKind::Full);
    assert_eq!(
        server.depth_of(CHANNEL_LIST_REQUESTS),
        2,
        "{:#?}",
        server.requests()
    );
    // Focus (most recently viewed "b") and the unread channel "a".
    assert!(report.channels_with_posts_fetched.contains("a"));
    assert!(report.channels_with_posts_fetched.contains("b"));
    assert!(
        !report.channels_with_posts_fetched.contains("dm"),
        "read channels wait"
    );

    let sections = list(&store, "t1").await;
    assert_eq!(sections[0].kind, SectionKind::Channels);
    let a = &sections[0].channels[0];
    assert_eq!((a.id.as_str(), a.unread_count), ("a", 5));
    let direct: Vec<_> = sections[1]
        .channels
        .iter()
        .map(|c| c.display_name.as_str())
        .collect();
    assert!(direct.contains(&"Person1 Muster"));
    assert!(direct.contains(&"Person1 Muster, Person2 Muster"));

    let win = window(&store, "a", 60).await;
    assert_eq!(win.posts.len(), 60);
    assert_eq!(win.posts.last().unwrap().id, "a-099");
    assert_eq!(
        win.posts[0].author_name, "Person3 Muster",
        "authors fetched"
    );
    assert_eq!(win.older, OlderPosts::OnServer);
    assert!(!win.newer_missing);
}

#[tokio::test]
async fn many_memberships_are_paged_in_parallel_within_three_round_trips() {
    let server = school(450);
    let (_d, store) = store();
    sync(&server, &store, &SyncOptions::default())
        .await
        .unwrap();
    let pages = server
        .names()
        .iter()
        .filter(|n| n.starts_with("channel_members"))
        .count();
    assert_eq!(pages, 3);
    assert!(
        server.depth_of(CHANNEL_LIST_REQUESTS) <= 3,
        "{:#?}",
        server.requests()
    );
    let sections = list(&store, "t1").await;
    assert_eq!(sections[0].channels.len(), 452);
}

/// Depth of the request that fetched the profile behind `needle` (a user
/// id or username), and whether one did.
fn depth_of_user_fetch(server: &FakeServer, needle: &str) -> Option<usize> {
    server
        .requests()
        .iter()
        .find(|r| r.name.starts_with("users_by_") && r.name.contains(needle))
        .map(|r| r.depth)
}

#[tokio::test]
async fn direct_and_group_names_come_in_round_two_when_their_memberships_are_paged() {
    // The memberships of the direct and the group message come on the last
    // of three pages: what the lists are named after must not wait for them.
    let server = school(450);
    {
        let mut data = server.data.lock().unwrap();
        let direct_and_group: Vec<_> = data
            .members
            .iter()
            .filter(|m| m.channel_id == "dm" || m.channel_id == "gm")
            .cloned()
            .collect();
        data.members
            .retain(|m| m.channel_id != "dm" && m.channel_id != "gm");
        data.members.extend(direct_and_group);
        assert!(data.members.len() > 2 * api::MEMBERS_PER_PAGE);
    }
    let (_d, store) = store();
    sync(&server, &store, &SyncOptions::default())
        .await
        .unwrap();
    let requests = server.requests();
    assert_eq!(depth_of_user_fetch(&server, "u1"), Some(2), "{requests:#?}");
    let usernames = requests
        .iter()
        .find(|r| r.name == "users_by_usernames")
        .unwrap_or_else(|| panic!("{requests:#?}"));
    assert_eq!(usernames.depth, 2);
    assert_eq!(
        requests
            .iter()
            .filter(|r| r.name == "users_by_usernames")
            .count(),
        1,
        "the group's members are fetched once"
    );
    assert!(server.depth_of(CHANNEL_LIST_REQUESTS) <= 2, "{requests:#?}");
    let direct: Vec<_> = list(&store, "t1").await[1]
        .channels
        .iter()
        .map(|c| c.display_name.clone())
        .collect();
    assert!(direct.contains(&"Person1 Muster".to_owned()), "{direct:?}");
    assert!(
        direct.contains(&"Person1 Muster, Person2 Muster".to_owned()),
        "{direct:?}"
    );
}

#[tokio::test]
async fn catch_up_with_nothing_changed_costs_a_handful_of_requests() {
    let server = school(0);
    let (_d, store) = store();
    sync(&server, &store, &SyncOptions::default())
        .await
        .unwrap();
    server.reset();
    let report = sync(&server, &store, &SyncOptions::default())
        .await
        .unwrap();
    assert_eq!(report.kind, SyncKind::CatchUp);
    let mut names = server.names();
    names.sort();
    assert_eq!(
        names,
        [
            "channel_members page=0",
            "channels",
            "config",
            "preferences",
            "team_members",
            "teams",
            "users_by_ids [\"me\", \"u1\", \"u2\", \"u3\", \"u4\"] since=Some(1000)",
        ]
    );
    assert!(report.channels_with_posts_fetched.is_empty());
}

#[tokio::test]
async fn catch_up_fetches_new_posts_since_the_cached_range_only_where_posted() {
    let server = school(0);
    let (_d, store) = store();
    sync(&server, &store, &SyncOptions::default())
        .await
        .unwrap();
    server.post(post("a-new", "a", "u5", 20_000));
    let mut renamed = user("u3", "Umbenannt");
    renamed.update_at = 5_000;
    server.data.lock().unwrap().users[2] = renamed;
    server.reset();
    let report = sync(&server, &store, &SyncOptions::default())
        .await
        .unwrap();
    let post_requests: Vec<_> = server
        .names()
        .into_iter()
        .filter(|n| n.starts_with("posts"))
        .collect();
    assert_eq!(post_requests, ["posts a since"]);
    assert!(report.gaps_left.is_empty());
    let win = window(&store, "a", 5).await;
    let last = win.posts.last().unwrap();
    assert_eq!(last.id, "a-new");
    assert_eq!(last.author_name, "Person5 Muster", "new author fetched");
    assert_eq!(
        win.posts[0].author_name, "Umbenannt Muster",
        "changed user refreshed"
    );
    assert!(!win.newer_missing);
}

fn post_requests(server: &FakeServer) -> Vec<String> {
    let mut names: Vec<String> = server
        .names()
        .into_iter()
        .filter(|n| n.starts_with("posts"))
        .collect();
    names.sort();
    names
}

/// An edit or reaction moves no `last_post_at`: only asking the channel
/// finds it. That costs a request per cached channel, so it is done only
/// when events may have been lost (the mark), and the mark then goes.
#[tokio::test]
async fn after_lost_events_the_catch_up_asks_every_cached_channel_what_changed() {
    let server = school(0);
    let (_d, store) = store();
    sync(&server, &store, &SyncOptions::default())
        .await
        .unwrap();
    let cached = window(&store, "a", 5).await.posts[0].id.clone();
    {
        let mut data = server.data.lock().unwrap();
        let edited = data.posts.iter_mut().find(|p| p.id == cached).unwrap();
        edited.message = "Korrigiert".into();
        edited.edit_at = 30_000;
        edited.update_at = 30_000;
    }
    server.reset();
    sync(&server, &store, &SyncOptions::default())
        .await
        .unwrap();
    assert!(
        post_requests(&server).is_empty(),
        "a live connection would have told"
    );

    store
        .write(|w| w.raise_mark(SyncCursor::CachedPostsUnverified))
        .await
        .unwrap();
    server.reset();
    sync(&server, &store, &SyncOptions::default())
        .await
        .unwrap();
    let with_ranges: Vec<String> = store
        .read(|c| {
            let mut stmt =
                c.prepare("SELECT DISTINCT channel_id FROM timeline_ranges ORDER BY 1")?;
            let ids = stmt.query_map([], |r| r.get::<_, String>(0))?;
            Ok(ids
                .map(|id| format!("posts {} since", id.unwrap()))
                .collect())
        })
        .await
        .unwrap();
    assert_eq!(post_requests(&server), with_ranges);
    let shown = window(&store, "a", 5).await;
    let post = shown.posts.iter().find(|p| p.id == cached).unwrap();
    assert_eq!(post.message, "Korrigiert");
    assert_eq!(
        store
            .read(|c| read_mark(c, SyncCursor::CachedPostsUnverified))
            .await
            .unwrap(),
        None
    );
    server.reset();
    sync(&server, &store, &SyncOptions::default())
        .await
        .unwrap();
    assert!(post_requests(&server).is_empty(), "verified once is enough");
}

#[tokio::test]
async fn a_cut_off_catch_up_leaves_a_known_gap_that_scrolling_fills() {
    let server = school(0);
    let (_d, store) = store();
    sync(&server, &store, &SyncOptions::default())
        .await
        .unwrap();
    for i in 0..1100 {
        server.post(post(&format!("a-late-{i:04}"), "a", "u3", 30_000 + i));
    }
    let report = sync(&server, &store, &SyncOptions::default())
        .await
        .unwrap();
    assert!(report.gaps_left.contains("a"));
    let win = window(&store, "a", 100).await;
    assert_eq!(win.posts.len(), 60, "only the newest page is shown");
    assert_eq!(win.older, OlderPosts::Gap, "never shown as complete");

    server.reset();
    let mut loads = 0;
    loop {
        let outcome = load_older(&server, &store, "a").await.unwrap();
        loads += 1;
        assert!(outcome.fetched > 0);
        if outcome.closed_gap {
            break;
        }
        assert!(loads < 30, "gap never closed");
    }
    assert_eq!(loads, 1040_usize.div_ceil(60));
    let win = window(&store, "a", 2000).await;
    // 100 old posts of which 60 were cached, 1100 new: all contiguous now.
    assert_eq!(win.older, OlderPosts::OnServer);
    assert_eq!(win.posts.len(), 1100 + 60);
    assert!(win
        .posts
        .windows(2)
        .all(|w| w[0].create_at <= w[1].create_at));
}

#[tokio::test]
async fn scrolling_up_reaches_the_start_of_the_channel() {
    let server = school(0);
    let (_d, store) = store();
    sync(&server, &store, &SyncOptions::default())
        .await
        .unwrap();
    let outcome = load_older(&server, &store, "a").await.unwrap();
    assert_eq!(outcome.fetched, 40);
    assert!(outcome.reached_start);
    let win = window(&store, "a", 500).await;
    assert_eq!(win.posts.len(), 100);
    assert_eq!(win.older, OlderPosts::None);
    server.reset();
    let again = load_older(&server, &store, "a").await.unwrap();
    assert_eq!(again.fetched, 0);
    assert!(server.requests().is_empty(), "nothing older to ask for");
}

#[tokio::test]
async fn catch_up_drops_left_channels_and_names_new_direct_messages() {
    let server = school(0);
    let (_d, store) = store();
    sync(&server, &store, &SyncOptions::default())
        .await
        .unwrap();
    {
        let mut d = server.data.lock().unwrap();
        d.members.retain(|m| m.channel_id != "b");
        d.channels.retain(|c| c.id != "b");
        d.users.push(user("u9", "Neu"));
        d.channels
            .push(channel("dm9", "", ChannelType::Direct, "me__u9"));
        d.members.push(ChannelMember {
            channel_id: "dm9".into(),
            user_id: ME.into(),
            ..ChannelMember::default()
        });
    }
    server.reset();
    sync(&server, &store, &SyncOptions::default())
        .await
        .unwrap();
    let names = server.names();
    assert!(names.contains(&"categories t1".to_string()));
    assert!(names.contains(&"categories t2".to_string()));
    let sections = list(&store, "t1").await;
    let ids: Vec<_> = sections
        .iter()
        .flat_map(|s| &s.channels)
        .map(|c| c.id.as_str())
        .collect();
    assert!(!ids.contains(&"b"));
    let dm9 = sections
        .iter()
        .flat_map(|s| &s.channels)
        .find(|c| c.id == "dm9")
        .unwrap();
    assert_eq!(dm9.display_name, "Neu Muster");
}

#[tokio::test]
async fn a_failed_first_sync_is_retried_as_a_full_sync() {
    let server = school(0);
    let (_d, store) = store();
    server.data.lock().unwrap().fail_prefix = Some("categories".into());
    let err = sync(&server, &store, &SyncOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(err, SyncError::Api(_)));
    server.data.lock().unwrap().fail_prefix = None;
    let report = sync(&server, &store, &SyncOptions::default())
        .await
        .unwrap();
    assert_eq!(report.kind, SyncKind::Full);
}

#[tokio::test]
async fn a_rebuilt_store_gets_a_full_sync() {
    let server = school(0);
    let (_d, store) = store();
    sync(&server, &store, &SyncOptions::default())
        .await
        .unwrap();
    store.rebuild().await.unwrap();
    let report = sync(&server, &store, &SyncOptions::default())
        .await
        .unwrap();
    assert_eq!(report.kind, SyncKind::Full);
    assert!(!store.was_rebuilt());
    assert_eq!(list(&store, "t1").await[0].channels.len(), 2);
}

#[tokio::test]
async fn threads_load_into_the_store() {
    let server = school(0);
    {
        let mut d = server.data.lock().unwrap();
        let mut root = post("root", "c", "u1", 100);
        root.reply_count = 2;
        d.posts.push(root);
        for i in 0..2 {
            let mut reply = post(&format!("r{i}"), "c", "u2", 200 + i);
            reply.root_id = "root".into();
            d.posts.push(reply);
        }
    }
    let (_d, store) = store();
    sync(&server, &store, &SyncOptions::default())
        .await
        .unwrap();
    assert_eq!(load_thread(&server, &store, "root").await.unwrap(), 3);
    let thread = store.read(|c| reads::thread(c, "root")).await.unwrap();
    assert!(thread.complete);
    assert_eq!(thread.replies.len(), 2);
}

#[tokio::test]
async fn concurrent_syncs_of_one_account_run_one_after_the_other() {
    let server = school(3);
    let (dir, store) = store();
    // A second handle on the same database, as a second caller would have.
    let other = Store::open_blocking(dir.path().join("s.sqlite"), OpenCheck::Header).unwrap();
    let options = SyncOptions::default();
    let (a, b) = tokio::join!(
        sync(&server, &store, &options),
        sync(&server, &other, &options)
    );
    let mut kinds = [a.unwrap().kind, b.unwrap().kind];
    kinds.sort_by_key(|k| *k == SyncKind::CatchUp);
    // Interleaved, both would have seen an empty store and run in full.
    assert_eq!(kinds, [SyncKind::Full, SyncKind::CatchUp]);
}

#[tokio::test]
async fn scrolling_and_threads_fetch_authors_the_cache_does_not_know() {
    let server = school(0);
    let (_d, store) = store();
    sync(&server, &store, &SyncOptions::default())
        .await
        .unwrap();
    {
        let mut d = server.data.lock().unwrap();
        d.users.push(user("u8", "Neu8"));
        d.users.push(user("u9", "Neu9"));
        // Older than everything cached in "a": found by scrolling up.
        d.posts.push(post("a-old", "a", "u8", 5_000));
        let mut root = post("t-root", "c", "u9", 9_000);
        root.reply_count = 0;
        d.posts.push(root);
    }
    let known = |id: &'static str| {
        let store = store.clone();
        async move {
            store
                .read(move |c| {
                    Ok(c.prepare("SELECT 1 FROM users WHERE id = ?1")?
                        .exists([id])?)
                })
                .await
                .unwrap()
        }
    };
    assert!(!known("u8").await && !known("u9").await);
    while !load_older(&server, &store, "a")
        .await
        .unwrap()
        .reached_start
    {}
    assert!(known("u8").await, "the author of a post found by scrolling");
    load_thread(&server, &store, "t-root").await.unwrap();
    assert!(known("u9").await, "the author of a thread opened");
}

async fn cached_channel_ids(store: &Store) -> Vec<String> {
    store
        .read(|c| {
            let mut stmt = c.prepare(
                "SELECT channel_id FROM channel_members WHERE user_id = 'me' ORDER BY 1",
            )?;
            let ids = stmt.query_map([], |r| r.get::<_, String>(0))?;
            Ok(ids.collect::<Result<_, _>>()?)
        })
        .await
        .unwrap()
}

/// A listing fetched before the user left or joined a channel here must
/// not undo that when written (the left channel flickered back until the
/// next catch-up); a listing begun afterwards is newer and wins.
#[tokio::test]
async fn a_listing_older_than_a_leave_or_join_here_leaves_those_channels_alone() {
    let server = school(0);
    let (_d, store) = store();
    sync(&server, &store, &SyncOptions::default())
        .await
        .unwrap();
    let before = cached_channel_ids(&store).await;
    assert!(before.contains(&"a".to_owned()));

    let number = store.write(|w| w.begin_listing()).await.unwrap();
    let listing = channels::fetch_listing(&server, false).await.unwrap();
    store
        .write(|w| {
            w.forget_channel("a")?;
            w.upsert_channels(&[channel("z", "t1", ChannelType::Open, "Neu")])?;
            w.upsert_channel_members(&[ChannelMember {
                channel_id: "z".into(),
                user_id: ME.into(),
                ..ChannelMember::default()
            }])
        })
        .await
        .unwrap();
    channels::write_listing(&store, ME.into(), listing, true, number)
        .await
        .unwrap();
    let shown = cached_channel_ids(&store).await;
    assert!(
        !shown.contains(&"a".to_owned()),
        "the left channel came back"
    );
    assert!(shown.contains(&"z".to_owned()), "the joined channel went");

    // The server never heard of either change here: the next listing says so.
    sync(&server, &store, &SyncOptions::default())
        .await
        .unwrap();
    assert_eq!(cached_channel_ids(&store).await, before);
}
