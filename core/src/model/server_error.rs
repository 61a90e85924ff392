use serde::{Deserialize, Serialize};

/// Mattermost's error body (`model.AppError` as JSON). `message` and
/// `detailed_error` may echo user input: keep them out of logs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ServerError {
    pub id: String,
    pub message: String,
    pub detailed_error: String,
    pub request_id: String,
    pub status_code: i64,
}

/// The `{"status":"OK"}` answer of many write endpoints.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct StatusOk {
    pub status: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_app_error() {
        let e: ServerError = serde_json::from_str(
            r#"{"id":"api.context.session_expired.app_error","message":"Invalid or expired session, please login again.",
                "detailed_error":"","request_id":"abc","status_code":401,"is_oauth":false}"#,
        )
        .unwrap();
        assert_eq!(e.id, "api.context.session_expired.app_error");
        assert_eq!(e.status_code, 401);
        let e: ServerError = serde_json::from_str(r#"{"id":"x"}"#).unwrap();
        assert_eq!(e.request_id, "");
        assert!(serde_json::from_str::<ServerError>(r#"{"status_code":"401"}"#).is_err());
    }
}
