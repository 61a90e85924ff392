//! SSO hand-off: the browser URL for a provider, and completing sign-in from
//! the redirect the app receives (a session token, or a one-time login code
//! exchanged with the verifier whose S256 hash went out with the request).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use url::Url;

use super::SessionToken;
use crate::error::{Error, Result};
use crate::net::{ServerUrl, SsoProvider};

/// An SSO sign-in in progress. Holds the PKCE-style verifier: no `Debug`
/// that shows it.
#[derive(Clone)]
pub struct PendingSso {
    pub server: ServerUrl,
    pub provider: SsoProvider,
    pub state: String,
    pub(crate) code_verifier: String,
}

impl std::fmt::Debug for PendingSso {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingSso")
            .field("server", &self.server)
            .field("provider", &self.provider)
            .finish_non_exhaustive()
    }
}

impl PendingSso {
    pub fn new(server: ServerUrl, provider: SsoProvider) -> Self {
        let mut bytes = [0u8; 48];
        rand::rng().fill_bytes(&mut bytes);
        PendingSso {
            server,
            provider,
            state: uuid::Uuid::new_v4().to_string(),
            code_verifier: URL_SAFE_NO_PAD.encode(bytes),
        }
    }

    /// base64url(SHA-256(verifier)), RFC 7636 "S256".
    pub fn code_challenge(&self) -> String {
        URL_SAFE_NO_PAD.encode(Sha256::digest(self.code_verifier.as_bytes()))
    }

    /// The URL to open in the system browser. `redirect_to` is the app's
    /// callback (e.g. `pausenhof://callback`), which the server must allow.
    pub fn browser_url(&self, redirect_to: &str) -> Url {
        let mut url = match self.provider.oauth_service() {
            Some(service) => self.server.join(&format!("oauth/{service}/mobile_login")),
            None => {
                let mut url = self.server.join("login/sso/saml");
                url.query_pairs_mut().append_pair("action", "mobile");
                url
            }
        };
        url.query_pairs_mut()
            .append_pair("redirect_to", redirect_to)
            .append_pair("state", &self.state)
            .append_pair("code_challenge", &self.code_challenge())
            .append_pair("code_challenge_method", "S256");
        url
    }
}

/// What the redirect to the app carried.
#[derive(Debug, PartialEq, Eq)]
pub enum SsoCallback {
    /// A session token (`MMAUTHTOKEN`): sign in with it directly.
    Token(SessionToken),
    /// A one-time code to exchange at `/users/login/sso/code-exchange`.
    LoginCode {
        login_code: String,
        state: Option<String>,
    },
}

/// Reads the app's callback URL. Checks the server (`srv`) when given and
/// turns an `error` parameter into a refusal.
pub fn parse_callback(callback: &str, pending: &PendingSso) -> Result<SsoCallback> {
    let url = Url::parse(callback.trim())
        .map_err(|_| Error::invalid_response("SSO callback is not a URL"))?;
    let mut token = None;
    let mut login_code = None;
    let mut state = None;
    let mut server = None;
    let mut failed = false;
    for (key, value) in url.query_pairs() {
        match key.as_ref() {
            "MMAUTHTOKEN" | "token" => token = Some(value.into_owned()),
            "login_code" | "code" => login_code = Some(value.into_owned()),
            "state" => state = Some(value.into_owned()),
            "srv" => server = Some(value.into_owned()),
            "error" | "error_description" => failed = true,
            _ => {}
        }
    }
    if failed {
        return Err(Error::Unauthorized);
    }
    if let Some(srv) = server {
        let matches = ServerUrl::parse(&srv)
            .map(|s| s == pending.server)
            .unwrap_or(false);
        if !matches {
            return Err(Error::InvalidServer {
                reason: "the SSO answer names another server".into(),
            });
        }
    }
    if let Some(state) = &state {
        if *state != pending.state {
            return Err(Error::Unauthorized);
        }
    }
    if let Some(token) = token.filter(|t| !t.is_empty()) {
        return Ok(SsoCallback::Token(SessionToken::new(token)));
    }
    if let Some(login_code) = login_code.filter(|c| !c.is_empty()) {
        return Ok(SsoCallback::LoginCode { login_code, state });
    }
    Err(Error::invalid_response(
        "SSO callback has neither token nor login code",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending(provider: SsoProvider) -> PendingSso {
        PendingSso::new(
            ServerUrl::parse("https://example.org/mm").unwrap(),
            provider,
        )
    }

    #[test]
    fn oauth_and_saml_urls() {
        let p = pending(SsoProvider::GitLab);
        let url = p.browser_url("pausenhof://callback");
        assert_eq!(url.path(), "/mm/oauth/gitlab/mobile_login");
        let q: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        assert!(q.contains(&("redirect_to".into(), "pausenhof://callback".into())));
        assert!(q.contains(&("code_challenge_method".into(), "S256".into())));
        assert!(q.contains(&("state".into(), p.state.clone())));
        let saml = pending(SsoProvider::Saml).browser_url("pausenhof://callback");
        assert_eq!(saml.path(), "/mm/login/sso/saml");
        assert!(saml
            .query()
            .unwrap()
            .starts_with("action=mobile&redirect_to="));
        for (provider, service) in [
            (SsoProvider::Google, "google"),
            (SsoProvider::Office365, "office365"),
            (SsoProvider::OpenId, "openid"),
        ] {
            let url = pending(provider).browser_url("x://y");
            assert_eq!(url.path(), format!("/mm/oauth/{service}/mobile_login"));
        }
    }

    #[test]
    fn challenge_is_s256_of_verifier() {
        let p = pending(SsoProvider::Saml);
        let expected = URL_SAFE_NO_PAD.encode(Sha256::digest(p.code_verifier.as_bytes()));
        assert_eq!(p.code_challenge(), expected);
        assert_ne!(p.code_verifier, pending(SsoProvider::Saml).code_verifier);
        assert!(!format!("{p:?}").contains(&p.code_verifier));
    }

    #[test]
    fn parses_token_and_code_callbacks() {
        let p = pending(SsoProvider::GitLab);
        assert_eq!(
            parse_callback(
                "pausenhof://callback?MMAUTHTOKEN=tok&MMCSRF=c&srv=https%3A%2F%2Fexample.org%2Fmm",
                &p
            )
            .unwrap(),
            SsoCallback::Token(SessionToken::new("tok"))
        );
        let cb = format!("pausenhof://callback?login_code=abc&state={}", p.state);
        assert_eq!(
            parse_callback(&cb, &p).unwrap(),
            SsoCallback::LoginCode {
                login_code: "abc".into(),
                state: Some(p.state.clone())
            }
        );
    }

    #[test]
    fn refuses_wrong_server_state_errors_and_empty() {
        let p = pending(SsoProvider::GitLab);
        assert!(matches!(
            parse_callback(
                "pausenhof://callback?MMAUTHTOKEN=t&srv=https://evil.example",
                &p
            ),
            Err(Error::InvalidServer { .. })
        ));
        assert_eq!(
            parse_callback("pausenhof://callback?login_code=a&state=other", &p),
            Err(Error::Unauthorized)
        );
        assert_eq!(
            parse_callback("pausenhof://callback?error=denied", &p),
            Err(Error::Unauthorized)
        );
        assert!(matches!(
            parse_callback("pausenhof://callback", &p),
            Err(Error::InvalidResponse { .. })
        ));
        assert!(parse_callback("not a url", &p).is_err());
    }
}
