//! Signing out: every local trace of the account is erased first, in one
//! step that neither a cancelled call nor a killed process can leave half
//! done; the server is told afterwards, by a task of the client's own that
//! no caller can cancel, and again on later starts while it is unreachable.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{Account, Client};
use crate::api::{self, ApiClient};
use crate::error::{Error, Result};
use crate::locks::{LockExt, RwLockExt};
use crate::net::ServerUrl;
use crate::push::registration::{unregister, Unregistration};
use crate::session::accounts::token_secret_key;
use crate::session::sign_outs::{self, revocation_secret_key, SignOut};
use crate::session::{AccountsIndex, SecretStore, SessionState, SessionToken};

/// Prefix of an account directory on its way out: renamed first (one
/// atomic step), deleted after, swept at the next start if cut off.
const ERASING_PREFIX: &str = ".erasing-";

impl Client {
    /// Signs the active account out: erases token, database, cached files
    /// and profile of the account here, makes the next signed-in account
    /// active (or publishes `SignedOut` when none is left), then deletes
    /// the push registrations and ends the session on the server (retried
    /// on later starts while offline). Other accounts stay as they are.
    /// Runs to its end even when the caller stops waiting.
    pub async fn sign_out(&self) -> Result<()> {
        self.sign_out_in_own_task(None).await
    }

    /// [`Client::sign_out`] for the account with this key (see
    /// [`Client::accounts`]), active or not; the active account stays
    /// active when another one signs out. An unknown key is `InvalidInput`.
    pub async fn sign_out_account(&self, key: &str) -> Result<()> {
        self.sign_out_in_own_task(Some(key.to_owned())).await
    }

    async fn sign_out_in_own_task(&self, key: Option<String>) -> Result<()> {
        let client = self.clone();
        self.inner
            .runtime
            .spawn(async move { client.sign_out_to_the_end(key).await })
            .await
            .map_err(|_| Error::internal("sign-out did not finish"))?
    }

    async fn sign_out_to_the_end(&self, key: Option<String>) -> Result<()> {
        let _guard = self.inner.sign_in_lock.lock().await;
        let active_key = self.active_account_key();
        let Some(key) = key.or_else(|| active_key.clone()) else {
            self.inner.session.send_replace(SessionState::SignedOut);
            return Ok(());
        };
        let was_active = active_key.as_deref() == Some(key.as_str());
        let entry = AccountsIndex::load(&self.inner.data_dir)?
            .entry(&key)
            .cloned();
        let account = match (was_active, &entry) {
            (true, _) => self.inner.account.write_now().take(),
            (false, Some(entry)) => self.open_known(entry).await?,
            (false, None) => {
                return Err(Error::InvalidInput {
                    reason: "no account with this key is signed in".into(),
                })
            }
        };
        self.inner.open_accounts.locked().remove(&key);
        if was_active {
            self.stop_realtime();
        }
        let devices = match &account {
            Some(account) => self.registered_push_devices(account).await,
            None => Vec::new(),
        };
        let server_url = match (&account, &entry) {
            (Some(account), _) => account.server.as_str().to_owned(),
            (None, Some(entry)) => entry.server_url.clone(),
            (None, None) => String::new(),
        };
        let sign_out = SignOut {
            account_key: key.clone(),
            server_url,
            erased: false,
        };
        let token = account.as_ref().and_then(|a| a.api.token());
        let (secrets, data_dir) = (self.inner.secrets.clone(), self.inner.data_dir.clone());
        let erased = self
            .inner
            .runtime
            .spawn_blocking(move || erase_account(&*secrets, &data_dir, &sign_out, token))
            .await
            .map_err(|_| Error::internal("local erase did not finish"));
        let api = account.as_ref().map(|a| a.api.clone());
        drop(account);
        if was_active {
            self.show_next_account().await;
        }
        tracing::info!("signed out");
        // Still inside the task no caller can cancel.
        self.unregister_push_devices(devices).await;
        if let Some(api) = api {
            self.revoke_session(&api, &key).await;
        }
        erased?
    }

    /// The registrations to delete at their push service before the store
    /// that remembers them is gone.
    async fn registered_push_devices(&self, account: &Account) -> Vec<Unregistration> {
        account
            .store
            .read(crate::push::registration::devices_to_unregister)
            .await
            .unwrap_or_default()
    }

    async fn unregister_push_devices(&self, devices: Vec<Unregistration>) {
        let registrar = self.push_registrar();
        for device in devices {
            if let Err(error) = unregister(&self.inner.http, registrar.clone(), &device).await {
                tracing::info!(error = %error, "push: registration not deleted at sign-out");
            }
        }
    }

    /// Ends the server session of a finished sign-out; kept owed when the
    /// server cannot be reached.
    async fn revoke_session(&self, api: &ApiClient, account_key: &str) {
        match api::users::logout(api).await {
            Ok(()) | Err(Error::Unauthorized | Error::SessionExpired) => {
                self.settle_sign_out(account_key).await
            }
            Err(error) => {
                tracing::info!(error = %error, "server sign-out owed; retried on the next start")
            }
        }
    }

    async fn settle_sign_out(&self, account_key: &str) {
        let secret_key = revocation_secret_key(account_key);
        let _ = self
            .with_secrets(move |secrets| secrets.delete(&secret_key))
            .await;
        if let Err(error) = sign_outs::forget(&self.inner.data_dir, account_key) {
            tracing::warn!(error = %error, "owed sign-out not cleared");
        }
    }

    /// Finishes what earlier sign-outs left: local erases cut off by a
    /// killed process (before anything is restored), then, in the
    /// background, the server sessions still to end.
    pub(crate) async fn finish_owed_sign_outs(&self) -> Result<()> {
        let owed = sign_outs::owed(&self.inner.data_dir)?;
        if !owed.is_empty() {
            let (secrets, data_dir) = (self.inner.secrets.clone(), self.inner.data_dir.clone());
            let pending = owed.clone();
            self.inner
                .runtime
                .spawn_blocking(move || {
                    for sign_out in pending.iter().filter(|s| !s.erased) {
                        erase_account(&*secrets, &data_dir, sign_out, None)?;
                    }
                    Ok::<_, Error>(())
                })
                .await
                .map_err(|_| Error::internal("local erase did not finish"))??;
        }
        sweep_erasing_dirs(&self.inner.data_dir);
        for sign_out in owed {
            let client = self.clone();
            self.inner.runtime.spawn(async move {
                client.retry_revocation(sign_out).await;
            });
        }
        Ok(())
    }

    async fn retry_revocation(&self, sign_out: SignOut) {
        let secret_key = revocation_secret_key(&sign_out.account_key);
        let token = match self.with_secrets(move |s| s.get(&secret_key)).await {
            Ok(Some(token)) => token,
            // Nothing left to revoke with.
            Ok(None) => return self.settle_sign_out(&sign_out.account_key).await,
            Err(_) => return,
        };
        let Ok(server) = ServerUrl::parse(&sign_out.server_url) else {
            return self.settle_sign_out(&sign_out.account_key).await;
        };
        let api = self.anonymous_api(&server);
        api.set_token(Some(SessionToken::new(token)));
        match api::users::logout(&api).await {
            Ok(()) | Err(Error::Unauthorized | Error::SessionExpired) => {
                self.settle_sign_out(&sign_out.account_key).await
            }
            Err(error) => tracing::info!(error = %error, "server sign-out still owed"),
        }
    }
}

/// The local erase, in an order where every cut-off point is safe: the
/// sign-out is owed first (a restart finishes it), then the account is
/// forgotten (nothing restores it), its token deleted, and its directory
/// renamed away in one step before it is deleted.
fn erase_account(
    secrets: &dyn SecretStore,
    data_dir: &Path,
    sign_out: &SignOut,
    token: Option<SessionToken>,
) -> Result<()> {
    let key = &sign_out.account_key;
    if let Some(token) = token {
        // Kept only to end the server session; restore never reads it.
        if let Err(error) = secrets.set(&revocation_secret_key(key), token.expose()) {
            tracing::info!(error = %error, "token for the server sign-out not kept");
        }
    }
    sign_outs::remember(data_dir, sign_out.clone())?;
    let mut first_error: Option<Error> = None;
    match AccountsIndex::load(data_dir) {
        Ok(mut index) => {
            index.forget(key);
            if let Err(e) = index.save(data_dir) {
                first_error.get_or_insert(e);
            }
        }
        Err(e) => {
            first_error.get_or_insert(e);
        }
    }
    if let Err(e) = secrets.delete(&token_secret_key(key)) {
        first_error.get_or_insert(Error::from(e));
    }
    let dir = crate::session::account_dir(data_dir, key);
    if let Err(e) = remove_dir(&dir) {
        first_error.get_or_insert(e);
    }
    match first_error {
        Some(e) => Err(e),
        None => sign_outs::remember(
            data_dir,
            SignOut {
                erased: true,
                ..sign_out.clone()
            },
        ),
    }
}

/// Renames the directory away (atomic) and deletes it.
fn remove_dir(dir: &Path) -> Result<()> {
    let Some(name) = dir.file_name() else {
        return Ok(());
    };
    let erasing = dir.with_file_name(format!(
        "{ERASING_PREFIX}{}-{}",
        name.to_string_lossy(),
        uuid::Uuid::new_v4().simple()
    ));
    let target: PathBuf = match std::fs::rename(dir, &erasing) {
        Ok(()) => erasing,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(_) => dir.to_path_buf(),
    };
    match std::fs::remove_dir_all(&target) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::Storage {
            problem: crate::error::StorageProblem::of_io(&e),
            reason: format!("account data not removed: {}", e.kind()),
        }),
    }
}

/// Deletes account directories whose erase was cut off.
fn sweep_erasing_dirs(data_dir: &Path) {
    let accounts = crate::session::account_dir(data_dir, "");
    let Ok(entries) = std::fs::read_dir(&accounts) else {
        return;
    };
    for entry in entries.flatten() {
        if entry
            .file_name()
            .to_string_lossy()
            .starts_with(ERASING_PREFIX)
        {
            if let Err(e) = std::fs::remove_dir_all(entry.path()) {
                tracing::warn!(error = %e.kind(), "cut-off account erase not finished");
            }
        }
    }
}

impl Client {
    pub(crate) fn push_registrar(&self) -> Option<Arc<dyn crate::push::PushRegistrar>> {
        self.inner.push.registrar()
    }
}
