//! User preferences.

use reqwest::Method;

use super::ApiClient;
use crate::error::Result;
use crate::model::Preference;

/// `GET /users/me/preferences`.
pub async fn my_preferences(api: &ApiClient) -> Result<Vec<Preference>> {
    api.get("/users/me/preferences", &[]).await
}

/// `PUT /users/me/preferences`.
pub async fn save_preferences(api: &ApiClient, preferences: &[Preference]) -> Result<()> {
    api.call(Method::PUT, "/users/me/preferences", Some(preferences))
        .await
}

/// `POST /users/me/preferences/delete`.
pub async fn delete_preferences(api: &ApiClient, preferences: &[Preference]) -> Result<()> {
    api.call(
        Method::POST,
        "/users/me/preferences/delete",
        Some(preferences),
    )
    .await
}
