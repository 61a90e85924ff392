//! Calls in the orders an app really makes them: synchronous calls from a
//! thread with no runtime, before and after `start_realtime`, a sign-out
//! cut off by cancellation or by a killed process, and a slow secret store.
//! Each fault here broke the client for good before it was fixed.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use pausenhof_core::api::posts::{channel_posts, PostsPage};
use pausenhof_core::api::ApiClient;
use pausenhof_core::session::{MemorySecretStore, SecretStore, SecretStoreError, SessionState};
use pausenhof_core::{Client, Error};
use pausenhof_testserver::{Role, ServerConfig, TestServer};

fn client(data_dir: &std::path::Path, secrets: Arc<dyn SecretStore>) -> Client {
    Client::builder(data_dir)
        .secret_store(secrets)
        .request_timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

/// Waits until the server has `text` in the channel, exactly once.
async fn posted(api: &ApiClient, channel_id: &str, text: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let page = PostsPage::Since { since: 0 };
        let posts = channel_posts(api, channel_id, &page, false).await.unwrap();
        let copies = posts.posts.values().filter(|p| p.message == text).count();
        assert!(copies <= 1, "posted twice: {text}");
        if copies == 1 {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "never posted: {text}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// `user_status` from a UI thread before `start_realtime` once spawned a
/// task there (no runtime: panic) while holding the live lock, and every
/// later send failed with "realtime lock poisoned".
#[test]
fn synchronous_calls_before_start_neither_panic_nor_break_sending() {
    let test_runtime = tokio::runtime::Runtime::new().unwrap();
    let server = test_runtime
        .block_on(TestServer::start(ServerConfig::default()))
        .unwrap();
    let student = server.account(Role::Student);
    let dir = tempfile::tempdir().unwrap();
    // Built outside any runtime, as the app does: the client uses its own.
    let client = client(dir.path(), Arc::new(MemorySecretStore::new()));
    let core = pausenhof_core::runtime::shared();
    core.block_on(client.sign_in_with_password(
        &server.url(),
        &student.username,
        &student.password,
        None,
    ))
    .unwrap();
    let town_square = server.channel_by_name("gsm", "town-square").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Plain threads, no tokio context, nothing started yet.
    std::thread::scope(|scope| {
        scope.spawn(|| {
            assert_eq!(client.user_status(&student.user_id), Ok(None));
            assert_eq!(client.typing_users(&town_square, ""), Ok(vec![]));
            assert_eq!(client.user_typing(&town_square, ""), Ok(()));
            assert_eq!(
                client
                    .lifecycle(pausenhof_core::realtime::LifecycleInput::Foreground)
                    .map(|_| ()),
                Ok(())
            );
            assert_eq!(client.connection_state().unwrap_err(), Error::NotStarted);
            assert_eq!(client.typing_changes().unwrap_err(), Error::NotStarted);
            assert_eq!(
                client.background_notifications().err(),
                Some(Error::NotStarted)
            );
        });
    });

    // Queued before the start: durable, and sent once the worker runs.
    let early = core
        .block_on(client.send_post(&town_square, "", "vor dem Start"))
        .unwrap();
    assert!(!early.is_empty());
    std::thread::scope(|scope| {
        scope.spawn(|| client.start_realtime().unwrap());
    });
    let api = client.api().unwrap();
    core.block_on(posted(&api, &town_square, "vor dem Start"));
    core.block_on(client.send_post(&town_square, "", "nach dem Start"))
        .unwrap();
    core.block_on(posted(&api, &town_square, "nach dem Start"));
    std::thread::scope(|scope| {
        scope.spawn(|| {
            assert_eq!(client.user_typing(&town_square, ""), Ok(()));
            assert!(client.connection_state().is_ok());
        });
    });
    client.stop_realtime();
    assert_eq!(client.connection_state().unwrap_err(), Error::NotStarted);
    core.block_on(client.sign_out()).unwrap();
}

/// A sign-out whose caller gives up during the server call (a cancelled
/// coroutine) once left the session signed in with no account, and the
/// next start restored it with token and data.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_sign_out_still_erases_everything() {
    let server = TestServer::start(ServerConfig::default()).await.unwrap();
    let student = server.account(Role::Student);
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemorySecretStore::new());
    let first = client(dir.path(), secrets.clone());
    first
        .sign_in_with_password(&server.url(), &student.username, &student.password, None)
        .await
        .unwrap();
    first.sync().await.unwrap();
    let account_dir = first.account_dir().unwrap();
    assert!(account_dir.exists());
    let api = first.api().unwrap();
    // Every request now hangs far longer than the caller waits.
    server.faults().set_latency(Duration::from_secs(3));
    let mut state = first.session_state();
    let cut_off = tokio::time::timeout(Duration::from_millis(300), first.sign_out()).await;
    assert!(cut_off.is_err(), "the sign-out should still be waiting");
    // Signed out here at once, whatever the server does.
    tokio::time::timeout(
        Duration::from_secs(5),
        state.wait_for(|s| *s == SessionState::SignedOut),
    )
    .await
    .unwrap()
    .unwrap();
    assert!(!account_dir.exists());
    assert!(first.current_user().is_none());

    // A new process finds nothing to restore.
    let second = client(dir.path(), secrets.clone());
    assert_eq!(second.restore().await.unwrap(), None);
    assert!(!account_dir.exists());

    // The server is told in the end; then no secret is left.
    server.faults().set_latency(Duration::ZERO);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let ended = matches!(
            pausenhof_core::api::users::me(&api).await,
            Err(Error::SessionExpired)
        );
        if ended && secrets.is_empty() {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "session never ended"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A process killed in the middle of the local erase: the owed sign-out is
/// finished before anything is restored.
#[tokio::test]
async fn an_erase_cut_off_by_a_killed_process_is_finished_at_the_next_start() {
    let server = TestServer::start(ServerConfig::default()).await.unwrap();
    let student = server.account(Role::Student);
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemorySecretStore::new());
    let first = client(dir.path(), secrets.clone());
    first
        .sign_in_with_password(&server.url(), &student.username, &student.password, None)
        .await
        .unwrap();
    let account_dir = first.account_dir().unwrap();
    let key = account_dir
        .file_name()
        .unwrap()
        .to_string_lossy()
        .to_string();
    // What the erase writes first, and nothing after it: the kill came then.
    std::fs::write(
        dir.path().join("sign-outs.json"),
        serde_json::json!([{ "account_key": key, "server_url": server.url() }]).to_string(),
    )
    .unwrap();
    drop(first);

    let second = client(dir.path(), secrets.clone());
    assert_eq!(second.restore().await.unwrap(), None);
    assert!(!account_dir.exists());
    assert!(second.current_user().is_none());
}

/// The app's secret store (Keystore, Keychain) may block; on one of the
/// runtime's async threads it would stall everything else. This store
/// blocks until another task on the same single-threaded runtime runs,
/// which it only can if the call is off the async thread.
struct NeedsTheRuntimeFree {
    inner: MemorySecretStore,
    released: Arc<AtomicBool>,
}

impl NeedsTheRuntimeFree {
    fn wait(&self) -> Result<(), SecretStoreError> {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while !self.released.load(Ordering::SeqCst) {
            if std::time::Instant::now() > deadline {
                return Err(SecretStoreError::Unavailable {
                    reason: "called on the async thread: nothing else could run".into(),
                });
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        Ok(())
    }
}

impl SecretStore for NeedsTheRuntimeFree {
    fn get(&self, key: &str) -> Result<Option<String>, SecretStoreError> {
        self.wait()?;
        self.inner.get(key)
    }
    fn set(&self, key: &str, value: &str) -> Result<(), SecretStoreError> {
        self.wait()?;
        self.inner.set(key, value)
    }
    fn delete(&self, key: &str) -> Result<(), SecretStoreError> {
        self.wait()?;
        self.inner.delete(key)
    }
}

#[tokio::test(flavor = "current_thread")]
async fn the_secret_store_is_called_off_the_async_thread() {
    let server = TestServer::start(ServerConfig::default()).await.unwrap();
    let student = server.account(Role::Student);
    let dir = tempfile::tempdir().unwrap();
    let released = Arc::new(AtomicBool::new(false));
    let secrets = Arc::new(NeedsTheRuntimeFree {
        inner: MemorySecretStore::new(),
        released: released.clone(),
    });
    let client = client(dir.path(), secrets);
    let release = released.clone();
    let releaser = tokio::spawn(async move {
        loop {
            tokio::task::yield_now().await;
            release.store(true, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    });
    client
        .sign_in_with_password(&server.url(), &student.username, &student.password, None)
        .await
        .unwrap();
    released.store(false, Ordering::SeqCst);
    let again = Client::builder(dir.path())
        .secret_store(Arc::new(NeedsTheRuntimeFree {
            inner: MemorySecretStore::new(),
            released: released.clone(),
        }))
        .build()
        .unwrap();
    // Nothing stored in this one: restore asks and finds no token.
    assert_eq!(again.restore().await.unwrap(), None);
    client.sign_out().await.unwrap();
    releaser.abort();
}
