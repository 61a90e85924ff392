//! Records for the server probe and the session: what the sign-in screens
//! and the account header show.

use pausenhof_core as core;

/// What probing a typed server address found.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ServerInfo {
    /// The normalised address to sign in with.
    pub url: String,
    pub site_name: String,
    pub version: String,
    pub sign_in_with_email: bool,
    pub sign_in_with_username: bool,
    /// Users may use a TOTP code; `mfa_enforced` means they must.
    pub mfa: bool,
    pub mfa_enforced: bool,
    /// Anyone may create an account with email and password.
    pub open_sign_up: bool,
    /// The single sign-on providers offered.
    pub sso_providers: Vec<SsoProvider>,
}

/// A single sign-on provider the server offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum SsoProvider {
    GitLab,
    Google,
    Office365,
    OpenId,
    Saml,
}

/// Signed out, signed in, or a session the server ended (the local data
/// stays until the same user signs in again).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum SessionState {
    SignedOut,
    SignedIn { user_id: String },
    Expired { user_id: String },
}

/// One account signed in on this device, for an account list.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AccountSummary {
    /// Names the account in `switch_account` and `sign_out_account`.
    pub key: String,
    pub server_url: String,
    pub user_id: String,
    pub username: String,
    /// "First Last", or the username without a full name.
    pub display_name: String,
    /// Whether it is the active account.
    pub active: bool,
}

impl From<core::AccountSummary> for AccountSummary {
    fn from(account: core::AccountSummary) -> Self {
        AccountSummary {
            key: account.key,
            server_url: account.server_url,
            user_id: account.user_id,
            username: account.username,
            display_name: account.display_name,
            active: account.active,
        }
    }
}

/// The signed-in user's profile.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct User {
    pub id: String,
    pub username: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub nickname: String,
    pub position: String,
    pub locale: String,
    pub mfa_active: bool,
    pub is_bot: bool,
    pub auth_service: String,
}

impl From<core::ServerInfo> for ServerInfo {
    fn from(info: core::ServerInfo) -> Self {
        ServerInfo {
            url: info.url.as_str().to_owned(),
            site_name: info.site_name,
            version: info.version,
            sign_in_with_email: info.sign_in.email,
            sign_in_with_username: info.sign_in.username,
            mfa: info.sign_in.mfa,
            mfa_enforced: info.sign_in.mfa_enforced,
            open_sign_up: info.sign_in.open_sign_up,
            sso_providers: info.sign_in.sso.into_iter().map(Into::into).collect(),
        }
    }
}

impl From<core::net::SsoProvider> for SsoProvider {
    fn from(provider: core::net::SsoProvider) -> Self {
        use core::net::SsoProvider as P;
        match provider {
            P::GitLab => SsoProvider::GitLab,
            P::Google => SsoProvider::Google,
            P::Office365 => SsoProvider::Office365,
            P::OpenId => SsoProvider::OpenId,
            P::Saml => SsoProvider::Saml,
        }
    }
}

impl From<SsoProvider> for core::net::SsoProvider {
    fn from(provider: SsoProvider) -> Self {
        use core::net::SsoProvider as P;
        match provider {
            SsoProvider::GitLab => P::GitLab,
            SsoProvider::Google => P::Google,
            SsoProvider::Office365 => P::Office365,
            SsoProvider::OpenId => P::OpenId,
            SsoProvider::Saml => P::Saml,
        }
    }
}

impl From<&core::session::SessionState> for SessionState {
    fn from(state: &core::session::SessionState) -> Self {
        use core::session::SessionState as S;
        match state {
            S::SignedOut => SessionState::SignedOut,
            S::SignedIn { user_id } => SessionState::SignedIn {
                user_id: user_id.clone(),
            },
            S::Expired { user_id } => SessionState::Expired {
                user_id: user_id.clone(),
            },
        }
    }
}

impl From<core::model::User> for User {
    fn from(user: core::model::User) -> Self {
        User {
            id: user.id,
            username: user.username,
            email: user.email,
            first_name: user.first_name,
            last_name: user.last_name,
            nickname: user.nickname,
            position: user.position,
            locale: user.locale,
            mfa_active: user.mfa_active,
            is_bot: user.is_bot,
            auth_service: user.auth_service,
        }
    }
}
