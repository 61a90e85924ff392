use serde::{Deserialize, Serialize};

use super::{null_as_default, JsonMap};

/// A message being written, as the server keeps it (`model.Draft`) when
/// its `AllowSyncedDrafts` setting is on.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Draft {
    pub create_at: i64,
    pub update_at: i64,
    pub delete_at: i64,
    pub user_id: String,
    pub channel_id: String,
    /// Empty for the channel's own composer, else the thread's root.
    pub root_id: String,
    pub message: String,
    #[serde(deserialize_with = "null_as_default")]
    pub props: JsonMap,
    #[serde(deserialize_with = "null_as_default")]
    pub file_ids: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_with_nulls_and_unknown_fields() {
        let drafts: Vec<Draft> = serde_json::from_str(
            r#"[{"create_at":1,"update_at":2,"delete_at":0,"user_id":"u","channel_id":"c",
                 "root_id":"","message":"Hallo","props":null,"file_ids":null,"priority":{}}]"#,
        )
        .unwrap();
        assert_eq!(drafts[0].message, "Hallo");
        assert!(drafts[0].file_ids.is_empty());
        assert!(serde_json::from_str::<Draft>(r#"{"message":5}"#).is_err());
    }
}
