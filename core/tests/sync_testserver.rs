//! Sync, offline reads and recovery against the in-process test server:
//! first sync of a seeded school, reads with the server stopped, catch-up
//! request counts, gap filling, search and a corrupted cache file.

use std::path::PathBuf;
use std::sync::Arc;

use pausenhof_core::reads::{ChannelKind, OlderPosts, SectionKind};
use pausenhof_core::session::MemorySecretStore;
use pausenhof_core::store::{read_cursor, read_mark, SyncCursor};
use pausenhof_core::sync::{SyncKind, SyncProgress, SyncStage};
use pausenhof_core::{Client, Error};
use pausenhof_testserver::{Account, Corruption, Role, ServerConfig, TestServer};

struct Setup {
    server: TestServer,
    client: Client,
    student: Account,
    data_dir: PathBuf,
    secrets: Arc<MemorySecretStore>,
    _dir: tempfile::TempDir,
}

async fn signed_in_student() -> Setup {
    let server = TestServer::start(ServerConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let secrets = Arc::new(MemorySecretStore::new());
    let client = Client::builder(&data_dir)
        .secret_store(secrets.clone())
        .build()
        .unwrap();
    let student = server.account(Role::Student);
    client
        .sign_in_with_password(&server.url(), &student.username, &student.password, None)
        .await
        .unwrap();
    Setup {
        server,
        client,
        student,
        data_dir,
        secrets,
        _dir: dir,
    }
}

/// Syncs, then finds a public channel of the student where a teacher can
/// post (the teacher's first post there is "Guten Morgen").
async fn shared_channel(s: &Setup) -> (String, String) {
    s.client.sync().await.unwrap();
    let teacher = s.server.account(Role::Teacher);
    for team in s.client.teams().await.unwrap() {
        for section in s.client.channel_list(&team.id).await.unwrap() {
            for channel in section.channels {
                if channel.kind == ChannelKind::Public
                    && s.server
                        .try_post_as(&teacher.user_id, &channel.id, "Guten Morgen")
                        .is_ok()
                {
                    return (channel.id, teacher.user_id);
                }
            }
        }
    }
    panic!("no channel shared by a student and a teacher");
}

fn paths(server: &TestServer) -> Vec<String> {
    server
        .request_log()
        .into_iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

#[tokio::test]
async fn first_sync_fills_channel_lists_and_timelines_of_a_seeded_school() {
    let s = signed_in_student().await;
    s.server.reset_request_log();
    // Apps sync on a spawned task.
    let client = s.client.clone();
    let report = tokio::spawn(async move { client.sync().await })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(report.kind, SyncKind::Full);

    let teams = s.client.teams().await.unwrap();
    assert!(!teams.is_empty());
    let mut saw_direct = false;
    for team in &teams {
        let sections = s.client.channel_list(&team.id).await.unwrap();
        let channels: Vec<_> = sections.iter().flat_map(|s| &s.channels).collect();
        assert!(channels.iter().any(|c| c.name == "town-square"), "{team:?}");
        for c in &channels {
            assert!(!c.display_name.is_empty(), "{c:?}");
            assert!(c.unread_count >= 0 && c.mention_count >= 0);
        }
        for section in sections
            .iter()
            .filter(|s| s.kind == SectionKind::DirectMessages)
        {
            for dm in section
                .channels
                .iter()
                .filter(|c| c.kind == ChannelKind::Direct)
            {
                saw_direct = true;
                // Named after the other person, not the channel's id pair.
                assert!(!dm.display_name.contains("__"), "{dm:?}");
                let other = dm.other_user_id.as_deref().unwrap();
                let person = s.client.user(other).await.unwrap().unwrap();
                assert_eq!(dm.display_name, person.display_name);
            }
        }
    }
    assert!(saw_direct, "the seeded student has direct messages");
    for channel_id in &report.channels_with_posts_fetched {
        let window = s.client.timeline(channel_id, 60).await.unwrap();
        assert!(!window.never_loaded);
        for post in &window.posts {
            assert!(!post.author_name.is_empty());
        }
    }
    // Only the all-teams listings were used, never per-team channel calls.
    let log = paths(&s.server);
    assert!(log.iter().any(|p| p == "GET /api/v4/users/me/channels"));
    assert!(!log
        .iter()
        .any(|p| p.ends_with("/channels/members") && p.contains("/teams/")));
}

#[tokio::test]
async fn everything_synced_is_readable_with_the_server_stopped() {
    let s = signed_in_student().await;
    let (channel_id, teacher) = shared_channel(&s).await;
    s.server
        .post_as(&teacher, &channel_id, "Die Übung zu den Hausaufgaben");
    s.client.sync().await.unwrap();
    let online_window = s.client.timeline(&channel_id, 30).await.unwrap();
    let team_id = s.client.teams().await.unwrap()[0].id.clone();
    let online_list = s.client.channel_list(&team_id).await.unwrap();

    s.server.stop().await;
    assert_eq!(s.client.channel_list(&team_id).await.unwrap(), online_list);
    assert_eq!(
        s.client.timeline(&channel_id, 30).await.unwrap(),
        online_window
    );
    let newest = online_window.posts.last().unwrap();
    assert_eq!(newest.message, "Die Übung zu den Hausaufgaben");
    // German folding and prefix search, offline.
    for terms in ["übung", "Ubung", "hausaufgaben", "HAUSAUF", "übung hausauf"] {
        let hits = s.client.search_offline(terms, None, 20).await.unwrap();
        assert!(hits.iter().any(|h| h.post.id == newest.id), "{terms}");
    }
    assert!(s.client.sync().await.is_err(), "sync needs the server");
    assert_eq!(
        s.client.timeline(&channel_id, 30).await.unwrap(),
        online_window
    );
}

/// Starts the live connection and waits for the catch-up its first
/// connection runs (which asks every cached channel what changed: nothing
/// watched before it), so that later syncs count only their own requests.
async fn live_and_caught_up(s: &Setup) {
    let store = s.client.store().unwrap();
    let state = || {
        store.read(|c| {
            Ok((
                read_cursor(c, SyncCursor::LastSyncAt)?,
                read_mark(c, SyncCursor::CachedPostsUnverified)?,
            ))
        })
    };
    let (synced_before, _) = state().await.unwrap();
    s.client.start_realtime().unwrap();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let (synced, unverified) = state().await.unwrap();
        if synced != synced_before && unverified.is_none() {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no catch-up after connecting"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// The live connection in step with the server already brought every
/// change: a sync asks the server nothing.
#[tokio::test]
async fn catch_up_with_the_live_connection_in_step_costs_no_request() {
    let s = signed_in_student().await;
    s.client.sync().await.unwrap();
    live_and_caught_up(&s).await;
    s.server.reset_request_log();
    let report = s.client.sync().await.unwrap();
    assert_eq!(report.kind, SyncKind::CatchUp);
    let log = paths(&s.server);
    assert!(log.is_empty(), "{log:#?}");
}

/// With no live connection watching, a sync cannot know where only an
/// edit or reaction happened: it asks each channel it holds posts of what
/// changed `since` its cached range, and never more than that.
#[tokio::test]
async fn catch_up_without_a_live_connection_asks_each_cached_channel_since_its_range() {
    let s = signed_in_student().await;
    let (channel_id, teacher) = shared_channel(&s).await;
    s.client.sync().await.unwrap();
    let before = s.client.timeline(&channel_id, 200).await.unwrap();
    s.server.post_as(&teacher, &channel_id, "Neue Nachricht");
    s.server.reset_request_log();
    let report = s.client.sync().await.unwrap();
    let post_requests: Vec<_> = s
        .server
        .request_log()
        .into_iter()
        .filter(|r| r.path.ends_with("/posts"))
        .collect();
    let cached: i64 = s
        .client
        .store()
        .unwrap()
        .read(|c| {
            Ok(c.query_row(
                "SELECT count(DISTINCT channel_id) FROM timeline_ranges",
                [],
                |r| r.get(0),
            )?)
        })
        .await
        .unwrap();
    assert_eq!(post_requests.len() as i64, cached, "{post_requests:?}");
    assert!(post_requests.iter().any(|r| r.path.contains(&channel_id)));
    assert!(post_requests.iter().all(|r| r.query.contains("since=")));
    assert!(report.gaps_left.is_empty());
    let after = s.client.timeline(&channel_id, 200).await.unwrap();
    assert_eq!(after.posts.len(), before.posts.len() + 1);
    assert_eq!(after.posts.last().unwrap().message, "Neue Nachricht");
    assert!(!after.newer_missing);
}

#[tokio::test]
async fn a_gap_left_by_catch_up_is_known_and_filled_by_scrolling() {
    let s = signed_in_student().await;
    let (channel_id, teacher) = shared_channel(&s).await;
    s.client.sync().await.unwrap();
    for i in 0..1100 {
        s.server
            .post_as(&teacher, &channel_id, &format!("Nachricht {i}"));
    }
    let report = s.client.sync().await.unwrap();
    assert!(report.gaps_left.contains(&channel_id), "{report:?}");
    let window = s.client.timeline(&channel_id, 500).await.unwrap();
    assert_eq!(window.older, OlderPosts::Gap);
    assert!(window.posts.len() <= 60 + 1);

    let mut loads = 0;
    // The first page on a spawned task: the app scrolls from the UI thread.
    let (client, channel) = (s.client.clone(), channel_id.clone());
    let first = tokio::spawn(async move { client.load_older(&channel).await });
    assert!(!first.await.unwrap().unwrap().closed_gap);
    while !s.client.load_older(&channel_id).await.unwrap().closed_gap {
        loads += 1;
        assert!(loads < 40, "gap never closed");
    }
    let window = s.client.timeline(&channel_id, 5000).await.unwrap();
    assert_ne!(window.older, OlderPosts::Gap);
    let messages: Vec<_> = window
        .posts
        .iter()
        .filter_map(|p| p.message.strip_prefix("Nachricht "))
        .filter_map(|n| n.parse::<usize>().ok())
        .collect();
    assert_eq!(
        messages,
        (0..1100).collect::<Vec<_>>(),
        "contiguous, in order"
    );
}

#[tokio::test]
async fn a_corrupted_cache_file_is_rebuilt_by_a_full_resync() {
    let s = signed_in_student().await;
    s.client.sync().await.unwrap();
    let team_id = s.client.teams().await.unwrap()[0].id.clone();
    let list = s.client.channel_list(&team_id).await.unwrap();
    let path = s.client.store().unwrap().path().to_path_buf();
    drop(s.client);

    std::fs::write(&path, b"garbage, not SQLite ".repeat(4096)).unwrap();
    let client = Client::builder(&s.data_dir)
        .secret_store(s.secrets.clone())
        .build()
        .unwrap();
    let user = client.restore().await.unwrap().unwrap();
    assert_eq!(user.id, s.student.user_id);
    assert!(
        client.teams().await.unwrap().is_empty(),
        "the damaged cache is gone"
    );
    let report = client.sync().await.unwrap();
    assert_eq!(report.kind, SyncKind::Full);
    assert_eq!(client.channel_list(&team_id).await.unwrap(), list);
}

#[tokio::test]
async fn threads_load_and_read_offline() {
    let s = signed_in_student().await;
    let (channel_id, teacher) = shared_channel(&s).await;
    let root = s.server.post_as(&teacher, &channel_id, "Frage zur Übung");
    let root_id = root["id"].as_str().unwrap().to_owned();
    s.server.reply_as(&teacher, &root_id, "Antwort 1").unwrap();
    s.server.reply_as(&teacher, &root_id, "Antwort 2").unwrap();
    let thread = s.client.load_thread(&root_id).await.unwrap();
    assert!(thread.complete);
    let replies: Vec<_> = thread.replies.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(replies, ["Antwort 1", "Antwort 2"]);
    s.server.stop().await;
    assert_eq!(s.client.thread(&root_id).await.unwrap(), thread);
}

#[tokio::test]
async fn broken_answers_fail_the_sync_without_losing_or_faking_data() {
    let s = signed_in_student().await;
    let (channel_id, teacher) = shared_channel(&s).await;
    s.client.sync().await.unwrap();
    let team_id = s.client.teams().await.unwrap()[0].id.clone();
    let list = s.client.channel_list(&team_id).await.unwrap();
    let window = s.client.timeline(&channel_id, 100).await.unwrap();

    // Garbage instead of the channel list: a typed error, the cache intact.
    s.server
        .faults()
        .corrupt_next("GET", "/api/v4/users/me/channels", 1, Corruption::Garbage);
    let err = s.client.sync().await.unwrap_err();
    assert!(matches!(err, Error::InvalidResponse { .. }), "{err:?}");
    assert_eq!(s.client.channel_list(&team_id).await.unwrap(), list);

    // A new post, but its page fails: the timeline must not claim it is
    // complete, and the next sync fetches the post.
    s.server.post_as(&teacher, &channel_id, "Nach dem Fehler");
    s.server.faults().fail_next(
        "GET",
        &format!("/api/v4/channels/{channel_id}/posts"),
        1,
        500,
    );
    assert!(s.client.sync().await.is_err());
    let stale = s.client.timeline(&channel_id, 100).await.unwrap();
    assert_eq!(stale.posts, window.posts);
    assert!(
        stale.newer_missing,
        "the channel moved on; the cache knows it"
    );
    s.client.sync().await.unwrap();
    let fresh = s.client.timeline(&channel_id, 100).await.unwrap();
    assert_eq!(fresh.posts.last().unwrap().message, "Nach dem Fehler");
    assert!(!fresh.newer_missing);
}

#[tokio::test]
async fn sync_progress_walks_the_stages_and_counts_every_channel_fetched() {
    let s = signed_in_student().await;
    let mut progress = s.client.sync_progress();
    assert_eq!(progress.borrow().stage, SyncStage::Idle);
    let watcher = tokio::spawn(async move {
        let mut seen = Vec::new();
        while progress.changed().await.is_ok() {
            let now = *progress.borrow_and_update();
            seen.push(now);
            if now.stage == SyncStage::Idle {
                break;
            }
        }
        seen
    });
    let report = s.client.sync().await.unwrap();
    let seen = tokio::time::timeout(std::time::Duration::from_secs(10), watcher)
        .await
        .expect("the progress ends idle")
        .unwrap();

    assert_eq!(seen.last().map(|p| p.stage), Some(SyncStage::Idle));
    let stages: Vec<SyncStage> = seen.iter().map(|p| p.stage).collect();
    // A watch keeps only the newest value, so a fast stage may be skipped,
    // but the order never goes back and the end is always reported.
    let rank = |stage: &SyncStage| match stage {
        SyncStage::Listing => 0,
        SyncStage::ChannelList => 1,
        SyncStage::Posts => 2,
        SyncStage::Authors => 3,
        SyncStage::Idle => 4,
    };
    assert!(
        stages.windows(2).all(|w| rank(&w[0]) <= rank(&w[1])),
        "{stages:?}"
    );
    assert!(seen
        .iter()
        .all(|p| p.stage == SyncStage::Idle || p.kind == Some(SyncKind::Full)));
    let posts = seen
        .iter()
        .rfind(|p| p.stage == SyncStage::Posts)
        .expect("the posts stage is reported");
    assert!(posts.channels_to_fetch > 0);
    assert!(posts.channels_fetched <= posts.channels_to_fetch);
    // Besides the unread channels counted here, the focused channel's page
    // came in round 2.
    assert!(report.channels_with_posts_fetched.len() >= posts.channels_to_fetch as usize);
    let fractions: Vec<f32> = seen.iter().map(|p| p.fraction()).collect();
    assert!(
        fractions[..fractions.len() - 1]
            .windows(2)
            .all(|w| w[0] <= w[1]),
        "{fractions:?}"
    );
}

#[tokio::test]
async fn a_failed_sync_leaves_the_progress_idle() {
    let s = signed_in_student().await;
    s.server.faults().set_down(true);
    assert!(s.client.sync().await.is_err());
    assert_eq!(*s.client.sync_progress().borrow(), SyncProgress::default());
}

/// After a sync only unread channels have posts cached; the prefetch adds
/// the newest page of the channels the student is likely to open (here one
/// just viewed on another device), bounded, once, and they read offline.
#[tokio::test]
async fn prefetch_makes_likely_channels_read_offline() {
    let s = signed_in_student().await;
    s.client.sync().await.unwrap();
    let store = s.client.store().unwrap();
    let uncached = |store: pausenhof_core::store::Store| async move {
        store
            .read(|c| {
                let mut stmt = c.prepare(
                    "SELECT c.id FROM channels c
                     WHERE c.last_post_at > 0 AND c.delete_at = 0
                       AND NOT EXISTS (SELECT 1 FROM timeline_ranges r WHERE r.channel_id = c.id)
                     ORDER BY c.id",
                )?;
                let ids = stmt.query_map([], |r| r.get::<_, String>(0))?;
                Ok(ids.collect::<Result<Vec<_>, _>>()?)
            })
            .await
            .unwrap()
    };
    let before = uncached(store.clone()).await;
    let viewed = before
        .last()
        .expect("a read channel with nothing cached")
        .clone();
    assert!(s
        .client
        .timeline(&viewed, 30)
        .await
        .unwrap()
        .posts
        .is_empty());
    s.client.mark_channel_viewed(&viewed).await.unwrap();

    let report = s.client.prefetch_for_offline().await.unwrap();
    assert!(report.channels_fetched.contains(&viewed), "{report:?}");
    assert!(report.channels_fetched.len() <= pausenhof_core::sync::PREFETCH_LIMIT);
    assert_eq!(report.channels_failed, 0);
    let after = uncached(store.clone()).await;
    assert_eq!(after.len(), before.len() - report.channels_fetched.len());
    // Once is enough: what is cached is kept current by catch-up.
    let again = s.client.prefetch_for_offline().await.unwrap();
    assert!(again
        .channels_fetched
        .iter()
        .all(|id| !report.channels_fetched.contains(id)));

    let window = s.client.timeline(&viewed, 30).await.unwrap();
    s.server.stop().await;
    assert!(!window.posts.is_empty());
    assert_eq!(s.client.timeline(&viewed, 30).await.unwrap(), window);
    assert!(
        window.posts.iter().all(|p| !p.author_name.is_empty()),
        "authors known offline"
    );
}
