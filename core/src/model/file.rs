use serde::{Deserialize, Serialize};

use super::null_as_default;

/// Metadata of an uploaded file (`model.FileInfo`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FileInfo {
    pub id: String,
    pub user_id: String,
    pub post_id: String,
    pub channel_id: String,
    pub create_at: i64,
    pub update_at: i64,
    pub delete_at: i64,
    pub name: String,
    pub extension: String,
    pub size: i64,
    pub mime_type: String,
    pub width: i64,
    pub height: i64,
    pub has_preview_image: bool,
    /// A tiny base64 JPEG preview, if the server made one.
    pub mini_preview: Option<String>,
    pub archived: bool,
}

/// Answer of `POST /files`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FileUploadResponse {
    #[serde(deserialize_with = "null_as_default")]
    pub file_infos: Vec<FileInfo>,
    #[serde(deserialize_with = "null_as_default")]
    pub client_ids: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_upload_response() {
        let r: FileUploadResponse = serde_json::from_str(
            r#"{"file_infos":[{"id":"f1","name":"Arbeitsblatt.pdf","extension":"pdf","size":1024,
                "mime_type":"application/pdf","channel_id":"c1","creator_id":"u1"}],"client_ids":[]}"#,
        )
        .unwrap();
        assert_eq!(r.file_infos[0].size, 1024);
        assert!(!r.file_infos[0].has_preview_image);
    }

    #[test]
    fn wrong_types_are_errors() {
        assert!(serde_json::from_str::<FileInfo>(r#"{"size":"big"}"#).is_err());
    }
}
