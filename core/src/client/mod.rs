//! `Client` and `ClientBuilder`: the one public entry point of the core.
//!
//! The client owns the TLS setup, the HTTP client, the secret store, the
//! runtime it spawns on, the accounts opened so far and the active one
//! (server + user: API handle, database, outbox, directory; see
//! `accounts.rs`). The files of this module add `impl Client` blocks per
//! feature; the feature modules below know nothing of `Client`.

mod accounts;
mod autocomplete;
mod background;
mod channels;
mod commands;
mod drafts;
mod files;
mod jump;
mod links;
mod live;
mod people;
mod profile;
mod push;
mod push_handle;
mod reads;
mod saved_pinned;
mod search;
mod sign_out;
mod sync;
mod teams;
mod terms;
mod threads;
mod timeline;

pub use accounts::AccountSummary;
pub use background::BackgroundNotifications;
pub use jump::{PageSide, PostJump};
pub use links::LinkDestination;
pub use profile::ProfileChanges;
pub use search::SearchResults;
pub use terms::PendingTerms;
pub use timeline::{PaginationOutcome, Timeline};

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use rustls::pki_types::CertificateDer;
use tokio::sync::watch;

use crate::api::users::{LoginRequest, NewUser, UserPatch};
use crate::api::ServerInfo;
use crate::api::{self, ApiClient};
use crate::error::{Error, Result};
use crate::live::LiveServices;
use crate::locks::{LockExt, RwLockExt};
use crate::model::User;
use crate::net::{self, HttpLimits, ServerUrl, SsoProvider, TlsConfigs};
use crate::outbox::Outbox;
use crate::session::accounts::token_secret_key;
use crate::session::sso::parse_callback;
use crate::session::{
    account_dir, account_key, AccountEntry, AccountsIndex, PendingSso, SecretStore, SessionState,
    SessionToken, SsoCallback,
};
use crate::store::Store;
use crate::sync::SyncProgress;

/// File inside an account directory with the signed-in user's profile, so
/// a restored session knows who it is without the network.
const PROFILE_FILE: &str = "profile.json";
/// The account's database inside its directory.
const DATABASE_FILE: &str = "store.sqlite";

/// Builds a [`Client`].
pub struct ClientBuilder {
    data_dir: PathBuf,
    secrets: Option<Arc<dyn SecretStore>>,
    extra_roots: Vec<CertificateDer<'static>>,
    limits: HttpLimits,
    device_id: String,
    runtime: Option<tokio::runtime::Handle>,
    locale: crate::texts::Locale,
    push_gateway: Option<url::Url>,
}

impl ClientBuilder {
    /// `data_dir` holds the accounts index and one directory per account.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        ClientBuilder {
            data_dir: data_dir.into(),
            secrets: None,
            extra_roots: Vec::new(),
            limits: HttpLimits::default(),
            device_id: String::new(),
            runtime: None,
            locale: crate::texts::Locale::default(),
            push_gateway: None,
        }
    }

    /// The language of the texts core makes for people (notifications,
    /// system posts, "message deleted"). Default: English.
    pub fn locale(mut self, locale: crate::texts::Locale) -> Self {
        self.locale = locale;
        self
    }

    /// The runtime the client spawns its background work on. Default: the
    /// runtime `build` is called on, or the core's own one outside any.
    pub fn runtime(mut self, runtime: tokio::runtime::Handle) -> Self {
        self.runtime = Some(runtime);
        self
    }

    /// Where session tokens are kept (the platform's Keystore/Keychain).
    /// The school's push gateway, when it is not served below the server
    /// address at `/pausenhof-push/` (the default).
    pub fn push_gateway(mut self, address: &str) -> Result<Self> {
        self.push_gateway = Some(crate::push::gateway::parse_gateway(address)?);
        Ok(self)
    }

    pub fn secret_store(mut self, store: Arc<dyn SecretStore>) -> Self {
        self.secrets = Some(store);
        self
    }

    /// Trusts an extra root certificate (PEM, possibly several, or DER),
    /// e.g. a school's own CA, in addition to the bundled Mozilla roots.
    pub fn add_root_certificate(mut self, data: &[u8]) -> Result<Self> {
        self.extra_roots.extend(net::parse_certificates(data)?);
        Ok(self)
    }

    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.limits.connect_timeout = timeout;
        self
    }

    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.limits.request_timeout = timeout;
        self
    }

    pub fn max_response_bytes(mut self, bytes: u64) -> Self {
        self.limits.max_response_bytes = bytes;
        self
    }

    /// All limits at once.
    pub fn limits(mut self, limits: HttpLimits) -> Self {
        self.limits = limits;
        self
    }

    /// Sent as `device_id` at login (makes a mobile session; push setup
    /// attaches the real one later).
    pub fn device_id(mut self, device_id: impl Into<String>) -> Self {
        self.device_id = device_id.into();
        self
    }

    pub fn build(self) -> Result<Client> {
        let secrets = self.secrets.ok_or_else(|| Error::InvalidInput {
            reason: "a secret store is required".into(),
        })?;
        let tls = net::build_tls_configs(&self.extra_roots)?;
        let http = net::http::build_http_client(&tls, &self.limits)?;
        let (session, _) = watch::channel(SessionState::SignedOut);
        let runtime = self
            .runtime
            .unwrap_or_else(crate::runtime::current_or_shared);
        Ok(Client {
            inner: Arc::new(ClientInner {
                runtime,
                data_dir: self.data_dir,
                secrets,
                tls,
                http,
                limits: self.limits,
                device_id: self.device_id,
                locale: self.locale,
                push_gateway: self.push_gateway,
                session: Arc::new(session),
                account: RwLock::new(None),
                open_accounts: Mutex::new(HashMap::new()),
                pending_sso: Mutex::new(None),
                sign_in_lock: tokio::sync::Mutex::new(()),
                drafts_lock: tokio::sync::Mutex::new(()),
                live: Mutex::new(None),
                push: crate::push::PushState::default(),
                sync_progress: Arc::new(watch::channel(SyncProgress::default()).0),
                prefetching: tokio::sync::Mutex::new(()),
            }),
        })
    }
}

/// The core's handle. Cheap to clone; clones share everything.
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<ClientInner>,
}

pub(crate) struct ClientInner {
    /// Where every task of this client runs (never the caller's thread).
    pub(crate) runtime: tokio::runtime::Handle,
    pub(crate) data_dir: PathBuf,
    pub(crate) secrets: Arc<dyn SecretStore>,
    pub(crate) tls: TlsConfigs,
    pub(crate) http: reqwest::Client,
    pub(crate) limits: HttpLimits,
    pub(crate) device_id: String,
    /// The language of texts core makes.
    pub(crate) locale: crate::texts::Locale,
    /// The push gateway, when not below the server address.
    pub(crate) push_gateway: Option<url::Url>,
    /// The active account's state. Every account's `ApiClient` reports
    /// to it, keyed by user id, so only the active one's 401 shows.
    pub(crate) session: Arc<watch::Sender<SessionState>>,
    /// The active account: the one the app shows and every per-account
    /// call uses.
    pub(crate) account: RwLock<Option<Arc<Account>>>,
    /// Every account opened in this process (the active one included),
    /// by account key; the others are opened when first needed.
    pub(crate) open_accounts: Mutex<HashMap<String, Arc<Account>>>,
    pub(crate) pending_sso: Mutex<Option<PendingSso>>,
    /// Sign-in, restore and logout run one at a time.
    pub(crate) sign_in_lock: tokio::sync::Mutex<()>,
    /// Drafts go to the server one upload at a time, so an older version
    /// never overtakes a newer one.
    pub(crate) drafts_lock: tokio::sync::Mutex<()>,
    pub(crate) sync_progress: Arc<watch::Sender<SyncProgress>>,
    /// Held while [`Client::prefetch_for_offline`] runs.
    pub(crate) prefetching: tokio::sync::Mutex<()>,
    /// The websocket and outbox worker of the signed-in account, once
    /// started.
    pub(crate) live: Mutex<Option<Arc<LiveServices>>>,
    /// Push registrar, serialisation of registration steps, lifecycle.
    pub(crate) push: crate::push::PushState,
}

/// A signed-in (or expired) account: everything that belongs to one
/// server + user.
pub(crate) struct Account {
    pub(crate) key: String,
    pub(crate) dir: PathBuf,
    pub(crate) server: ServerUrl,
    pub(crate) user_id: String,
    pub(crate) api: ApiClient,
    pub(crate) store: Store,
    /// Queues intents whether or not the worker runs.
    pub(crate) outbox: Outbox<ApiClient>,
    pub(crate) user: RwLock<User>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("data_dir", &self.inner.data_dir)
            .field("session", &*self.inner.session.borrow())
            .finish_non_exhaustive()
    }
}

fn storage_error(e: std::io::Error) -> Error {
    Error::Storage {
        problem: crate::error::StorageProblem::of_io(&e),
        reason: e.to_string(),
    }
}

impl Client {
    pub fn builder(data_dir: impl Into<PathBuf>) -> ClientBuilder {
        ClientBuilder::new(data_dir)
    }

    // ---- observing -------------------------------------------------------

    /// The session state now and every change (SignedOut / SignedIn /
    /// Expired). A 401 on any authenticated call turns SignedIn into Expired.
    /// The language of texts core makes (see [`ClientBuilder::locale`]).
    pub fn locale(&self) -> crate::texts::Locale {
        self.inner.locale
    }

    pub fn session_state(&self) -> watch::Receiver<SessionState> {
        self.inner.session.subscribe()
    }

    /// The signed-in user's profile as last seen.
    pub fn current_user(&self) -> Option<User> {
        let account = self.account().ok()?;
        let user = account.user.read_now().clone();
        Some(user)
    }

    /// The server of the current account.
    pub fn server_url(&self) -> Option<ServerUrl> {
        self.account().ok().map(|a| a.server.clone())
    }

    /// The schools require first and last name; true when the signed-in
    /// user lacks one (ask, then call [`Client::set_full_name`]).
    pub fn needs_full_name(&self) -> bool {
        self.current_user().is_some_and(|u| !u.has_full_name())
    }

    /// The rustls config for HTTP (Mozilla roots + extra roots, ring).
    pub fn tls_config(&self) -> Arc<rustls::ClientConfig> {
        self.inner.tls.http.clone()
    }

    /// The same trust setup with HTTP/1.1 ALPN, for the websocket.
    pub fn websocket_tls_config(&self) -> Arc<rustls::ClientConfig> {
        self.inner.tls.websocket.clone()
    }

    /// The REST handle of the current account.
    pub fn api(&self) -> Result<ApiClient> {
        Ok(self.account()?.api.clone())
    }

    /// The current account's directory (database and cached files).
    pub fn account_dir(&self) -> Option<PathBuf> {
        self.account().ok().map(|a| a.dir.clone())
    }

    pub fn data_dir(&self) -> &Path {
        &self.inner.data_dir
    }

    pub(crate) fn account(&self) -> Result<Arc<Account>> {
        self.inner
            .account
            .read_now()
            .clone()
            .ok_or(Error::Unauthorized)
    }

    /// The current account's database.
    pub fn store(&self) -> Result<Store> {
        Ok(self.account()?.store.clone())
    }

    fn anonymous_api(&self, server: &ServerUrl) -> ApiClient {
        ApiClient::new(
            server.clone(),
            self.inner.http.clone(),
            self.inner.limits.clone(),
        )
    }

    // ---- server ------------------------------------------------------------

    /// Checks a typed server address: reachable, Mattermost, new enough,
    /// and which sign-in methods it offers.
    pub async fn probe_server(&self, address: &str) -> Result<ServerInfo> {
        api::probe::probe(&self.inner.http, &self.inner.limits, address).await
    }

    // ---- sign-in -----------------------------------------------------------

    /// Signs in with email or username and password. For accounts with MFA
    /// the first call (without `mfa_code`) fails with `MfaRequired`; call
    /// again with the code.
    pub async fn sign_in_with_password(
        &self,
        server: &str,
        login_id: &str,
        password: &str,
        mfa_code: Option<&str>,
    ) -> Result<User> {
        let server = ServerUrl::parse(server)?;
        let api = self.anonymous_api(&server);
        let request = LoginRequest {
            login_id: login_id.trim(),
            password,
            token: mfa_code.map(str::trim).unwrap_or(""),
            device_id: &self.inner.device_id,
        };
        let (user, token) = api::users::login(&api, &request).await?;
        self.finish_sign_in(server, token, user).await
    }

    /// Signs in with a personal access token or a session token handed over
    /// by SSO.
    pub async fn sign_in_with_token(&self, server: &str, token: &str) -> Result<User> {
        let server = ServerUrl::parse(server)?;
        let token = SessionToken::new(token.trim());
        if token.is_empty() {
            return Err(Error::InvalidCredentials);
        }
        let user = self.user_for_token(&server, &token).await?;
        self.finish_sign_in(server, token, user).await
    }

    async fn user_for_token(&self, server: &ServerUrl, token: &SessionToken) -> Result<User> {
        // A throwaway client: a refused token must not touch the session state.
        let api = self.anonymous_api(server);
        api.set_token(Some(token.clone()));
        api::users::me(&api).await.map_err(|e| match e {
            Error::SessionExpired | Error::Unauthorized => Error::InvalidCredentials,
            other => other,
        })
    }

    /// Starts an SSO sign-in: returns the URL to open in the system browser.
    /// `redirect_to` is the app's callback URL scheme, e.g. `pausenhof://callback`.
    pub fn start_sso(
        &self,
        server: &str,
        provider: SsoProvider,
        redirect_to: &str,
    ) -> Result<url::Url> {
        let server = ServerUrl::parse(server)?;
        let pending = PendingSso::new(server, provider);
        let url = pending.browser_url(redirect_to);
        *self.inner.pending_sso.locked() = Some(pending);
        Ok(url)
    }

    /// Completes SSO with the callback URL the app received: either a
    /// session token, or a one-time login code that is exchanged here.
    pub async fn complete_sso(&self, callback_url: &str) -> Result<User> {
        let pending =
            self.inner
                .pending_sso
                .locked()
                .clone()
                .ok_or_else(|| Error::InvalidInput {
                    reason: "no SSO sign-in was started".into(),
                })?;
        let token = match parse_callback(callback_url, &pending)? {
            SsoCallback::Token(token) => token,
            SsoCallback::LoginCode { login_code, state } => {
                let api = self.anonymous_api(&pending.server);
                let state = state.unwrap_or_else(|| pending.state.clone());
                api::users::sso_code_exchange(&api, &login_code, &pending.code_verifier, &state)
                    .await?
            }
        };
        let user = self.user_for_token(&pending.server, &token).await?;
        let user = self
            .finish_sign_in(pending.server.clone(), token, user)
            .await?;
        *self.inner.pending_sso.locked() = None;
        Ok(user)
    }

    /// Creates an account by open sign-up (`POST /users`). The user signs in
    /// afterwards (after verifying the email, if the server requires it).
    pub async fn sign_up(
        &self,
        server: &str,
        email: &str,
        username: &str,
        password: &str,
        first_name: &str,
        last_name: &str,
    ) -> Result<User> {
        let server = ServerUrl::parse(server)?;
        let api = self.anonymous_api(&server);
        api::users::create_user(
            &api,
            &NewUser {
                email: email.trim(),
                username: username.trim(),
                password,
                first_name: first_name.trim(),
                last_name: last_name.trim(),
            },
        )
        .await
    }

    /// Asks the server to send the verification email again.
    pub async fn send_verification_email(&self, server: &str, email: &str) -> Result<()> {
        let server = ServerUrl::parse(server)?;
        api::users::send_verification_email(&self.anonymous_api(&server), email.trim()).await
    }

    /// Confirms the email address with the token from the email.
    pub async fn verify_email(&self, server: &str, token: &str) -> Result<()> {
        let server = ServerUrl::parse(server)?;
        api::users::verify_email(&self.anonymous_api(&server), token.trim()).await
    }

    /// Stores the token, remembers the account, opens its database and
    /// makes it the active one; accounts signed in before stay signed in.
    /// The same user on the same server finds their data again; another
    /// user gets their own, fresh directory.
    async fn finish_sign_in(
        &self,
        server: ServerUrl,
        token: SessionToken,
        user: User,
    ) -> Result<User> {
        if user.id.is_empty() {
            return Err(Error::invalid_response("sign-in answer has no user id"));
        }
        let _guard = self.inner.sign_in_lock.lock().await;
        // An erase cut off earlier is finished before this account's
        // directory is used again.
        self.finish_owed_sign_outs().await?;
        let key = account_key(&server, &user.id);
        let dir = account_dir(&self.inner.data_dir, &key);
        crate::private_fs::create_private_dir_all(&dir).map_err(storage_error)?;
        let (secret_key, secret) = (token_secret_key(&key), token.expose().to_owned());
        self.with_secrets(move |secrets| secrets.set(&secret_key, &secret))
            .await?;
        write_profile(&dir, &user)?;
        let mut index = AccountsIndex::load(&self.inner.data_dir)?;
        index.remember(AccountEntry {
            key: key.clone(),
            server_url: server.as_str().to_owned(),
            user_id: user.id.clone(),
            username: user.username.clone(),
            ..AccountEntry::default()
        });
        index.save(&self.inner.data_dir)?;
        self.activate(key, dir, server, token, user.clone()).await?;
        tracing::info!("signed in");
        // A new session carries no device id: attach the registration the
        // user consented to (a no-op without one).
        self.push_after_sign_in().await;
        Ok(user)
    }

    /// Fetches the signed-in user's profile again.
    pub async fn refresh_current_user(&self) -> Result<User> {
        let account = self.account()?;
        let user = api::users::me(&account.api).await?;
        self.update_current_user(&account, user.clone())?;
        Ok(user)
    }

    /// Sets first and last name (`PUT /users/me/patch`).
    pub async fn set_full_name(&self, first_name: &str, last_name: &str) -> Result<User> {
        let (first, last) = (first_name.trim(), last_name.trim());
        if first.is_empty() || last.is_empty() {
            return Err(Error::InvalidInput {
                reason: "first and last name must not be empty".into(),
            });
        }
        let account = self.account()?;
        let user = api::users::patch_me(
            &account.api,
            &UserPatch {
                first_name: Some(first.to_owned()),
                last_name: Some(last.to_owned()),
                ..UserPatch::default()
            },
        )
        .await?;
        self.update_current_user(&account, user.clone())?;
        Ok(user)
    }

    fn update_current_user(&self, account: &Account, user: User) -> Result<()> {
        write_profile(&account.dir, &user)?;
        *account.user.write_now() = user;
        Ok(())
    }

    /// Runs a call of the app's secret store (Keychain, Keystore: slow, may
    /// block) on a blocking thread, never on one of the few async workers.
    pub(crate) async fn with_secrets<T: Send + 'static>(
        &self,
        call: impl FnOnce(&dyn SecretStore) -> std::result::Result<T, crate::session::SecretStoreError>
            + Send
            + 'static,
    ) -> Result<T> {
        let secrets = self.inner.secrets.clone();
        self.inner
            .runtime
            .spawn_blocking(move || call(&*secrets))
            .await
            .map_err(|_| Error::SecretStore {
                reason: "the secret store call did not finish".into(),
            })?
            .map_err(Error::from)
    }
}

fn write_profile(dir: &Path, user: &User) -> Result<()> {
    let bytes = serde_json::to_vec(user).map_err(|e| Error::internal(e.to_string()))?;
    crate::session::write_atomic(&dir.join(PROFILE_FILE), &bytes).map_err(storage_error)
}

fn read_profile(dir: &Path) -> Option<User> {
    serde_json::from_slice(&std::fs::read(dir.join(PROFILE_FILE)).ok()?).ok()
}

/// Refuses an empty id before anything reaches the server.
fn require_id(id: &str) -> Result<()> {
    if id.trim().is_empty() {
        return Err(Error::InvalidInput {
            reason: "no id given".into(),
        });
    }
    Ok(())
}
