//! The `Client` object: one per app process, wrapping core's `Client`.
//! Server probing, every sign-in flow, session restore and logout, and
//! several accounts: signing in while signed in adds one.

use std::sync::Arc;

use pausenhof_core as core;

use crate::error::Result;
use crate::runtime::run;
use crate::secrets::{ForeignSecretStore, SecretStore};
use crate::session::{AccountSummary, ServerInfo, SsoProvider, User};

/// How the app sets up the client.
#[derive(Debug, Clone, uniffi::Record)]
pub struct ClientOptions {
    /// The app's private data folder: accounts, databases, cached files.
    pub data_dir: String,
    /// Identifies this installation to the server at sign-in (makes a
    /// mobile session). Empty when none.
    #[uniffi(default = "")]
    pub device_id: String,
    /// Extra trusted root certificates (PEM or DER), e.g. a school's CA,
    /// in addition to the bundled Mozilla roots.
    #[uniffi(default = [])]
    pub extra_root_certificates: Vec<Vec<u8>>,
    /// The app's language (`de`, `de-AT`, `en`) for texts core makes,
    /// such as notification bodies.
    #[uniffi(default = "en")]
    pub locale: String,
    /// The school's push gateway, when it is not served below the server
    /// address at `/pausenhof-push/` (empty: the default).
    #[uniffi(default = "")]
    pub push_gateway: String,
}

/// The Pausenhof client. Create one per process and keep it.
#[derive(uniffi::Object)]
pub struct Client {
    pub(crate) core: core::Client,
}

#[uniffi::export]
impl Client {
    /// Sets up the client; no network or disk work happens yet (call
    /// `restore` to reopen the last account).
    #[uniffi::constructor]
    pub fn new(options: ClientOptions, secret_store: Arc<dyn SecretStore>) -> Result<Arc<Self>> {
        let mut builder = core::Client::builder(options.data_dir)
            .secret_store(Arc::new(ForeignSecretStore(secret_store)))
            .device_id(options.device_id)
            .locale(core::texts::Locale::from_tag(&options.locale))
            .runtime(crate::runtime::handle().clone());
        if !options.push_gateway.is_empty() {
            builder = builder.push_gateway(&options.push_gateway)?;
        }
        for certificate in &options.extra_root_certificates {
            builder = builder.add_root_certificate(certificate)?;
        }
        Ok(Arc::new(Client {
            core: builder.build()?,
        }))
    }

    /// Checks a typed server address: reachable, Mattermost, new enough,
    /// and which sign-in methods it offers.
    pub async fn probe_server(&self, address: String) -> Result<ServerInfo> {
        let core = self.core.clone();
        run(async move { core.probe_server(&address).await })
            .await
            .map(Into::into)
            .map_err(Into::into)
    }

    /// Signs in with email or username and password. An account with MFA
    /// first fails with `MfaRequired`; call again with `mfa_code`.
    pub async fn sign_in_with_password(
        &self,
        server: String,
        login_id: String,
        password: String,
        mfa_code: Option<String>,
    ) -> Result<User> {
        let core = self.core.clone();
        run(async move {
            core.sign_in_with_password(&server, &login_id, &password, mfa_code.as_deref())
                .await
        })
        .await
        .map(Into::into)
        .map_err(Into::into)
    }

    /// Signs in with a personal access token.
    pub async fn sign_in_with_token(&self, server: String, token: String) -> Result<User> {
        let core = self.core.clone();
        run(async move { core.sign_in_with_token(&server, &token).await })
            .await
            .map(Into::into)
            .map_err(Into::into)
    }

    /// Starts a single sign-on: returns the URL to open in the system
    /// browser. `redirect_to` is the app's callback URL.
    pub fn start_sso(
        &self,
        server: String,
        provider: SsoProvider,
        redirect_to: String,
    ) -> Result<String> {
        Ok(self
            .core
            .start_sso(&server, provider.into(), &redirect_to)?
            .to_string())
    }

    /// Completes single sign-on with the callback URL the app received.
    pub async fn complete_sso(&self, callback_url: String) -> Result<User> {
        let core = self.core.clone();
        run(async move { core.complete_sso(&callback_url).await })
            .await
            .map(Into::into)
            .map_err(Into::into)
    }

    /// Creates an account by open sign-up; sign in afterwards.
    pub async fn sign_up(&self, server: String, new_account: NewAccount) -> Result<User> {
        let core = self.core.clone();
        run(async move {
            core.sign_up(
                &server,
                &new_account.email,
                &new_account.username,
                &new_account.password,
                &new_account.first_name,
                &new_account.last_name,
            )
            .await
        })
        .await
        .map(Into::into)
        .map_err(Into::into)
    }

    /// Asks the server to send the verification email again.
    pub async fn send_verification_email(&self, server: String, email: String) -> Result<()> {
        let core = self.core.clone();
        Ok(run(async move { core.send_verification_email(&server, &email).await }).await?)
    }

    /// Confirms an email address with the token from the email.
    pub async fn verify_email(&self, server: String, token: String) -> Result<()> {
        let core = self.core.clone();
        Ok(run(async move { core.verify_email(&server, &token).await }).await?)
    }

    /// Reopens the accounts without the network, the last used one
    /// active. `None` when nobody is signed in.
    pub async fn restore(&self) -> Result<Option<User>> {
        let core = self.core.clone();
        Ok(run(async move { core.restore().await })
            .await?
            .map(Into::into))
    }

    /// The signed-in user's profile as last seen, without the network.
    pub fn current_user(&self) -> Option<User> {
        self.core.current_user().map(Into::into)
    }

    /// The server of the current account.
    pub fn server_url(&self) -> Option<String> {
        self.core.server_url().map(|url| url.as_str().to_owned())
    }

    /// True when the signed-in user has no first or last name yet (the
    /// schools require both): ask, then call `set_full_name`.
    pub fn needs_full_name(&self) -> bool {
        self.core.needs_full_name()
    }

    /// Fetches the signed-in user's profile again.
    pub async fn refresh_current_user(&self) -> Result<User> {
        let core = self.core.clone();
        run(async move { core.refresh_current_user().await })
            .await
            .map(Into::into)
            .map_err(Into::into)
    }

    /// Sets the signed-in user's first and last name.
    pub async fn set_full_name(&self, first_name: String, last_name: String) -> Result<User> {
        let core = self.core.clone();
        run(async move { core.set_full_name(&first_name, &last_name).await })
            .await
            .map(Into::into)
            .map_err(Into::into)
    }

    /// Signs the active account out and removes every local trace of it:
    /// token, database, cached files. The next signed-in account becomes
    /// active (the session state says which); `SignedOut` when none is left.
    pub async fn sign_out(&self) -> Result<()> {
        let core = self.core.clone();
        Ok(run(async move { core.sign_out().await }).await?)
    }

    /// Signs out the account with this key (see `accounts`), active or
    /// not; the others stay signed in.
    pub async fn sign_out_account(&self, key: String) -> Result<()> {
        let core = self.core.clone();
        Ok(run(async move { core.sign_out_account(&key).await }).await?)
    }

    /// Every account signed in on this device, from local files only.
    pub fn accounts(&self) -> Result<Vec<AccountSummary>> {
        Ok(self.core.accounts()?.into_iter().map(Into::into).collect())
    }

    /// The key of the active account, if any.
    pub fn active_account_key(&self) -> Option<String> {
        self.core.active_account_key()
    }

    /// Makes another signed-in account active, without the network. The
    /// session state and every per-account call follow it; the realtime
    /// connection of the account shown before stops (start it again).
    pub async fn switch_account(&self, key: String) -> Result<User> {
        let core = self.core.clone();
        run(async move { core.switch_account(&key).await })
            .await
            .map(Into::into)
            .map_err(Into::into)
    }
}

/// What open sign-up needs. No `Debug`: it holds a password.
#[derive(Clone, uniffi::Record)]
pub struct NewAccount {
    pub email: String,
    pub username: String,
    pub password: String,
    pub first_name: String,
    pub last_name: String,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.core.fmt(f)
    }
}
