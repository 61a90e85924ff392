use serde::{Deserialize, Serialize};

use super::{null_as_default, StringMap};

/// A Mattermost user profile (`model.User`). Sanitised by the server: other
/// users' emails may be empty, passwords never appear.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct User {
    pub id: String,
    pub create_at: i64,
    pub update_at: i64,
    pub delete_at: i64,
    pub username: String,
    pub auth_service: String,
    pub email: String,
    pub email_verified: bool,
    pub nickname: String,
    pub first_name: String,
    pub last_name: String,
    pub position: String,
    pub roles: String,
    pub locale: String,
    #[serde(deserialize_with = "null_as_default")]
    pub notify_props: StringMap,
    #[serde(deserialize_with = "null_as_default")]
    pub props: StringMap,
    #[serde(deserialize_with = "null_as_default")]
    pub timezone: StringMap,
    pub last_picture_update: i64,
    pub last_activity_at: i64,
    pub is_bot: bool,
    pub bot_description: String,
    pub mfa_active: bool,
    pub disable_welcome_email: bool,
    /// The custom terms of service the user accepted last ("" for none);
    /// only in one's own profile.
    pub terms_of_service_id: String,
    /// When they were accepted (ms).
    pub terms_of_service_create_at: i64,
}

impl User {
    /// Whether the server marked the user as a system administrator.
    pub fn is_system_admin(&self) -> bool {
        self.roles.split_whitespace().any(|r| r == "system_admin")
    }

    /// The schools require a real name; an account without one must be
    /// asked for it after sign-in.
    pub fn has_full_name(&self) -> bool {
        !self.first_name.trim().is_empty() && !self.last_name.trim().is_empty()
    }

    /// "First Last" when both are set, otherwise the username.
    pub fn display_name(&self) -> String {
        let full = format!("{} {}", self.first_name.trim(), self.last_name.trim());
        let full = full.trim();
        if full.is_empty() {
            self.username.clone()
        } else {
            full.to_owned()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_real_shaped_user_and_ignores_unknown_fields() {
        let json = r#"{
            "id":"8k3zh5jhd3g6pdf4u4b8r7hh3a","create_at":1700000000000,"update_at":1700000000001,
            "delete_at":0,"username":"anna.schmidt","auth_data":"","auth_service":"",
            "email":"anna@schule.example","email_verified":true,"nickname":"","first_name":"Anna",
            "last_name":"Schmidt","position":"Lehrerin","roles":"system_user system_admin",
            "props":{},"notify_props":{"channel":"true","desktop":"mention","push":"mention"},
            "last_password_update":1700000000000,"locale":"de",
            "timezone":{"automaticTimezone":"Europe/Berlin","manualTimezone":"","useAutomaticTimezone":"true"},
            "disable_welcome_email":false,"mfa_active":false,"some_future_field":{"x":[1,2]}
        }"#;
        let user: User = serde_json::from_str(json).unwrap();
        assert_eq!(user.username, "anna.schmidt");
        assert_eq!(user.notify_props["push"], "mention");
        assert_eq!(user.timezone["automaticTimezone"], "Europe/Berlin");
        assert!(user.is_system_admin());
        assert!(user.has_full_name());
        assert_eq!(user.display_name(), "Anna Schmidt");
    }

    #[test]
    fn missing_and_null_fields_take_defaults() {
        let user: User =
            serde_json::from_str(r#"{"id":"u1","username":"ben","notify_props":null}"#).unwrap();
        assert_eq!(user.id, "u1");
        assert!(user.notify_props.is_empty());
        assert!(!user.has_full_name());
        assert_eq!(user.display_name(), "ben");
    }

    #[test]
    fn wrong_types_are_errors() {
        assert!(serde_json::from_str::<User>(r#"{"id":42}"#).is_err());
        assert!(serde_json::from_str::<User>(r#"{"create_at":"yesterday"}"#).is_err());
        assert!(serde_json::from_str::<User>(r#"[1,2,3]"#).is_err());
    }
}
