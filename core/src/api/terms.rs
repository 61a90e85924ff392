//! Custom terms of service and the user's own account (GDPR Art. 17).

use reqwest::Method;
use serde::Serialize;

use super::ApiClient;
use crate::error::{Error, Result};
use crate::model::TermsOfService;

/// `GET /terms_of_service`: the newest version, `None` before the first.
pub async fn latest_terms_of_service(api: &ApiClient) -> Result<Option<TermsOfService>> {
    match api.get("/terms_of_service", &[]).await {
        Ok(terms) => Ok(Some(terms)),
        Err(Error::NotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TermsAnswer<'a> {
    terms_of_service_id: &'a str,
    accepted: bool,
}

/// `POST /users/me/terms_of_service`: accepting records it; declining
/// removes an earlier acceptance.
pub async fn answer_terms_of_service(
    api: &ApiClient,
    terms_of_service_id: &str,
    accepted: bool,
) -> Result<()> {
    api.call(
        Method::POST,
        "/users/me/terms_of_service",
        Some(&TermsAnswer {
            terms_of_service_id,
            accepted,
        }),
    )
    .await
}

/// `DELETE /users/{user_id}`: deactivates the account (not a permanent
/// deletion, which only administrators may do). Refused with
/// `Error::DeactivationDisabled` unless the server allows it.
pub async fn deactivate_user(api: &ApiClient, user_id: &str) -> Result<()> {
    api.call::<()>(
        Method::DELETE,
        &format!("/users/{}", super::seg(user_id)),
        None,
    )
    .await
}
