//! The account's store opened by two processes at once: the app, running
//! with its websocket and outbox writing, and a push handler in a process
//! of its own (iOS's notification service extension; on Android whatever
//! process the system starts for a push). Both write: the app the live
//! posts and its sends, the extension the posts it fetches. Nothing may be
//! lost, no call may fail with "database is locked", and neither side may
//! take the other's writes for damage and rebuild the cache.
//!
//! The second process is this test binary started again with
//! `PAUSENHOF_SECOND_PROCESS` set; it runs `second_process_entry` only.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;
use std::time::Duration;

use pausenhof_core::api::channels::create_direct;
use pausenhof_core::push::{Delivery, PushAction, PushDevice, PushPlatform};
use pausenhof_core::realtime::ConnectionState;
use pausenhof_core::session::{SecretStore, SecretStoreError};
use pausenhof_core::store::Store;
use pausenhof_core::Client;
use pausenhof_testserver::{Role, ServerConfig, TestServer};
use serde_json::json;

const CHILD_ENV: &str = "PAUSENHOF_SECOND_PROCESS";
const BODY_MARKER: &str = "notification-body:";

/// Secrets in a folder, one file per key, so that both processes see the
/// same token (the Keychain's app group does this on iOS).
struct FolderSecretStore {
    dir: PathBuf,
}

impl FolderSecretStore {
    fn file(&self, key: &str) -> PathBuf {
        let mut name = String::with_capacity(key.len() * 2);
        for byte in key.bytes() {
            let _ = write!(name, "{byte:02x}");
        }
        self.dir.join(name)
    }
}

impl SecretStore for FolderSecretStore {
    fn get(&self, key: &str) -> Result<Option<String>, SecretStoreError> {
        match std::fs::read_to_string(self.file(key)) {
            Ok(value) => Ok(Some(value)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(SecretStoreError::Unavailable {
                reason: e.kind().to_string(),
            }),
        }
    }

    fn set(&self, key: &str, value: &str) -> Result<(), SecretStoreError> {
        std::fs::create_dir_all(&self.dir)
            .and_then(|()| std::fs::write(self.file(key), value))
            .map_err(|e| SecretStoreError::Unavailable {
                reason: e.kind().to_string(),
            })
    }

    fn delete(&self, key: &str) -> Result<(), SecretStoreError> {
        match std::fs::remove_file(self.file(key)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(SecretStoreError::Unavailable {
                    reason: e.kind().to_string(),
                })
            }
            _ => Ok(()),
        }
    }
}

fn client(data_dir: &Path, secrets_dir: &Path) -> Client {
    Client::builder(data_dir)
        .secret_store(Arc::new(FolderSecretStore {
            dir: secrets_dir.to_path_buf(),
        }))
        .build()
        .unwrap()
}

/// What the second process does: a new Client over the shared folders,
/// each push handled as the extension does, one body printed per push.
/// In an ordinary test run (the variable unset) there is nothing to do.
#[test]
fn second_process_entry() {
    let Ok(job) = std::env::var(CHILD_ENV) else {
        return;
    };
    let job: serde_json::Value = serde_json::from_str(&job).unwrap();
    let data_dir = PathBuf::from(job["data_dir"].as_str().unwrap());
    let secrets_dir = PathBuf::from(job["secrets_dir"].as_str().unwrap());
    let payloads: Vec<Vec<u8>> = job["payloads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| serde_json::to_vec(p).unwrap())
        .collect();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client = client(&data_dir, &secrets_dir);
        client.restore().await.unwrap().expect("signed in");
        for payload in payloads {
            let outcome = client.handle_push(&payload).await.unwrap();
            let PushAction::Show { notification } = outcome.action else {
                panic!("expected a notification, got {:?}", outcome.action);
            };
            println!("{BODY_MARKER}{}", notification.body);
        }
    });
}

fn start_second_process(
    data_dir: &Path,
    secrets_dir: &Path,
    payloads: &[serde_json::Value],
) -> std::process::Child {
    let job = json!({
        "data_dir": data_dir,
        "secrets_dir": secrets_dir,
        "payloads": payloads,
    });
    Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "second_process_entry",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, job.to_string())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

fn bodies(output: &Output) -> Vec<String> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        // libtest may print `test second_process_entry ... ` before the
        // first line on the same line.
        .filter_map(|line| line.split_once(BODY_MARKER))
        .map(|(_, body)| body.to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_and_a_push_process_write_the_same_store_at_once() {
    let server = TestServer::start(ServerConfig::default()).await.unwrap();
    let me = server.account(Role::Student);
    let teacher = server.account(Role::Teacher);
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let secrets_dir = dir.path().join("secrets");

    // The app: signed in, consented, registered, synced, live.
    let app = client(&data_dir, &secrets_dir);
    app.sign_in_with_password(&server.url(), &me.username, &me.password, None)
        .await
        .unwrap();
    app.grant_push_consent(Delivery::PlatformPush, "v1")
        .await
        .unwrap();
    app.register_push_device(PushDevice {
        delivery: Delivery::PlatformPush,
        platform: PushPlatform::Apple,
        token: "apns-token".into(),
    })
    .await
    .unwrap();
    let dm = create_direct(&app.api().unwrap(), &me.user_id, &teacher.user_id)
        .await
        .unwrap()
        .id;
    app.sync().await.unwrap();

    // Posts the app has not seen when the extensions start: each extension
    // fetches them and writes them into the store.
    let pushed: Vec<serde_json::Value> = (0..8)
        .map(|i| {
            server.post_as(
                &teacher.user_id,
                &dm,
                &format!("Hausaufgabe {i} für morgen"),
            )
        })
        .collect();
    let payloads: Vec<serde_json::Value> = pushed
        .iter()
        .map(|post| {
            json!({
                "type": "message",
                "post_id": post["id"],
                "channel_id": post["channel_id"],
            })
        })
        .collect();

    // The app goes live after they were posted: its websocket does not
    // bring them, the second processes fetch them.
    let _live = app.start_realtime().unwrap();
    let mut state = app.connection_state().unwrap();
    tokio::time::timeout(
        Duration::from_secs(20),
        state.wait_for(|s| *s == ConnectionState::Connected),
    )
    .await
    .unwrap()
    .unwrap();

    let children: Vec<_> = (0..2)
        .map(|_| start_second_process(&data_dir, &secrets_dir, &payloads))
        .collect();

    // Meanwhile the app keeps writing: live posts from the websocket and
    // its own sends through the outbox.
    for i in 0..10 {
        server.post_as(&teacher.user_id, &dm, &format!("live {i}"));
        app.send_post(&dm, "", &format!("Antwort {i}"))
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(15)).await;
    }

    let outputs = tokio::task::spawn_blocking(move || {
        children
            .into_iter()
            .map(|child| child.wait_with_output().unwrap())
            .collect::<Vec<_>>()
    })
    .await
    .unwrap();
    let expected: Vec<String> = (0..8)
        .map(|i| format!("Hausaufgabe {i} für morgen"))
        .collect();
    for output in &outputs {
        assert!(
            output.status.success(),
            "the second process failed: {}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(bodies(output), expected);
    }

    // Every write of both sides is there once the app's sends are out: the
    // live posts and the replies in the app's timeline, the pushed posts
    // (fetched by the second processes) in the cache.
    let store = app.store().unwrap();
    let pushed_ids: Vec<String> = pushed
        .iter()
        .map(|post| post["id"].as_str().unwrap().to_owned())
        .collect();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let window = app.timeline(&dm, 200).await.unwrap();
        let mut messages: BTreeMap<String, usize> = BTreeMap::new();
        for post in &window.posts {
            *messages.entry(post.message.clone()).or_default() += 1;
        }
        let all_there = (0..10)
            .map(|i| format!("live {i}"))
            .chain((0..10).map(|i| format!("Antwort {i}")))
            .all(|m| messages.get(&m) == Some(&1));
        let pending = app.pending_sends().await.unwrap();
        if all_there && pending.is_empty() {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "missing writes: {messages:?}, pending sends: {}",
            pending.len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(cached_posts(&store, &pushed_ids).await, pushed_ids.len());
    assert!(!store.was_rebuilt(), "the app's cache was rebuilt");
    store.verify().await.unwrap();

    // A fresh client over the same files afterwards (as the app's next
    // start) finds everything, and nothing was rebuilt there either.
    let later = client(&data_dir, &secrets_dir);
    later.restore().await.unwrap().expect("still signed in");
    let later_store = later.store().unwrap();
    assert!(!later_store.was_rebuilt());
    // The pushed posts join the timeline only when the app's websocket saw
    // them too; the live posts and replies always do.
    let shown: Vec<String> = later
        .timeline(&dm, 200)
        .await
        .unwrap()
        .posts
        .into_iter()
        .map(|post| post.message)
        .collect();
    for i in 0..10 {
        assert!(shown.contains(&format!("live {i}")), "{shown:?}");
        assert!(shown.contains(&format!("Antwort {i}")), "{shown:?}");
    }
    assert_eq!(
        cached_posts(&later_store, &pushed_ids).await,
        pushed_ids.len()
    );
}

/// How many of these posts the cache holds.
async fn cached_posts(store: &Store, ids: &[String]) -> usize {
    let ids = ids.to_vec();
    store
        .read(move |conn| {
            let mut found = 0;
            for id in &ids {
                found += conn.query_row("SELECT count(*) FROM posts WHERE id = ?1", [id], |r| {
                    r.get::<_, i64>(0)
                })?;
            }
            Ok(usize::try_from(found).unwrap_or(0))
        })
        .await
        .unwrap()
}
