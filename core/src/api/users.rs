//! Users: sign-in, sign-up, profile, lookups, statuses.

use reqwest::Method;
use serde::{Deserialize, Serialize};

use super::client::{decode_json, json_body};
use super::{ApiClient, RequestOptions};
use crate::error::{Error, Result};
use crate::model::{Status, User};
use crate::session::SessionToken;

/// Body of `POST /users/login`. Passwords and MFA codes are secrets: no
/// `Debug` on this type.
#[derive(Serialize)]
pub struct LoginRequest<'a> {
    pub login_id: &'a str,
    pub password: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    pub token: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    pub device_id: &'a str,
}

/// `POST /users/login`: the user and the session token from the `Token` header.
pub async fn login(api: &ApiClient, request: &LoginRequest<'_>) -> Result<(User, SessionToken)> {
    let raw = api
        .send(
            Method::POST,
            "/users/login",
            &[],
            json_body(request)?,
            RequestOptions::anonymous(),
        )
        .await?;
    let token = raw
        .headers
        .get("Token")
        .and_then(|v| v.to_str().ok())
        .map(SessionToken::new)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| Error::invalid_response("login answer carries no session token"))?;
    Ok((decode_json(&raw.body)?, token))
}

#[derive(Serialize)]
struct CodeExchange<'a> {
    login_code: &'a str,
    code_verifier: &'a str,
    state: &'a str,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CodeExchangeAnswer {
    token: String,
}

/// `POST /users/login/sso/code-exchange`: trades the one-time `login_code`
/// from the SSO redirect (plus the verifier whose S256 hash was sent when
/// starting) for a session token.
pub async fn sso_code_exchange(
    api: &ApiClient,
    login_code: &str,
    code_verifier: &str,
    state: &str,
) -> Result<SessionToken> {
    let body = CodeExchange {
        login_code,
        code_verifier,
        state,
    };
    let raw = api
        .send(
            Method::POST,
            "/users/login/sso/code-exchange",
            &[],
            json_body(&body)?,
            RequestOptions::anonymous(),
        )
        .await?;
    let answer: CodeExchangeAnswer = decode_json(&raw.body)?;
    let token = SessionToken::new(answer.token);
    if token.is_empty() {
        return Err(Error::invalid_response(
            "code exchange answer carries no token",
        ));
    }
    Ok(token)
}

/// `POST /users/logout`.
pub async fn logout(api: &ApiClient) -> Result<()> {
    api.call::<()>(Method::POST, "/users/logout", None).await
}

/// `GET /users/me`.
pub async fn me(api: &ApiClient) -> Result<User> {
    api.get("/users/me", &[]).await
}

/// `GET /users/{user_id}`.
pub async fn user(api: &ApiClient, user_id: &str) -> Result<User> {
    api.get(&format!("/users/{}", super::seg(user_id)), &[])
        .await
}

/// `POST /users/ids`.
pub async fn users_by_ids(api: &ApiClient, user_ids: &[String]) -> Result<Vec<User>> {
    if user_ids.is_empty() {
        return Ok(Vec::new());
    }
    api.post("/users/ids", user_ids).await
}

/// `POST /users/usernames`.
pub async fn users_by_usernames(api: &ApiClient, usernames: &[String]) -> Result<Vec<User>> {
    if usernames.is_empty() {
        return Ok(Vec::new());
    }
    api.post("/users/usernames", usernames).await
}

/// `POST /users/status/ids`.
pub async fn statuses_by_ids(api: &ApiClient, user_ids: &[String]) -> Result<Vec<Status>> {
    if user_ids.is_empty() {
        return Ok(Vec::new());
    }
    api.post("/users/status/ids", user_ids).await
}

/// Fields of `PUT /users/me/patch`; `None` leaves a field unchanged.
#[derive(Debug, Clone, Default, Serialize)]
pub struct UserPatch {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nickname: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub position: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
}

/// `PUT /users/me/patch`.
pub async fn patch_me(api: &ApiClient, patch: &UserPatch) -> Result<User> {
    api.put("/users/me/patch", patch).await
}

/// Body of `POST /users` (sign-up). No `Debug`: it holds the password.
#[derive(Serialize)]
pub struct NewUser<'a> {
    pub email: &'a str,
    pub username: &'a str,
    pub password: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    pub first_name: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    pub last_name: &'a str,
}

/// `POST /users` without a session (open sign-up).
pub async fn create_user(api: &ApiClient, new_user: &NewUser<'_>) -> Result<User> {
    let raw = api
        .send(
            Method::POST,
            "/users",
            &[],
            json_body(new_user)?,
            RequestOptions::anonymous(),
        )
        .await?;
    decode_json(&raw.body)
}

#[derive(Serialize)]
struct EmailBody<'a> {
    email: &'a str,
}

#[derive(Serialize)]
struct TokenBody<'a> {
    token: &'a str,
}

/// `POST /users/email/verify/send` (the server answers OK even for unknown
/// addresses).
pub async fn send_verification_email(api: &ApiClient, email: &str) -> Result<()> {
    api.send(
        Method::POST,
        "/users/email/verify/send",
        &[],
        json_body(&EmailBody { email })?,
        RequestOptions::anonymous(),
    )
    .await
    .map(|_| ())
}

/// `POST /users/email/verify` with the token from the email.
pub async fn verify_email(api: &ApiClient, token: &str) -> Result<()> {
    api.send(
        Method::POST,
        "/users/email/verify",
        &[],
        json_body(&TokenBody { token })?,
        RequestOptions::anonymous(),
    )
    .await
    .map(|_| ())
}

/// Body of `POST /users/search`.
#[derive(Debug, Clone, Serialize)]
pub struct UserSearch<'a> {
    pub term: &'a str,
    /// Only members of this team; empty for everyone the user may see.
    #[serde(skip_serializing_if = "str::is_empty")]
    pub team_id: &'a str,
    /// Deactivated accounts too (they come with `delete_at > 0`).
    pub allow_inactive: bool,
    /// 1..=1000 on the server; 100 when 0.
    pub limit: u32,
}

/// `POST /users/search`: users whose username, names or nickname start
/// with each word of `term` (the server's rule), within what the
/// server's privacy settings let this user see.
pub async fn search_users(api: &ApiClient, search: &UserSearch<'_>) -> Result<Vec<User>> {
    api.post("/users/search", search).await
}

/// Body of `PUT /users/{user_id}/status`. `dnd_end_time` is in seconds
/// since the epoch (the server rounds it down to the minute); 0 = none.
#[derive(Debug, Clone, Serialize)]
pub struct StatusUpdate<'a> {
    pub user_id: &'a str,
    pub status: &'a str,
    #[serde(skip_serializing_if = "is_zero")]
    pub dnd_end_time: i64,
}

fn is_zero(value: &i64) -> bool {
    *value == 0
}

/// `PUT /users/{user_id}/status`: the server checks that the body names the
/// same user as the path.
pub async fn set_status(api: &ApiClient, update: &StatusUpdate<'_>) -> Result<Status> {
    api.put(
        &format!("/users/{}/status", super::seg(update.user_id)),
        update,
    )
    .await
}
