//! The single sign-on providers Mattermost offers.

use serde::{Deserialize, Serialize};

/// An SSO provider the server may offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SsoProvider {
    GitLab,
    Google,
    Office365,
    OpenId,
    Saml,
}

impl SsoProvider {
    pub const ALL: [SsoProvider; 5] = [
        SsoProvider::GitLab,
        SsoProvider::Google,
        SsoProvider::Office365,
        SsoProvider::OpenId,
        SsoProvider::Saml,
    ];

    /// The service name in `/oauth/{service}/mobile_login` (None for SAML).
    pub fn oauth_service(self) -> Option<&'static str> {
        match self {
            SsoProvider::GitLab => Some("gitlab"),
            SsoProvider::Google => Some("google"),
            SsoProvider::Office365 => Some("office365"),
            SsoProvider::OpenId => Some("openid"),
            SsoProvider::Saml => None,
        }
    }
}
