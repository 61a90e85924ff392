use serde::{Deserialize, Serialize};

/// A user preference (`model.Preference`), e.g. category
/// "direct_channel_show", name = other user's id, value "true".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Preference {
    pub user_id: String,
    pub category: String,
    pub name: String,
    pub value: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_preferences() {
        let p: Vec<Preference> = serde_json::from_str(
            r#"[{"user_id":"u1","category":"display_settings","name":"use_military_time","value":"true"}]"#,
        )
        .unwrap();
        assert_eq!(p[0].value, "true");
        assert!(serde_json::from_str::<Vec<Preference>>(r#"[{"value":true}]"#).is_err());
    }
}
