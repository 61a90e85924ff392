//! Server probing: is this a Mattermost server we can talk to, what is it
//! called, and how can people sign in?

use serde::{Deserialize, Serialize};

use super::{system, ApiClient};
use crate::error::{Error, Result};
use crate::model::ClientConfig;
use crate::net::{HttpLimits, ServerUrl, SsoProvider};

/// The oldest server version we support (the official app's minimum).
pub const MINIMUM_SERVER_VERSION: (u32, u32) = (9, 11);

fn sso_enabled(provider: SsoProvider, config: &ClientConfig) -> bool {
    match provider {
        SsoProvider::GitLab => config.gitlab(),
        SsoProvider::Google => config.google(),
        SsoProvider::Office365 => config.office365(),
        SsoProvider::OpenId => config.openid(),
        SsoProvider::Saml => config.saml(),
    }
}

/// Which ways of signing in the server has switched on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInMethods {
    pub email: bool,
    pub username: bool,
    /// Users may (or, if enforced, must) use a TOTP code.
    pub mfa: bool,
    pub mfa_enforced: bool,
    /// Anyone may create an account with email + password.
    pub open_sign_up: bool,
    pub sso: Vec<SsoProvider>,
}

impl SignInMethods {
    pub fn from_config(config: &ClientConfig) -> Self {
        SignInMethods {
            email: config.sign_in_with_email(),
            username: config.sign_in_with_username(),
            mfa: config.mfa_enabled(),
            mfa_enforced: config.mfa_enforced(),
            open_sign_up: config.open_server() && config.sign_up_with_email(),
            sso: SsoProvider::ALL
                .into_iter()
                .filter(|p| sso_enabled(*p, config))
                .collect(),
        }
    }

    /// Whether a login id + password form makes sense.
    pub fn password(&self) -> bool {
        self.email || self.username
    }
}

/// What the probe found out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerInfo {
    pub url: ServerUrl,
    pub site_name: String,
    pub version: String,
    pub sign_in: SignInMethods,
    /// The pre-login client configuration as sent.
    pub config: ClientConfig,
}

/// Parses "10.5.0" (or "9.11.2.12345...") into (major, minor).
pub fn parse_version(version: &str) -> Option<(u32, u32)> {
    let mut parts = version.trim().split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next().unwrap_or("0").parse().ok()?;
    Some((major, minor))
}

/// Checks the address: ping, then the client config; tells unreachable,
/// TLS failures, non-Mattermost servers and too-old servers apart.
pub async fn probe(
    http: &reqwest::Client,
    limits: &HttpLimits,
    address: &str,
) -> Result<ServerInfo> {
    let url = ServerUrl::parse(address)?;
    let api = ApiClient::new(url.clone(), http.clone(), limits.clone());

    let (ping, headers) = system::ping(&api)
        .await
        .map_err(not_mattermost_unless_transport)?;
    if !ping.status.eq_ignore_ascii_case("OK") {
        return Err(Error::NotMattermost);
    }
    let config = system::client_config(&api, false)
        .await
        .map_err(not_mattermost_unless_transport)?;

    let mut version = config.version().to_owned();
    if version.is_empty() {
        version = headers
            .get("X-Version-Id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
    }
    let Some(parsed) = parse_version(&version) else {
        return Err(Error::NotMattermost);
    };
    if parsed < MINIMUM_SERVER_VERSION {
        return Err(Error::ServerTooOld { version });
    }
    tracing::debug!(version = %version, "server probed");
    Ok(ServerInfo {
        url,
        site_name: config.site_name().to_owned(),
        version,
        sign_in: SignInMethods::from_config(&config),
        config,
    })
}

/// During a probe, any answer that is not what Mattermost sends means
/// "not a Mattermost server"; transport problems keep their own error.
fn not_mattermost_unless_transport(error: Error) -> Error {
    match error {
        Error::Offline
        | Error::Network { .. }
        | Error::Tls { .. }
        | Error::RateLimited { .. }
        | Error::ResponseTooLarge { .. } => error,
        _ => Error::NotMattermost,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_versions() {
        assert_eq!(parse_version("10.5.0"), Some((10, 5)));
        assert_eq!(parse_version("9.11.2.12345.abc"), Some((9, 11)));
        assert_eq!(parse_version("9"), Some((9, 0)));
        assert_eq!(parse_version("dev"), None);
        assert_eq!(parse_version(""), None);
        assert!(parse_version("9.10.3").unwrap() < MINIMUM_SERVER_VERSION);
        assert!(parse_version("9.11.0").unwrap() >= MINIMUM_SERVER_VERSION);
        assert!(parse_version("10.0.0").unwrap() >= MINIMUM_SERVER_VERSION);
    }

    #[test]
    fn sign_in_methods_from_config() {
        let config: ClientConfig = serde_json::from_str(
            r#"{"EnableSignInWithEmail":"true","EnableSignInWithUsername":"true",
                "EnableMultifactorAuthentication":"true","EnableOpenServer":"true",
                "EnableUserCreation":"true","EnableSignUpWithEmail":"true",
                "EnableSignUpWithGitLab":"true","EnableSaml":"true","EnableSignUpWithGoogle":"false"}"#,
        )
        .unwrap();
        let m = SignInMethods::from_config(&config);
        assert!(m.email && m.username && m.mfa && m.open_sign_up && m.password());
        assert_eq!(m.sso, vec![SsoProvider::GitLab, SsoProvider::Saml]);
        let closed: ClientConfig =
            serde_json::from_str(r#"{"EnableOpenServer":"false","EnableSignUpWithEmail":"true"}"#)
                .unwrap();
        assert!(!SignInMethods::from_config(&closed).open_sign_up);
    }
}
