use serde::{Deserialize, Serialize};

use super::StringMap;

/// The client configuration (`GET /config/client?format=old`): a flat map of
/// strings ("true"/"false" for flags). Unauthenticated callers get the
/// limited subset, which holds everything sign-in needs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ClientConfig(pub StringMap);

impl ClientConfig {
    /// The raw value of a key.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    /// A boolean flag; missing or anything but "true" is off.
    pub fn flag(&self, key: &str) -> bool {
        self.get(key)
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }

    pub fn site_name(&self) -> &str {
        self.get("SiteName").unwrap_or("")
    }

    /// The server version, e.g. "10.5.0".
    pub fn version(&self) -> &str {
        self.get("Version").unwrap_or("")
    }

    pub fn build_number(&self) -> &str {
        self.get("BuildNumber").unwrap_or("")
    }

    pub fn site_url(&self) -> &str {
        self.get("SiteURL").unwrap_or("")
    }

    pub fn sign_in_with_email(&self) -> bool {
        self.flag("EnableSignInWithEmail")
    }

    pub fn sign_in_with_username(&self) -> bool {
        self.flag("EnableSignInWithUsername")
    }

    pub fn sign_up_with_email(&self) -> bool {
        self.flag("EnableSignUpWithEmail")
    }

    /// Whether anyone may create an account without an invitation.
    pub fn open_server(&self) -> bool {
        self.flag("EnableOpenServer") && self.flag("EnableUserCreation")
    }

    pub fn mfa_enabled(&self) -> bool {
        self.flag("EnableMultifactorAuthentication")
    }

    pub fn mfa_enforced(&self) -> bool {
        self.flag("EnforceMultifactorAuthentication")
    }

    pub fn gitlab(&self) -> bool {
        self.flag("EnableSignUpWithGitLab")
    }

    pub fn google(&self) -> bool {
        self.flag("EnableSignUpWithGoogle")
    }

    pub fn office365(&self) -> bool {
        self.flag("EnableSignUpWithOffice365")
    }

    pub fn openid(&self) -> bool {
        self.flag("EnableSignUpWithOpenId")
    }

    pub fn saml(&self) -> bool {
        self.flag("EnableSaml")
    }

    pub fn ldap(&self) -> bool {
        self.flag("EnableLdap")
    }

    /// "disabled", "default_on", "default_off" or "always_on"; only in the
    /// full (signed-in) configuration.
    pub fn collapsed_threads(&self) -> &str {
        self.get("CollapsedThreads").unwrap_or("disabled")
    }

    pub fn reliable_websockets(&self) -> bool {
        self.flag("EnableReliableWebSockets") || self.flag("FeatureFlagEnableReliableWebSockets")
    }

    /// Maximum upload size in bytes, if the server says.
    pub fn max_file_size(&self) -> Option<u64> {
        self.get("MaxFileSize")?.parse().ok()
    }

    pub fn password_minimum_length(&self) -> Option<u32> {
        self.get("PasswordMinimumLength")?.parse().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_accessors_read_string_flags() {
        let c: ClientConfig = serde_json::from_str(
            r#"{"SiteName":"Schulchat","Version":"10.5.0","BuildNumber":"123",
                "EnableSignInWithEmail":"true","EnableSignInWithUsername":"false",
                "EnableSignUpWithEmail":"true","EnableOpenServer":"true","EnableUserCreation":"true",
                "EnableMultifactorAuthentication":"true","EnableSignUpWithGitLab":"false",
                "EnableSaml":"TRUE","EnableSignUpWithOpenId":"true","MaxFileSize":"52428800",
                "CollapsedThreads":"default_on"}"#,
        )
        .unwrap();
        assert_eq!(c.site_name(), "Schulchat");
        assert_eq!(c.version(), "10.5.0");
        assert!(c.sign_in_with_email());
        assert!(!c.sign_in_with_username());
        assert!(c.open_server());
        assert!(c.mfa_enabled());
        assert!(!c.mfa_enforced());
        assert!(!c.gitlab() && !c.google() && !c.office365());
        assert!(c.saml() && c.openid());
        assert_eq!(c.max_file_size(), Some(52_428_800));
        assert_eq!(c.collapsed_threads(), "default_on");
    }

    #[test]
    fn non_string_values_are_errors() {
        assert!(serde_json::from_str::<ClientConfig>(r#"{"EnableSaml":true}"#).is_err());
        assert!(serde_json::from_str::<ClientConfig>(r#"["SiteName"]"#).is_err());
    }
}
