//! Shared setup for the realtime, outbox and soak tests: sign in to the
//! test server over the real REST layer, open a store, start the pieces.
#![allow(dead_code)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use pausenhof_core::api::users::{login, LoginRequest};
use pausenhof_core::api::ApiClient;
use pausenhof_core::net::http::build_http_client;
use pausenhof_core::net::{build_tls_configs, HttpLimits, ServerUrl};
use pausenhof_core::realtime::{
    spawn, BackoffPolicy, CatchUpFn, ConnectionState, RealtimeConfig, RealtimeHandle, Statuses,
    StoreSink, TypingTracker,
};
use pausenhof_core::session::{SessionState, SessionToken};
use pausenhof_core::store::{AccountKey, OpenCheck, Store};
use pausenhof_testserver::{Account, TestServer};
use tokio::sync::{watch, Notify};

pub struct Session {
    pub api: ApiClient,
    pub user_id: String,
    pub token: SessionToken,
    pub url: String,
}

pub fn limits(request_timeout: Duration) -> HttpLimits {
    HttpLimits {
        connect_timeout: Duration::from_secs(2),
        request_timeout,
        ..HttpLimits::default()
    }
}

pub async fn sign_in(server: &TestServer, account: &Account, limits: HttpLimits) -> Session {
    let url = ServerUrl::parse(&server.url()).expect("server url");
    let tls = build_tls_configs(&[]).expect("tls");
    let http = build_http_client(&tls, &limits).expect("http client");
    let anonymous = ApiClient::new(url.clone(), http.clone(), limits.clone());
    let (user, token) = login(
        &anonymous,
        &LoginRequest {
            login_id: &account.username,
            password: &account.password,
            token: "",
            device_id: "",
        },
    )
    .await
    .expect("login");
    let (state, _) = watch::channel(SessionState::SignedIn {
        user_id: user.id.clone(),
    });
    let api = ApiClient::with_session(
        url,
        http,
        limits,
        token.clone(),
        user.id.clone(),
        Arc::new(state),
    );
    Session {
        api,
        user_id: user.id,
        token,
        url: server.url(),
    }
}

/// An account's store in `dir`, recording who is signed in.
pub fn open_store(dir: &std::path::Path, user_id: &str) -> Store {
    let store = Store::open_blocking(dir.join("account.sqlite"), OpenCheck::Header).expect("store");
    let user = user_id.to_owned();
    store
        .write_blocking(move |w| w.set_account_value(AccountKey::UserId, &user))
        .expect("account");
    store
}

pub fn fast_backoff() -> BackoffPolicy {
    BackoffPolicy {
        base: Duration::from_millis(50),
        cap: Duration::from_millis(500),
        stable_after: Duration::from_secs(2),
    }
}

/// A running websocket for one session.
pub struct Live {
    pub handle: RealtimeHandle,
    pub task: tokio::task::JoinHandle<()>,
    pub typing: Arc<TypingTracker>,
    pub statuses: Arc<Statuses>,
    pub connected: Arc<Notify>,
    pub catch_ups: Arc<AtomicU64>,
}

impl Live {
    pub fn catch_ups(&self) -> u64 {
        self.catch_ups.load(Ordering::SeqCst)
    }

    pub async fn wait_connected(&self) {
        within(
            Duration::from_secs(20),
            self.handle.wait_for(|s| *s == ConnectionState::Connected),
        )
        .await;
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts the websocket; `catch_up` runs for every owed catch-up and is
/// counted.
pub fn start_realtime(
    session: &Session,
    store: &Store,
    catch_up: CatchUpFn,
    tweak: impl FnOnce(&mut RealtimeConfig),
) -> Live {
    let catch_ups = Arc::new(AtomicU64::new(0));
    let counted: CatchUpFn = {
        let catch_ups = catch_ups.clone();
        Arc::new(move || {
            catch_ups.fetch_add(1, Ordering::SeqCst);
            catch_up()
        })
    };
    let typing = Arc::new(TypingTracker::new());
    let statuses = Arc::new(Statuses::default());
    let connected = Arc::new(Notify::new());
    let sink = Arc::new(StoreSink::new(
        store.clone(),
        typing.clone(),
        statuses.clone(),
        counted,
        connected.clone(),
    ));
    let mut config = RealtimeConfig::new(
        url::Url::parse(&session.url).expect("url"),
        session.token.clone(),
    );
    config.backoff = fast_backoff();
    config.rng_seed = Some(7);
    tweak(&mut config);
    let (handle, task) = spawn(config, sink);
    Live {
        handle,
        task,
        typing,
        statuses,
        connected,
        catch_ups,
    }
}

/// A catch-up that does nothing (tests that only count them).
pub fn no_catch_up() -> CatchUpFn {
    Arc::new(|| Box::pin(async { Ok(()) }))
}

/// Fails the test instead of hanging.
pub async fn within<T>(limit: Duration, f: impl std::future::Future<Output = T>) -> T {
    match tokio::time::timeout(limit, f).await {
        Ok(v) => v,
        Err(_) => panic!("timed out after {limit:?}"),
    }
}

/// Polls `check` (a store read) until it holds.
pub async fn eventually(
    store: &Store,
    what: &str,
    check: impl Fn(&rusqlite::Connection) -> bool + Send + Sync + Clone + 'static,
) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let c = check.clone();
        let ok = store
            .read(move |conn| Ok(c(conn)))
            .await
            .expect("store read");
        if ok {
            return;
        }
        if tokio::time::Instant::now() > deadline {
            panic!("timed out waiting for: {what}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

pub fn count(conn: &rusqlite::Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).expect("count query")
}

/// A phone of `who`: a whole `Client` with its own data folder, signed in
/// and synced.
pub async fn device(
    server: &TestServer,
    who: &Account,
) -> (tempfile::TempDir, pausenhof_core::Client) {
    let dir = tempfile::tempdir().unwrap();
    let client = pausenhof_core::Client::builder(dir.path())
        .secret_store(Arc::new(pausenhof_core::session::MemorySecretStore::new()))
        .build()
        .unwrap();
    client
        .sign_in_with_password(&server.url(), &who.username, &who.password, None)
        .await
        .unwrap();
    client.sync().await.unwrap();
    (dir, client)
}

/// A [`device`] that also listens to the websocket.
pub async fn live_device(
    server: &TestServer,
    who: &Account,
) -> (tempfile::TempDir, pausenhof_core::Client) {
    let (dir, client) = device(server, who).await;
    let handle = client.start_realtime().unwrap();
    within(
        Duration::from_secs(20),
        handle.wait_for(|s| *s == ConnectionState::Connected),
    )
    .await;
    (dir, client)
}
