//! Several accounts in one client: every account signed in stays signed
//! in (its token, database and files), one of them is active (what the app
//! shows and every per-account call uses), the others are opened when
//! first needed: by a switch, a push of their server or a notification
//! action in one of their channels. Only the active account runs live
//! services, so no websocket stays open for an account the app does not
//! show.

use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use super::{read_profile, Account, Client, DATABASE_FILE};
use crate::api::{self, ApiClient};
use crate::error::{Error, Result};
use crate::locks::{LockExt, RwLockExt};
use crate::model::User;
use crate::net::ServerUrl;
use crate::outbox::{Outbox, OutboxConfig};
use crate::session::accounts::token_secret_key;
use crate::session::{account_dir, AccountEntry, AccountsIndex, SessionState, SessionToken};
use crate::store::{cached_channel, OpenCheck, Store};

/// One account signed in on this device, as the account list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountSummary {
    /// Names the account in [`Client::switch_account`] and
    /// [`Client::sign_out_account`].
    pub key: String,
    pub server_url: String,
    pub user_id: String,
    pub username: String,
    /// "First Last", or the username without a full name.
    pub display_name: String,
    /// Whether it is the active account.
    pub active: bool,
}

impl Client {
    /// Every account signed in on this device, in the order they were
    /// first signed in. Reads only local files.
    pub fn accounts(&self) -> Result<Vec<AccountSummary>> {
        let index = AccountsIndex::load(&self.inner.data_dir)?;
        let active = self.active_account_key();
        Ok(index
            .accounts
            .into_iter()
            .map(|entry| {
                let profile = read_profile(&account_dir(&self.inner.data_dir, &entry.key));
                let display_name = profile
                    .map(|user| user.display_name())
                    .unwrap_or_else(|| entry.username.clone());
                AccountSummary {
                    active: active.as_deref() == Some(entry.key.as_str()),
                    key: entry.key,
                    server_url: entry.server_url,
                    user_id: entry.user_id,
                    username: entry.username,
                    display_name,
                }
            })
            .collect())
    }

    /// The key of the active account, if any.
    pub fn active_account_key(&self) -> Option<String> {
        self.inner
            .account
            .read_now()
            .as_ref()
            .map(|account| account.key.clone())
    }

    /// Makes another signed-in account the active one, without the
    /// network. The session state follows it; the live services of the
    /// account shown before stop (start them again for the new one). An
    /// unknown key is `InvalidInput`; an account whose token is gone is
    /// `Unauthorized`.
    pub async fn switch_account(&self, key: &str) -> Result<User> {
        let _guard = self.inner.sign_in_lock.lock().await;
        let mut index = AccountsIndex::load(&self.inner.data_dir)?;
        let entry = index
            .entry(key)
            .cloned()
            .ok_or_else(|| Error::InvalidInput {
                reason: "no account with this key is signed in".into(),
            })?;
        if let Some(active) = self.account().ok().filter(|a| a.key == key) {
            return Ok(active.user.read_now().clone());
        }
        let account = self.open_known(&entry).await?.ok_or(Error::Unauthorized)?;
        index.make_last(key);
        index.save(&self.inner.data_dir)?;
        self.show(account.clone());
        tracing::info!("switched account");
        let user = account.user.read_now().clone();
        Ok(user)
    }

    /// Reopens the accounts signed in here with their tokens from the
    /// secret store, without the network: the one used last becomes active
    /// (the others open when switched to or pushed for). `None` when nobody
    /// is signed in (or no token is left). A token the server no longer
    /// accepts shows up as `Expired` on the first call.
    pub async fn restore(&self) -> Result<Option<User>> {
        let _guard = self.inner.sign_in_lock.lock().await;
        self.finish_owed_sign_outs().await?;
        let account = self.open_last_used().await?;
        Ok(account.map(|account| {
            self.show(account.clone());
            let user = account.user.read_now().clone();
            user
        }))
    }

    /// The last used account, or when its token is gone the first other
    /// one that still has one (which is then remembered as last used).
    async fn open_last_used(&self) -> Result<Option<Arc<Account>>> {
        let mut index = AccountsIndex::load(&self.inner.data_dir)?;
        let mut candidates: Vec<AccountEntry> = index.last_account().cloned().into_iter().collect();
        candidates.extend(
            index
                .accounts
                .iter()
                .filter(|a| index.last.as_deref() != Some(a.key.as_str()))
                .cloned(),
        );
        for entry in candidates {
            if let Some(account) = self.open_known(&entry).await? {
                if index.last.as_deref() != Some(entry.key.as_str()) {
                    index.make_last(&entry.key);
                    index.save(&self.inner.data_dir)?;
                }
                return Ok(Some(account));
            }
        }
        Ok(None)
    }

    /// Opens an account just signed in (replacing an open copy of it, whose
    /// token is older) and makes it active.
    pub(super) async fn activate(
        &self,
        key: String,
        dir: PathBuf,
        server: ServerUrl,
        token: SessionToken,
        user: User,
    ) -> Result<()> {
        let account = self.open_account(key, dir, server, token, user).await?;
        self.inner
            .open_accounts
            .locked()
            .insert(account.key.clone(), account.clone());
        self.show(account);
        Ok(())
    }

    /// The open account of `entry`, opened from its directory and token
    /// when not yet; `None` when its token is gone.
    pub(super) async fn open_known(&self, entry: &AccountEntry) -> Result<Option<Arc<Account>>> {
        if let Some(open) = self.inner.open_accounts.locked().get(&entry.key) {
            return Ok(Some(open.clone()));
        }
        let secret_key = token_secret_key(&entry.key);
        let Some(token) = self
            .with_secrets(move |secrets| secrets.get(&secret_key))
            .await?
        else {
            return Ok(None);
        };
        let server = ServerUrl::parse(&entry.server_url)?;
        let dir = account_dir(&self.inner.data_dir, &entry.key);
        let user = read_profile(&dir).unwrap_or(User {
            id: entry.user_id.clone(),
            username: entry.username.clone(),
            ..User::default()
        });
        let opened = self
            .open_account(
                entry.key.clone(),
                dir,
                server,
                SessionToken::new(token),
                user,
            )
            .await?;
        // Two callers may open the same account at once: the first one
        // kept is the one everybody uses.
        let kept = self
            .inner
            .open_accounts
            .locked()
            .entry(entry.key.clone())
            .or_insert(opened)
            .clone();
        Ok(Some(kept))
    }

    async fn open_account(
        &self,
        key: String,
        dir: PathBuf,
        server: ServerUrl,
        token: SessionToken,
        user: User,
    ) -> Result<Arc<Account>> {
        let store = Store::open(dir.join(DATABASE_FILE), OpenCheck::Header).await?;
        let api = ApiClient::with_session(
            server.clone(),
            self.inner.http.clone(),
            self.inner.limits.clone(),
            token,
            user.id.clone(),
            self.inner.session.clone(),
        );
        let outbox = Outbox::new(
            Arc::new(api.clone()),
            store.clone(),
            user.id.clone(),
            OutboxConfig {
                settle: self.inner.limits.request_timeout,
                ..OutboxConfig::default()
            },
        );
        Ok(Arc::new(Account {
            key,
            dir,
            server,
            user_id: user.id.clone(),
            api,
            store,
            outbox,
            user: RwLock::new(user),
        }))
    }

    /// Makes `account` the active one and publishes it as signed in. The
    /// live services of the account shown before stop (their websocket
    /// holds its token and outbox).
    fn show(&self, account: Arc<Account>) {
        let user_id = account.user_id.clone();
        let replaced = self.inner.account.write_now().replace(account);
        if replaced.is_some() {
            self.stop_realtime();
        }
        self.inner
            .session
            .send_replace(SessionState::SignedIn { user_id });
    }

    /// After the active account signed out: the next signed-in account
    /// becomes active, or the client is signed out when none is left.
    pub(super) async fn show_next_account(&self) {
        match self.open_last_used().await {
            Ok(Some(account)) => self.show(account),
            Ok(None) => {
                self.inner.session.send_replace(SessionState::SignedOut);
            }
            Err(error) => {
                tracing::warn!(error = %error, "no other account opened after sign-out");
                self.inner.session.send_replace(SessionState::SignedOut);
            }
        }
    }

    /// The account a push belongs to: the one of the server whose
    /// diagnostic id the push carries (learned from the servers when not
    /// yet known), the active one among several users of that server, and
    /// the active one for a push without a server id. In a fresh process
    /// the last used account is restored first. No account of that server
    /// here is `Unauthorized`: nothing of it may be shown under another.
    pub(super) async fn account_for_push(&self, server_id: &str) -> Result<Arc<Account>> {
        let active = self.account_or_restore().await?;
        if server_id.is_empty() {
            return Ok(active);
        }
        let entry = {
            let _guard = self.inner.sign_in_lock.lock().await;
            let mut index = AccountsIndex::load(&self.inner.data_dir)?;
            let unknown = index.accounts.iter().any(|a| a.server_id.is_empty());
            if index.accounts_of_server(server_id).is_empty() && unknown {
                self.learn_server_ids(&mut index).await;
                index.save(&self.inner.data_dir)?;
            }
            let candidates = index.accounts_of_server(server_id);
            candidates
                .iter()
                .find(|a| a.key == active.key)
                .or(candidates.first())
                .map(|a| (*a).clone())
        };
        let entry = entry.ok_or(Error::Unauthorized)?;
        if entry.key == active.key {
            return Ok(active);
        }
        self.open_known(&entry).await?.ok_or(Error::Unauthorized)
    }

    /// Learns the push ids of the servers not known yet, when a device is
    /// registered: a push names its server by that id, and the first push
    /// in a fresh process should not have to ask for it. A server that
    /// does not answer is asked again with the next push.
    pub(super) async fn learn_unknown_server_ids(&self) -> Result<()> {
        let _guard = self.inner.sign_in_lock.lock().await;
        let mut index = AccountsIndex::load(&self.inner.data_dir)?;
        if index.accounts.iter().any(|a| a.server_id.is_empty()) {
            self.learn_server_ids(&mut index).await;
            index.save(&self.inner.data_dir)?;
        }
        Ok(())
    }

    /// Asks each server whose id is not known yet for its `DiagnosticId`
    /// (anonymous, one request per server). A server that does not answer
    /// is asked again with the next push.
    async fn learn_server_ids(&self, index: &mut AccountsIndex) {
        let mut servers: Vec<String> = index
            .accounts
            .iter()
            .filter(|a| a.server_id.is_empty())
            .map(|a| a.server_url.clone())
            .collect();
        servers.sort();
        servers.dedup();
        for server_url in servers {
            let Ok(server) = ServerUrl::parse(&server_url) else {
                continue;
            };
            let config = api::system::client_config(&self.anonymous_api(&server), false).await;
            match config {
                Ok(config) => {
                    let id = config.get("DiagnosticId").unwrap_or_default();
                    if !id.is_empty() {
                        index.set_server_id(&server_url, id);
                    }
                }
                Err(error) => tracing::info!(error = %error, "push: server id not learned"),
            }
        }
    }

    /// The account whose cache knows `channel_id` (a notification's
    /// channel): the active one first, then the others; the active one
    /// when none does.
    pub(super) async fn account_for_channel(&self, channel_id: &str) -> Result<Arc<Account>> {
        let active = self.account_or_restore().await?;
        if knows_channel(&active, channel_id).await? {
            return Ok(active);
        }
        let index = AccountsIndex::load(&self.inner.data_dir)?;
        for entry in index.accounts.iter().filter(|a| a.key != active.key) {
            if let Some(account) = self.open_known(entry).await? {
                if knows_channel(&account, channel_id).await? {
                    return Ok(account);
                }
            }
        }
        Ok(active)
    }

    /// Fetches an account's own profile again (its notification settings).
    pub(super) async fn refresh_user_of(&self, account: &Account) -> Result<User> {
        let user = api::users::me(&account.api).await?;
        self.update_current_user(account, user.clone())?;
        Ok(user)
    }
}

async fn knows_channel(account: &Account, channel_id: &str) -> Result<bool> {
    let id = channel_id.to_owned();
    let channel = account
        .store
        .read(move |conn| cached_channel(conn, &id))
        .await?;
    Ok(channel.is_some())
}
