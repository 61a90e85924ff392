//! Soak: 1,000 posts across several channels while the test drops
//! websockets, fails and cuts requests, delays answers past the server's
//! (shortened) dedupe window, takes the server down, and kills and restarts
//! the client on the same database. The server must end with exactly the
//! 1,000 posts, each once, in per-channel order.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use common::*;
use pausenhof_core::api::posts::{channel_posts, PostsPage};
use pausenhof_core::api::ApiClient;
use pausenhof_core::outbox::{Outbox, OutboxConfig};
use pausenhof_core::store::Store;
use pausenhof_testserver::{Corruption, Role, ServerConfig, TestServer};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::sync::Notify;

const POSTS: usize = 1000;
const CHANNELS: usize = 4;
const DEDUPE_WINDOW: Duration = Duration::from_millis(400);
const REQUEST_TIMEOUT: Duration = Duration::from_millis(800);
/// Longer than the request timeout and the dedupe window: requests time
/// out on the client while the server still holds them.
const SLOW_ANSWER: Duration = Duration::from_millis(1200);

/// One client "process": websocket + outbox on the account's database.
struct Process {
    outbox: Outbox<ApiClient>,
    outbox_task: tokio::task::JoinHandle<()>,
    _live: Option<Live>,
    _store: Store,
}

impl Process {
    /// Every other process runs without a websocket, so that the server's
    /// copy of a cut-off send does not arrive as an event and the outbox
    /// has to find it by asking.
    fn start(session: &Session, dir: &std::path::Path, with_socket: bool) -> Process {
        let store = open_store(dir, &session.user_id);
        let live = with_socket.then(|| start_realtime(session, &store, no_catch_up(), |_| {}));
        let (outbox, outbox_task) = Outbox::start(
            Arc::new(session.api.clone()),
            store.clone(),
            session.user_id.clone(),
            OutboxConfig {
                backoff: fast_backoff(),
                settle: SLOW_ANSWER * 2,
                verify_margin: Duration::from_secs(60),
            },
            live.as_ref().map(|l| l.handle.state()),
            live.as_ref()
                .map(|l| l.connected.clone())
                .unwrap_or_else(|| Arc::new(Notify::new())),
        );
        Process {
            outbox,
            outbox_task,
            _live: live,
            _store: store,
        }
    }

    /// Kill -9: the tasks stop wherever they are. Returns the outbox's
    /// figures (uncertain sends, verifications, posts found on the server).
    fn kill(self) -> [u64; 3] {
        self.outbox_task.abort();
        self.figures()
    }

    fn figures(&self) -> [u64; 3] {
        let c = self.outbox.counters();
        let get = |a: &std::sync::atomic::AtomicU64| a.load(std::sync::atomic::Ordering::SeqCst);
        [
            get(&c.uncertain),
            get(&c.verifications),
            get(&c.found_on_server),
        ]
    }
}

#[derive(Default, Debug)]
struct Faults(BTreeMap<&'static str, u32>);

impl Faults {
    fn count(&mut self, name: &'static str) {
        *self.0.entry(name).or_default() += 1;
    }
    fn total(&self) -> u32 {
        self.0.values().sum()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn soak_a_thousand_posts_arrive_exactly_once_in_order_despite_faults() {
    let server = TestServer::start(ServerConfig {
        dedupe_window: DEDUPE_WINDOW,
        ..ServerConfig::default()
    })
    .await
    .unwrap();
    let me = server.account(Role::Student);
    let session = sign_in(&server, &me, limits(REQUEST_TIMEOUT)).await;
    let channels: Vec<String> = pausenhof_core::api::channels::my_channels(&session.api, 0, false)
        .await
        .unwrap()
        .into_iter()
        .filter(|c| c.delete_at == 0)
        .map(|c| c.id)
        .take(CHANNELS)
        .collect();
    assert_eq!(channels.len(), CHANNELS);
    let dir = tempfile::tempdir().unwrap();
    let mut restarts = 0u32;
    let mut process = Process::start(&session, dir.path(), true);
    let faults = server.faults();
    let mut injected = Faults::default();
    let mut rng = StdRng::seed_from_u64(2026);
    let mut figures = [0u64; 3];
    let mut add = |f: [u64; 3]| {
        for (total, f) in figures.iter_mut().zip(f) {
            *total += f;
        }
    };

    for n in 0..POSTS {
        let channel = &channels[n % CHANNELS];
        let message = format!("soak {:02} {:04}", n % CHANNELS, n / CHANNELS);
        process
            .outbox
            .send_post(channel, "", &message, Vec::new())
            .await
            .expect("queued");
        if n % 25 != 24 {
            // Let the worker make progress between bursts.
            if n % 5 == 0 {
                tokio::task::yield_now().await;
            }
            continue;
        }
        // Every kind of fault comes round in turn; the details are random.
        match (n / 25) % 9 {
            0 => {
                faults.drop_websockets();
                injected.count("websockets dropped");
            }
            1 => {
                let n = rng.random_range(1..4);
                faults.fail_next("POST", "/posts", n, 503);
                injected.count("requests failed (503)");
            }
            2 => {
                let n = rng.random_range(1..4);
                faults.drop_response_next("POST", "/posts", n);
                injected.count("responses dropped after the post was created");
            }
            3 => {
                faults.corrupt_next("POST", "/posts", 1, Corruption::Truncate);
                injected.count("responses truncated");
            }
            4 => {
                faults.set_latency(SLOW_ANSWER);
                tokio::time::sleep(SLOW_ANSWER * 2).await;
                faults.set_latency(Duration::ZERO);
                injected.count("answers delayed past the dedupe window");
            }
            5 => {
                add(process.kill());
                tokio::time::sleep(Duration::from_millis(rng.random_range(0..100))).await;
                restarts += 1;
                process = Process::start(&session, dir.path(), restarts % 2 == 1);
                injected.count("client killed and restarted");
            }
            6 => {
                faults.rate_limit("/posts", 2, 1);
                injected.count("rate limited");
            }
            7 => {
                faults.set_down(true);
                tokio::time::sleep(Duration::from_millis(300)).await;
                faults.set_down(false);
                injected.count("server down");
            }
            _ => {
                // A restart into a client without websocket whose first
                // answers are cut: no `posted` event tells it the posts
                // exist, it has to ask the server.
                add(process.kill());
                restarts += 1;
                faults.drop_response_next("POST", "/posts", 2);
                process = Process::start(&session, dir.path(), false);
                injected.count("client restarted without websocket, answers cut");
            }
        }
    }

    // Everything drains once the faults stop.
    faults.clear();
    within(Duration::from_secs(180), async {
        loop {
            let pending = process.outbox.entries().await.unwrap();
            if pending.is_empty() {
                break;
            }
            let failed: Vec<_> = pending
                .iter()
                .filter(|e| matches!(e.state, pausenhof_core::outbox::SendState::Failed { .. }))
                .collect();
            assert!(failed.is_empty(), "nothing may fail for good: {failed:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;

    // The server's view, channel by channel.
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out_of_order = 0;
    for (index, channel) in channels.iter().enumerate() {
        let list = channel_posts(&session.api, channel, &PostsPage::Since { since: 1 }, false)
            .await
            .unwrap();
        let mut ours: Vec<_> = list
            .posts
            .values()
            .filter(|p| p.user_id == session.user_id && p.message.starts_with("soak "))
            .collect();
        ours.sort_by_key(|p| (p.create_at, p.id.clone()));
        let mut last = -1i64;
        for p in &ours {
            *seen.entry(p.message.clone()).or_default() += 1;
            let prefix = format!("soak {index:02} ");
            assert!(
                p.message.starts_with(&prefix),
                "right channel: {}",
                p.message
            );
            let number: i64 = p.message[prefix.len()..].parse().unwrap();
            if number <= last {
                out_of_order += 1;
            }
            last = number;
        }
    }
    add(process.figures());
    let duplicates: usize = seen.values().filter(|n| **n > 1).map(|n| n - 1).sum();
    let lost = POSTS - seen.len();
    let on_server: usize = seen.values().sum();
    println!(
        "soak: posts queued {POSTS}, on the server {on_server}, duplicates {duplicates}, lost {lost}, \
         out of order {out_of_order}, faults injected {} {:?}; uncertain sends {}, \
         checked with the server {}, found there (resend avoided) {}",
        injected.total(),
        injected.0,
        figures[0],
        figures[1],
        figures[2]
    );
    assert_eq!(duplicates, 0, "no post twice");
    assert_eq!(lost, 0, "no post lost");
    assert_eq!(on_server, POSTS);
    assert_eq!(out_of_order, 0, "per-channel order kept");
    assert!(injected.total() >= 30, "enough faults: {injected:?}");

    // The store shows each post once, no local echo left behind.
    let store = open_store(dir.path(), &session.user_id);
    let (mine, echoes): (i64, i64) = store
        .read(|c| {
            Ok((
                c.query_row(
                    "SELECT count(*) FROM posts WHERE message LIKE 'soak %'",
                    [],
                    |r| r.get(0),
                )?,
                c.query_row(
                    "SELECT count(*) FROM posts WHERE id = json_extract(props, '$.pausenhof_client_key')",
                    [],
                    |r| r.get(0),
                )?,
            ))
        })
        .await
        .unwrap();
    assert_eq!(echoes, 0, "every local echo was replaced");
    assert_eq!(mine, POSTS as i64, "the store holds each post once");
}
