//! What a mail server would hold for the test server's users: the
//! verification link of the last email sent to an address, as Mattermost
//! words it (`{site}/do_verify_email?token=…&email=…`). Tests outside Rust
//! (the apps' screens) read it here as a person reads their inbox.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::shared::Shared;

pub async fn verification_link(
    State(shared): State<Arc<Shared>>,
    Path(email): Path<String>,
) -> Response {
    let email = email.to_lowercase();
    let token = shared.state().verification_tokens.get(&email).cloned();
    match token {
        Some(token) => {
            let mut link = match reqwest::Url::parse(&shared.site_url()) {
                Ok(url) => url,
                Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
            };
            link.set_path("/do_verify_email");
            link.query_pairs_mut()
                .append_pair("token", &token)
                .append_pair("email", &email);
            link.to_string().into_response()
        }
        None => (StatusCode::NOT_FOUND, "no mail for this address").into_response(),
    }
}
