use serde::{Deserialize, Serialize};

/// One version of a server's custom terms of service
/// (`GET /terms_of_service`). `text` is Markdown.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TermsOfService {
    pub id: String,
    pub create_at: i64,
    pub user_id: String,
    pub text: String,
}
