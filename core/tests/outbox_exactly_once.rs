//! The outbox against the test server: uncertain sends are verified, not
//! repeated; permanent errors end in `failed` (retry or discard); queued
//! posts can be edited in place; the local echo shows at once.

mod common;

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use common::*;
use pausenhof_core::api::posts::{channel_posts, PostsPage};
use pausenhof_core::api::ApiClient;
use pausenhof_core::outbox::{self, Outbox, OutboxConfig, SendState};
use pausenhof_core::store::Store;
use pausenhof_testserver::{Role, ServerConfig, TestServer};
use tokio::sync::Notify;

const DEDUPE_WINDOW: Duration = Duration::from_millis(300);

struct Setup {
    server: TestServer,
    session: Session,
    store: Store,
    outbox: Outbox<ApiClient>,
    task: tokio::task::JoinHandle<()>,
    channel: String,
    _dir: tempfile::TempDir,
}

impl Drop for Setup {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn setup() -> Setup {
    let server = TestServer::start(ServerConfig {
        dedupe_window: DEDUPE_WINDOW,
        ..ServerConfig::default()
    })
    .await
    .unwrap();
    let me = server.account(Role::Student);
    let session = sign_in(&server, &me, limits(Duration::from_secs(2))).await;
    let channel = pausenhof_core::api::channels::my_channels(&session.api, 0, false)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.delete_at == 0)
        .unwrap()
        .id;
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(dir.path(), &session.user_id);
    let (outbox, task) = Outbox::start(
        Arc::new(session.api.clone()),
        store.clone(),
        session.user_id.clone(),
        OutboxConfig {
            backoff: fast_backoff(),
            // Well past the dedupe window: a blind resend would duplicate.
            settle: DEDUPE_WINDOW * 3,
            verify_margin: Duration::from_secs(60),
        },
        None,
        Arc::new(Notify::new()),
    );
    Setup {
        server,
        session,
        store,
        outbox,
        task,
        channel,
        _dir: dir,
    }
}

async fn drained(outbox: &Outbox<ApiClient>) {
    within(Duration::from_secs(30), async {
        while !outbox.entries().await.unwrap().is_empty() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
}

/// Every post the server holds in the test channel, deleted ones included.
async fn on_server(s: &Setup) -> Vec<pausenhof_core::model::Post> {
    channel_posts(
        &s.session.api,
        &s.channel,
        &PostsPage::Since { since: 1 },
        false,
    )
    .await
    .unwrap()
    .posts
    .into_values()
    .collect()
}

async fn server_copies(s: &Setup, message: &str) -> usize {
    on_server(s)
        .await
        .iter()
        .filter(|p| p.message == message && p.delete_at == 0)
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_whose_answer_was_lost_is_found_on_the_server_not_sent_again() {
    let s = setup().await;
    s.server.faults().drop_response_next("POST", "/posts", 1);
    let key = s
        .outbox
        .send_post(&s.channel, "", "Antwort ging verloren", Vec::new())
        .await
        .unwrap();
    // The echo is there at once, with its state.
    let k = key.clone();
    let echo: i64 = s
        .store
        .read(move |c| {
            Ok(
                c.query_row("SELECT count(*) FROM posts WHERE id = ?1", [&k], |r| {
                    r.get(0)
                })?,
            )
        })
        .await
        .unwrap();
    assert_eq!(echo, 1);
    drained(&s.outbox).await;
    assert_eq!(server_copies(&s, "Antwort ging verloren").await, 1);
    let c = s.outbox.counters();
    assert_eq!(c.uncertain.load(Ordering::SeqCst), 1);
    assert_eq!(c.found_on_server.load(Ordering::SeqCst), 1);
    let k = key.clone();
    let (echoes, real): (i64, i64) = s
        .store
        .read(move |c| {
            Ok((
                c.query_row("SELECT count(*) FROM posts WHERE id = ?1", [&k], |r| {
                    r.get(0)
                })?,
                c.query_row(
                    "SELECT count(*) FROM posts WHERE message = 'Antwort ging verloren'",
                    [],
                    |r| r.get(0),
                )?,
            ))
        })
        .await
        .unwrap();
    assert_eq!((echoes, real), (0, 1), "the server copy replaced the echo");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_post_fails_and_can_be_retried_or_discarded() {
    let s = setup().await;
    s.server.faults().fail_next("POST", "/posts", 1, 403);
    let key = s
        .outbox
        .send_post(&s.channel, "", "erst verboten", Vec::new())
        .await
        .unwrap();
    within(Duration::from_secs(10), async {
        loop {
            let entries = s.outbox.entries().await.unwrap();
            if matches!(
                entries.first().map(|e| &e.state),
                Some(SendState::Failed { .. })
            ) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    s.outbox.retry(&key).await.unwrap();
    drained(&s.outbox).await;
    assert_eq!(server_copies(&s, "erst verboten").await, 1);

    s.server.faults().fail_next("POST", "/posts", 1, 403);
    let key = s
        .outbox
        .send_post(&s.channel, "", "verworfen", Vec::new())
        .await
        .unwrap();
    within(Duration::from_secs(10), async {
        while s
            .outbox
            .entries()
            .await
            .unwrap()
            .iter()
            .all(|e| e.state == SendState::Queued || e.state == SendState::Sending)
        {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(s.outbox.discard(&key).await.unwrap());
    assert!(s.outbox.entries().await.unwrap().is_empty());
    assert_eq!(server_copies(&s, "verworfen").await, 0);
    let k = key.clone();
    let echo: i64 = s
        .store
        .read(move |c| {
            Ok(
                c.query_row("SELECT count(*) FROM posts WHERE id = ?1", [&k], |r| {
                    r.get(0)
                })?,
            )
        })
        .await
        .unwrap();
    assert_eq!(echo, 0, "the echo went with it");
}

/// Waits until the entry of `key` is failed after more than `attempts` attempts.
async fn failed_after(outbox: &Outbox<ApiClient>, key: &str, attempts: i64) -> outbox::Entry {
    within(Duration::from_secs(10), async {
        loop {
            let entry = outbox
                .entries()
                .await
                .unwrap()
                .into_iter()
                .find(|e| e.client_key == key)
                .expect("the entry stays until discarded");
            if matches!(entry.state, SendState::Failed { .. }) && entry.attempts > attempts {
                return entry;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_refused_for_a_channel_it_cannot_reach_is_retried_and_discarded_not_verified_forever(
) {
    // Verifying a refused attempt would ask the same inaccessible channel
    // and never settle; a refusal proves the attempt did nothing.
    let s = setup().await;
    let key = s
        .outbox
        .send_post("zzzzzzzzzzzzzzzzzzzzzzzzzz", "", "nirgendwohin", Vec::new())
        .await
        .unwrap();
    let failed = failed_after(&s.outbox, &key, 0).await;
    assert!(!failed.maybe_sent, "a refused attempt is not uncertain");
    s.outbox.retry(&key).await.unwrap();
    let again = failed_after(&s.outbox, &key, failed.attempts).await;
    assert!(!again.maybe_sent);
    assert!(s.outbox.discard(&key).await.unwrap());
    assert!(s.outbox.entries().await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_posts_are_edited_in_place_and_sent_in_order_when_the_server_returns() {
    let s = setup().await;
    s.server.faults().set_down(true);
    let first = s
        .outbox
        .send_post(&s.channel, "", "eins (tippfehler)", Vec::new())
        .await
        .unwrap();
    s.outbox
        .send_post(&s.channel, "", "zwei", Vec::new())
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    s.outbox.edit_post(&first, "eins").await.unwrap();
    s.server.faults().set_down(false);
    s.outbox.flush();
    drained(&s.outbox).await;
    let posts = on_server(&s).await;
    let mut mine: Vec<_> = posts
        .iter()
        .filter(|p| p.user_id == s.session.user_id)
        .collect();
    mine.sort_by_key(|p| p.create_at);
    let messages: Vec<&str> = mine.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(messages, ["eins", "zwei"]);
    assert!(
        mine.iter().all(|p| p.edit_at == 0),
        "edited before it was sent"
    );
}

/// Found by the kill test: a reply to a post still in the outbox named the
/// echo's client key as its root, and the server refused it, losing an
/// acknowledged send.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_to_a_post_still_in_the_outbox_goes_to_its_server_copy() {
    let s = setup().await;
    s.server.faults().set_down(true);
    let root = s
        .outbox
        .send_post(&s.channel, "", "Frage", Vec::new())
        .await
        .unwrap();
    s.outbox
        .send_post(&s.channel, &root, "Antwort", Vec::new())
        .await
        .unwrap();
    s.server.faults().set_down(false);
    s.outbox.flush();
    drained(&s.outbox).await;
    let posts = on_server(&s).await;
    let find = |message: &str| {
        posts
            .iter()
            .find(|p| p.message == message && p.user_id == s.session.user_id)
            .unwrap_or_else(|| panic!("{message} is not on the server"))
            .clone()
    };
    let (question, answer) = (find("Frage"), find("Antwort"));
    assert_eq!(answer.root_id, question.id);
}

/// Found by the kill test: a reaction to a post still in the outbox stayed
/// queued after the post was deleted unsent, and then failed ("the post was
/// never sent"). Deleting the unsent post takes what was queued for it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_an_unsent_post_drops_the_reactions_queued_for_it() {
    let s = setup().await;
    s.server.faults().set_down(true);
    let post = s
        .outbox
        .send_post(&s.channel, "", "doch nicht", Vec::new())
        .await
        .unwrap();
    s.outbox.add_reaction(&post, "+1").await.unwrap();
    assert_eq!(s.outbox.entries().await.unwrap().len(), 2);
    s.outbox.delete_post(&post).await.unwrap();
    // Usually nothing is left. If the worker was trying to send the post
    // just then, the post may have reached the server: a delete is queued
    // after it instead. Either way no reaction may be left to fail, and
    // `drained` waits for an empty outbox (a failed entry stays).
    s.server.faults().set_down(false);
    s.outbox.flush();
    drained(&s.outbox).await;
    assert_eq!(server_copies(&s, "doch nicht").await, 0);
}

/// Found by the Kotlin call-order test: a post sent into a channel whose
/// timeline was never loaded was confirmed, but did not show until the
/// websocket's copy of it arrived (there was none here at all).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_confirmed_post_shows_in_a_channel_never_loaded() {
    let s = setup().await;
    let key = s
        .outbox
        .send_post(&s.channel, "", "Erste Nachricht hier", Vec::new())
        .await
        .unwrap();
    drained(&s.outbox).await;
    let channel = s.channel.clone();
    let window = s
        .store
        .read(move |c| pausenhof_core::reads::timeline(c, &channel, 50, None))
        .await
        .unwrap();
    assert!(
        window
            .posts
            .iter()
            .any(|p| p.message == "Erste Nachricht hier" && p.id != key),
        "{window:?}"
    );
}
