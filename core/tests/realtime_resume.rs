//! The websocket against the test server: a short drop is resumed from the
//! server's dead queue (missed events replayed, no REST), and typing and
//! statuses arrive in memory.

mod common;

use std::time::Duration;

use common::*;
use pausenhof_core::realtime::{ConnectionState, LifecycleInput, OfflineReason, TypingPlace};
use pausenhof_testserver::{Role, ServerConfig, TestServer};

/// A channel of `session`'s user and another account that can post there.
pub async fn shared_channel(server: &TestServer, session: &Session) -> (String, String) {
    let teams = pausenhof_core::api::teams::my_teams(&session.api)
        .await
        .expect("teams");
    let team = &teams[0];
    let channel = server
        .channel_by_name(&team.name, "town-square")
        .expect("town-square");
    let channel_id = channel["id"].as_str().expect("channel id").to_owned();
    let other = server
        .accounts()
        .into_iter()
        .filter(|a| a.user_id != session.user_id && a.mfa_secret.is_none())
        .find(|a| {
            server
                .try_post_as(&a.user_id, &channel_id, "Guten Morgen")
                .is_ok()
        })
        .expect("another member");
    (channel_id, other.user_id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_drop_is_resumed_and_missed_events_are_replayed_without_rest() {
    let server = TestServer::start(ServerConfig::default()).await.unwrap();
    let me = server.account(Role::Student);
    let session = sign_in(&server, &me, limits(Duration::from_secs(5))).await;
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(dir.path(), &session.user_id);
    let (channel_id, other) = shared_channel(&server, &session).await;

    let live = start_realtime(&session, &store, no_catch_up(), |_| {});
    live.wait_connected().await;
    // The first hello is a new connection: its catch-up runs in the
    // background. Wait for it, so it is not counted as one the drop caused.
    within(Duration::from_secs(20), async {
        while live.catch_ups() == 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    let first = server.post_as(&other, &channel_id, "vor dem Tunnel");
    let first_id = first["id"].as_str().unwrap().to_owned();
    eventually(&store, "first post", move |c| {
        count(
            c,
            &format!("SELECT count(*) FROM posts WHERE id = '{first_id}'"),
        ) == 1
    })
    .await;
    let catch_ups_before = live.catch_ups();
    let connects_before = live
        .handle
        .counters()
        .connects
        .load(std::sync::atomic::Ordering::SeqCst);

    // The tunnel: the socket dies, three posts happen meanwhile.
    server.faults().set_down(true);
    live.handle
        .wait_for(|s| matches!(s, ConnectionState::WaitingToReconnect { .. }))
        .await;
    server.reset_request_log();
    let mut missed = Vec::new();
    for n in 0..3 {
        let post = server.post_as(&other, &channel_id, &format!("im Tunnel {n}"));
        missed.push(post["id"].as_str().unwrap().to_owned());
    }
    server.faults().set_down(false);

    let ids = missed.clone();
    eventually(&store, "missed posts replayed", move |c| {
        ids.iter()
            .all(|id| count(c, &format!("SELECT count(*) FROM posts WHERE id = '{id}'")) == 1)
    })
    .await;
    live.wait_connected().await;
    assert!(
        live.handle
            .counters()
            .connects
            .load(std::sync::atomic::Ordering::SeqCst)
            > connects_before,
        "a new socket was opened"
    );
    assert_eq!(
        live.catch_ups(),
        catch_ups_before,
        "resume needs no catch-up"
    );
    assert_eq!(
        live.handle
            .counters()
            .new_connections
            .load(std::sync::atomic::Ordering::SeqCst),
        1,
        "only the first connection said hello"
    );
    let rest: Vec<_> = server
        .request_log()
        .into_iter()
        .filter(|r| !r.path.ends_with("/websocket"))
        .collect();
    assert!(rest.is_empty(), "no REST requests during resume: {rest:?}");
    // The resume point survives in the store for a restarted process.
    let (resume, owed) = store
        .read(pausenhof_core::realtime::read_resume_point)
        .await
        .unwrap();
    assert!(resume.unwrap().next_seq > 4);
    assert!(!owed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_process_resumes_from_the_stored_point() {
    let server = TestServer::start(ServerConfig::default()).await.unwrap();
    let me = server.account(Role::Student);
    let session = sign_in(&server, &me, limits(Duration::from_secs(5))).await;
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(dir.path(), &session.user_id);
    let (channel_id, other) = shared_channel(&server, &session).await;

    let live = start_realtime(&session, &store, no_catch_up(), |_| {});
    live.wait_connected().await;
    let post = server.post_as(&other, &channel_id, "eins");
    let id = post["id"].as_str().unwrap().to_owned();
    eventually(&store, "first post", move |c| {
        count(c, &format!("SELECT count(*) FROM posts WHERE id = '{id}'")) == 1
    })
    .await;
    // The process dies; events keep happening.
    drop(live);
    let missed = server.post_as(&other, &channel_id, "zwei");
    let missed_id = missed["id"].as_str().unwrap().to_owned();

    let store = open_store(dir.path(), &session.user_id);
    let live = start_realtime(&session, &store, no_catch_up(), |_| {});
    eventually(&store, "missed post after restart", move |c| {
        count(
            c,
            &format!("SELECT count(*) FROM posts WHERE id = '{missed_id}'"),
        ) == 1
    })
    .await;
    assert_eq!(live.catch_ups(), 0, "resumed, nothing lost");
    assert_eq!(
        live.handle
            .counters()
            .new_connections
            .load(std::sync::atomic::Ordering::SeqCst),
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lifecycle_inputs_close_and_reopen_the_socket() {
    let server = TestServer::start(ServerConfig::default()).await.unwrap();
    let me = server.account(Role::Student);
    let session = sign_in(&server, &me, limits(Duration::from_secs(5))).await;
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(dir.path(), &session.user_id);
    let live = start_realtime(&session, &store, no_catch_up(), |c| {
        c.background_grace = Duration::from_millis(200);
    });
    live.wait_connected().await;

    live.handle.input(LifecycleInput::NetworkDown);
    within(
        Duration::from_secs(10),
        live.handle
            .wait_for(|s| *s == ConnectionState::Offline(OfflineReason::NoNetwork)),
    )
    .await;
    within(Duration::from_secs(10), async {
        while server.websocket_count() > 0 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    // No spinning while offline: nothing is attempted.
    let connects = live
        .handle
        .counters()
        .connects
        .load(std::sync::atomic::Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        live.handle
            .counters()
            .connects
            .load(std::sync::atomic::Ordering::SeqCst),
        connects
    );
    live.handle.input(LifecycleInput::NetworkUp);
    live.wait_connected().await;

    live.handle.input(LifecycleInput::Background);
    within(
        Duration::from_secs(10),
        live.handle
            .wait_for(|s| *s == ConnectionState::Offline(OfflineReason::Background)),
    )
    .await;
    live.handle.input(LifecycleInput::Foreground);
    live.wait_connected().await;

    live.handle
        .input(LifecycleInput::KeepBackgroundConnection(true));
    live.handle.input(LifecycleInput::Background);
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(live.handle.current_state(), ConnectionState::Connected);

    live.handle.input(LifecycleInput::Shutdown);
    within(
        Duration::from_secs(10),
        live.handle.wait_for(|s| *s == ConnectionState::Stopped),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typing_and_statuses_arrive_in_memory_and_expired_sessions_stop_reconnecting() {
    let server = TestServer::start(ServerConfig::default()).await.unwrap();
    let me = server.account(Role::Student);
    let session = sign_in(&server, &me, limits(Duration::from_secs(5))).await;
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(dir.path(), &session.user_id);
    let (channel_id, other) = shared_channel(&server, &session).await;
    let live = start_realtime(&session, &store, no_catch_up(), |_| {});
    live.wait_connected().await;

    // The other user types, via their own socket.
    let other_account = server
        .accounts()
        .into_iter()
        .find(|a| a.user_id == other)
        .unwrap();
    let other_session = sign_in(&server, &other_account, limits(Duration::from_secs(5))).await;
    let other_dir = tempfile::tempdir().unwrap();
    let other_store = open_store(other_dir.path(), &other_session.user_id);
    let other_live = start_realtime(&other_session, &other_store, no_catch_up(), |_| {});
    other_live.wait_connected().await;
    let place = TypingPlace {
        channel_id: channel_id.clone(),
        parent_id: String::new(),
    };
    other_live.handle.user_typing(&channel_id, "");
    // Throttled: a burst of keystrokes sends no more actions.
    for _ in 0..5 {
        other_live.handle.user_typing(&channel_id, "");
    }
    within(Duration::from_secs(10), async {
        while live.typing.typing_at(&place, std::time::Instant::now()) != [other.clone()] {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;

    // Mattermost tells a user's own sockets about their status changes.
    server.set_status(&session.user_id, "dnd");
    within(Duration::from_secs(10), async {
        while live.statuses.get(&session.user_id).as_deref() != Some("dnd") {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;

    server.expire_sessions(&session.user_id);
    server.faults().drop_websockets();
    within(
        Duration::from_secs(10),
        live.handle
            .wait_for(|s| *s == ConnectionState::SessionExpired),
    )
    .await;
}
