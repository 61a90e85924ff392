use serde::{Deserialize, Serialize};

/// A user's presence (`model.Status`): "online", "away", "dnd", "offline".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Status {
    pub user_id: String,
    pub status: String,
    pub manual: bool,
    pub last_activity_at: i64,
    pub dnd_end_time: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_statuses() {
        let s: Vec<Status> = serde_json::from_str(
            r#"[{"user_id":"u1","status":"online","manual":false,"last_activity_at":5,"active_channel":""}]"#,
        )
        .unwrap();
        assert_eq!(s[0].status, "online");
        assert!(serde_json::from_str::<Status>(r#"{"manual":"false"}"#).is_err());
    }
}
