//! Sign-in, sign-up, users, statuses, preferences, devices.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth::{bearer_token, Auth};
use crate::errors::{ApiError, ApiResult};
use crate::events::Event;
use crate::extract::{Me, PathUser};
use crate::ids::Id;
use crate::model::{parse_status, Preference, Role};
use crate::shared::Shared;
use crate::state::{hash_password, Account};

use super::parse_body;

#[derive(Deserialize)]
struct LoginBody {
    #[serde(default)]
    login_id: String,
    #[serde(default)]
    id: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    token: String,
    #[serde(default)]
    device_id: String,
}

/// The error a failed login is masked as, like the real server's deferred
/// mask in `api4/user.go`: with any SSO provider enabled it is the `_sso`
/// variant, otherwise the email/username one.
fn invalid_credentials(sso: bool) -> ApiError {
    if sso {
        ApiError::new(
            401,
            "api.user.login.invalid_credentials_sso",
            "Enter a valid email or username and/or password, or sign in using another method.",
        )
    } else {
        ApiError::new(
            401,
            "api.user.login.invalid_credentials_email_username",
            "Enter a valid email or username and/or password.",
        )
    }
}

/// A token that is not a six-digit code cannot even be checked.
fn mfa_missing() -> ApiError {
    ApiError::new(
        401,
        "mfa.validate_token.authenticate.app_error",
        "Invalid MFA token.",
    )
}

fn mfa_wrong() -> ApiError {
    ApiError::new(
        401,
        "api.user.check_user_mfa.bad_code.app_error",
        "Invalid MFA token.",
    )
}

/// `model.TokenSize`: verification tokens are 64 characters.
const VERIFY_TOKEN_LEN: usize = 64;

fn verify_token() -> String {
    let mut t = String::new();
    while t.len() < VERIFY_TOKEN_LEN {
        t.push_str(Id::random().as_str());
    }
    t.truncate(VERIFY_TOKEN_LEN);
    t
}

/// Failed attempts after which an account is locked (`MaximumLoginAttempts`).
const MAXIMUM_LOGIN_ATTEMPTS: u32 = 10;

pub fn totp_valid(secret_base32: &str, code: &str) -> bool {
    let Ok(secret) = totp_rs::Secret::Encoded(secret_base32.to_string()).to_bytes() else {
        return false;
    };
    let Ok(totp) = totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, 30, secret) else {
        return false;
    };
    totp.check_current(code).unwrap_or(false)
}

fn with_token(body: Value, token: &str, status: StatusCode) -> Response {
    let mut response = (status, Json(body)).into_response();
    if let Ok(v) = HeaderValue::from_str(token) {
        response.headers_mut().insert("Token", v);
    }
    response
}

pub async fn login(State(shared): State<Arc<Shared>>, body: Bytes) -> ApiResult<Response> {
    // Like `model.MapFromJSON`: a body that is not a string map counts as empty.
    let body: LoginBody = serde_json::from_slice(&body).unwrap_or(LoginBody {
        login_id: String::new(),
        id: String::new(),
        password: String::new(),
        token: String::new(),
        device_id: String::new(),
    });
    let login_id = if body.login_id.is_empty() {
        body.id
    } else {
        body.login_id
    };
    if body.password.is_empty() {
        return Err(ApiError::new(
            400,
            "api.user.login.blank_pwd.app_error",
            "Password field must not be blank",
        ));
    }
    let masked = invalid_credentials(shared.config.enable_sso);
    let mut state = shared.state();
    let user_id = state
        .user_by_login(&login_id)
        .map(|u| u.id)
        .ok_or_else(|| masked.clone())?;
    let require_verification = shared.config.require_email_verification;
    let user = state
        .users
        .get_mut(&user_id)
        .ok_or_else(|| masked.clone())?;
    if user.delete_at > 0 {
        return Err(ApiError::new(
            401,
            "api.user.login.inactive.app_error",
            "Login failed because your account has been deactivated. Please contact an administrator.",
        ));
    }
    if user.failed_attempts >= MAXIMUM_LOGIN_ATTEMPTS {
        return Err(ApiError::new(
            401,
            "api.user.check_user_login_attempts.too_many.app_error",
            "Your account is locked because of too many failed password attempts. Please reset your password.",
        ));
    }
    if hash_password(&user.password_salt, &body.password) != user.password_hash {
        user.failed_attempts += 1;
        return Err(masked);
    }
    if let Some(secret) = &user.mfa_secret {
        let code = body.token.trim();
        let well_formed = code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit());
        if !well_formed || !totp_valid(secret, code) {
            // An empty token is the client asking whether MFA is needed; it
            // does not count as a failed attempt.
            if !code.is_empty() {
                user.failed_attempts += 1;
            }
            return Err(if well_formed {
                mfa_wrong()
            } else {
                mfa_missing()
            });
        }
    }
    // The answer still shows the failed attempts this login resets.
    let json = user.to_json(true);
    user.failed_attempts = 0;
    if require_verification && !user.email_verified {
        return Err(ApiError::new(
            401,
            "api.user.login.not_verified.app_error",
            "Login failed because email address has not been verified.",
        ));
    }
    let token = state.create_session(user_id, &body.device_id);
    Ok(with_token(json, &token, StatusCode::OK))
}

/// `POST /users/login/sso/code-exchange {login_code, code_verifier, state}`:
/// the mobile SSO flow's one-time code becomes a session token.
pub async fn sso_code_exchange(
    State(shared): State<Arc<Shared>>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body: Value = parse_body(&body, "code_exchange")?;
    let code = body["login_code"].as_str().unwrap_or("");
    if code.is_empty() {
        return Err(ApiError::invalid_body_param("login_code"));
    }
    let bad_request = || {
        ApiError::new(
            400,
            "api.oauth.get_access_token.bad_request.app_error",
            "invalid_request: Bad request.",
        )
    };
    let mut state = shared.state();
    // A code is spent by any attempt, as a one-time code must be.
    let login = state.login_codes.remove(code).ok_or_else(bad_request)?;
    if let Some(challenge) = &login.code_challenge {
        let verifier = body["code_verifier"].as_str().unwrap_or("");
        if !super::sso::verifier_matches(challenge, verifier) {
            return Err(bad_request());
        }
    }
    if let Some(expected) = &login.state {
        if body["state"].as_str() != Some(expected.as_str()) {
            return Err(bad_request());
        }
    }
    Ok(Json(json!({"token": login.token, "csrf": Id::random()})))
}

pub async fn logout(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Json<Value> {
    if let Some(token) = bearer_token(&headers) {
        shared.state().sessions.remove(&token);
    }
    Json(json!({"status": "OK"}))
}

#[derive(Deserialize)]
struct NewUser {
    #[serde(default)]
    email: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
}

fn valid_username(name: &str) -> bool {
    let len_ok = (3..=22).contains(&name.len());
    let first_ok = name.chars().next().is_some_and(|c| c.is_ascii_lowercase());
    let chars_ok = name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c));
    len_ok && first_ok && chars_ok
}

/// Creates a user the way sign-up does; used by `POST /users` and the
/// in-process `create_user`.
pub fn sign_up(
    shared: &Shared,
    email: &str,
    username: &str,
    password: &str,
    first: &str,
    last: &str,
    by_admin: bool,
) -> ApiResult<Account> {
    let username = username.to_lowercase();
    let email = email.to_lowercase();
    if !valid_username(&username) {
        return Err(ApiError::new(400, "model.user.is_valid.username.app_error", "Username must begin with a letter and contain between 3 to 22 lowercase characters made up of numbers, letters, and the symbols '.', '-', and '_'."));
    }
    if !email.contains('@') || email.len() > 128 {
        return Err(ApiError::new(
            400,
            "model.user.is_valid.email.app_error",
            "Invalid email.",
        ));
    }
    if password.chars().count() < 8 || password.len() > 72 {
        return Err(ApiError::new(
            400,
            "model.user.is_valid.pwd_length.app_error",
            "Your password must contain between 8 and 72 characters.",
        ));
    }
    let mut state = shared.state();
    let first_user = state.users.is_empty();
    if !first_user && !shared.config.open_server && !by_admin {
        return Err(ApiError::new(403, "api.user.create_user.no_open_server", "This server does not allow open signups. Please speak with your Administrator to receive an invitation."));
    }
    if state.usernames.contains_key(&username) {
        return Err(ApiError::new(
            400,
            "app.user.save.username_exists.app_error",
            "An account with that username already exists.",
        ));
    }
    if state.emails.contains_key(&email) {
        return Err(ApiError::new(
            400,
            "app.user.save.email_exists.app_error",
            "An account with that email already exists.",
        ));
    }
    let role = if first_user {
        Role::Admin
    } else {
        Role::Student
    };
    let now = state.now();
    let salt: [u8; 16] = rand::random();
    let id = state.insert_user(
        Id::random(),
        &username,
        &email,
        password,
        first,
        last,
        role,
        salt,
        now,
    );
    if shared.config.require_email_verification && !by_admin {
        if let Some(u) = state.users.get_mut(&id) {
            u.email_verified = false;
        }
        state
            .verification_tokens
            .insert(email.clone(), verify_token());
    }
    let account = Account {
        user_id: id.to_string(),
        username,
        email,
        password: password.to_string(),
        role,
        mfa_secret: None,
    };
    state.accounts.push(account.clone());
    Ok(account)
}

pub async fn create_user(State(shared): State<Arc<Shared>>, body: Bytes) -> ApiResult<Response> {
    let new: NewUser = parse_body(&body, "user")?;
    let account = sign_up(
        &shared,
        &new.email,
        &new.username,
        &new.password,
        &new.first_name,
        &new.last_name,
        false,
    )?;
    let id = Id::parse(&account.user_id).ok_or_else(|| ApiError::internal("id"))?;
    let json = shared.state().user(id)?.to_json(true);
    Ok((StatusCode::CREATED, Json(json)).into_response())
}

pub async fn verify_email(
    State(shared): State<Arc<Shared>>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body: Value = parse_body(&body, "verify")?;
    let token = body["token"].as_str().unwrap_or("");
    if token.len() != VERIFY_TOKEN_LEN {
        return Err(ApiError::invalid_body_param("token"));
    }
    let mut state = shared.state();
    let email = state
        .verification_tokens
        .iter()
        .find(|(_, t)| t.as_str() == token && !token.is_empty())
        .map(|(e, _)| e.clone())
        .ok_or_else(|| {
            ApiError::new(
                400,
                "api.user.verify_email.bad_link.app_error",
                "Bad verify email link.",
            )
        })?;
    state.verification_tokens.remove(&email);
    if let Some(id) = state.emails.get(&email).copied() {
        if let Some(u) = state.users.get_mut(&id) {
            u.email_verified = true;
        }
    }
    Ok(Json(json!({"status": "OK"})))
}

pub async fn send_verification(
    State(shared): State<Arc<Shared>>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body: Value = parse_body(&body, "email")?;
    let email = body["email"].as_str().unwrap_or("").to_lowercase();
    let mut state = shared.state();
    let unverified = state
        .emails
        .get(&email)
        .and_then(|id| state.users.get(id))
        .is_some_and(|u| !u.email_verified);
    if unverified {
        state.verification_tokens.insert(email, verify_token());
    }
    // Always OK, so the endpoint does not reveal which emails exist.
    Ok(Json(json!({"status": "OK"})))
}

#[derive(Deserialize)]
pub struct ListQuery {
    page: Option<String>,
    per_page: Option<String>,
    in_team: Option<String>,
    in_channel: Option<String>,
}

pub async fn list_users(
    State(shared): State<Arc<Shared>>,
    auth: Auth,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Value>> {
    let (page, per_page) = super::paging(q.page.as_deref(), q.per_page.as_deref(), 60);
    let state = shared.state();
    let mut users: Vec<&crate::model::User> = state.users.values().collect();
    if let Some(team) = q.in_team.as_deref().and_then(Id::parse) {
        users.retain(|u| state.is_team_member(team, u.id));
    }
    if let Some(channel) = q.in_channel.as_deref().and_then(Id::parse) {
        users.retain(|u| state.is_member(channel, u.id));
    }
    users.sort_by(|a, b| a.username.cmp(&b.username));
    let out: Vec<Value> = users
        .into_iter()
        .skip(page * per_page)
        .take(per_page)
        .map(|u| u.to_json(u.id == auth.user_id))
        .collect();
    Ok(Json(Value::Array(out)))
}

pub async fn get_user(
    State(shared): State<Arc<Shared>>,
    auth: Auth,
    PathUser(id): PathUser,
) -> ApiResult<Response> {
    let state = shared.state();
    let is_self = id == auth.user_id;
    let mut json = state.user(id)?.to_json(is_self);
    // As upstream: one's own profile says which terms were accepted.
    if let (true, Some((terms_id, at)), Value::Object(m)) =
        (is_self, state.user_terms.get(&id), &mut json)
    {
        m.insert("terms_of_service_id".into(), json!(terms_id));
        m.insert("terms_of_service_create_at".into(), json!(at));
    }
    Ok(super::with_etag(json))
}

/// `DELETE /users/{user_id}`: deactivates the account (not permanent).
/// Oneself only while `EnableUserDeactivation` is on (401 otherwise, as
/// upstream); someone else only as a system admin. Every session of the
/// account ends and everyone gets `user_updated`.
pub async fn deactivate(
    State(shared): State<Arc<Shared>>,
    auth: Auth,
    PathUser(id): PathUser,
) -> ApiResult<Json<Value>> {
    let events = {
        let mut state = shared.state();
        let caller_is_admin = state.user(auth.user_id)?.role == Role::Admin;
        if id != auth.user_id && !caller_is_admin {
            return Err(ApiError::permission("edit_other_users"));
        }
        if id == auth.user_id && !shared.config.enable_user_deactivation && !caller_is_admin {
            return Err(ApiError::new(
                401,
                "api.user.update_active.not_enable.app_error",
                "You cannot deactivate yourself because this feature is not enabled. Please contact your System Administrator.",
            ));
        }
        let now = state.now();
        let user = state
            .users
            .get_mut(&id)
            .ok_or_else(ApiError::user_not_found)?;
        user.delete_at = now;
        user.update_at = now;
        let public = user.to_json(false);
        state.sessions.retain(|_, s| s.user_id != id);
        let everyone: Vec<Id> = state.users.keys().copied().collect();
        vec![Event {
            name: "user_updated",
            data: json!({"user": public}),
            channel_id: None,
            team_id: None,
            user_id: None,
            recipients: everyone,
            omit_users: Vec::new(),
        }]
    };
    shared.publish(events);
    Ok(Json(json!({"status": "OK"})))
}

#[derive(Deserialize)]
pub struct SinceQuery {
    since: Option<String>,
}

/// `POST /users/ids[?since=<ms>]`: with `since`, only the users updated
/// after it (`update_at > since`), as the real server's store filters.
pub async fn by_ids(
    State(shared): State<Arc<Shared>>,
    _auth: Auth,
    Query(q): Query<SinceQuery>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let ids: Vec<String> = parse_body(&body, "user_ids")?;
    if ids.is_empty() {
        return Err(ApiError::invalid_body_param("user_ids"));
    }
    let since = match q.since.as_deref() {
        None | Some("") => None,
        Some(s) => Some(
            s.parse::<i64>()
                .map_err(|_| ApiError::invalid_param("since"))?,
        ),
    };
    let state = shared.state();
    let out: Vec<Value> = ids
        .iter()
        .filter_map(|s| Id::parse(s))
        .filter_map(|id| state.users.get(&id))
        .filter(|u| since.is_none_or(|since| u.update_at > since))
        .map(|u| u.to_json(false))
        .collect();
    Ok(Json(Value::Array(out)))
}

pub async fn by_usernames(
    State(shared): State<Arc<Shared>>,
    _auth: Auth,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let names: Vec<String> = parse_body(&body, "usernames")?;
    if names.is_empty() {
        return Err(ApiError::invalid_body_param("usernames"));
    }
    let state = shared.state();
    let out: Vec<Value> = names
        .iter()
        .filter_map(|n| state.usernames.get(&n.to_lowercase()))
        .filter_map(|id| state.users.get(id))
        .map(|u| u.to_json(false))
        .collect();
    Ok(Json(Value::Array(out)))
}

pub async fn statuses_by_ids(
    State(shared): State<Arc<Shared>>,
    _auth: Auth,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let ids: Vec<String> = parse_body(&body, "user_ids")?;
    if ids.is_empty() {
        return Err(ApiError::invalid_body_param("user_ids"));
    }
    let state = shared.state();
    let out: Vec<Value> = ids
        .iter()
        .filter_map(|s| Id::parse(s))
        .filter_map(|id| state.statuses.get(&id).map(|s| s.to_json(id)))
        .collect();
    Ok(Json(Value::Array(out)))
}

pub async fn get_status(
    State(shared): State<Arc<Shared>>,
    PathUser(id): PathUser,
) -> ApiResult<Json<Value>> {
    let state = shared.state();
    state.user(id)?;
    let status = state
        .statuses
        .get(&id)
        .ok_or_else(ApiError::user_not_found)?;
    Ok(Json(status.to_json(id)))
}

/// `PUT /users/{user_id}/status {user_id, status, dnd_end_time}`: the body
/// must name the user of the path; a do-not-disturb end (seconds) is
/// rounded down to the minute, as the real server's expiry job counts.
pub async fn set_status(
    State(shared): State<Arc<Shared>>,
    Me(id): Me,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body: Value = parse_body(&body, "status")?;
    if body["user_id"].as_str() != Some(id.to_string().as_str()) {
        return Err(ApiError::invalid_body_param("user_id"));
    }
    let status = body["status"]
        .as_str()
        .and_then(parse_status)
        .ok_or_else(|| ApiError::invalid_body_param("status"))?;
    let dnd_end = body["dnd_end_time"].as_i64().unwrap_or(0).max(0);
    let (event, json) = {
        let mut state = shared.state();
        let event = state.set_status(id, status, true);
        if let Some(s) = state.statuses.get_mut(&id) {
            s.dnd_end_time = if status == "dnd" {
                dnd_end - dnd_end % 60
            } else {
                0
            };
        }
        let json = state
            .statuses
            .get(&id)
            .map(|s| s.to_json(id))
            .unwrap_or_default();
        (event, json)
    };
    shared.publish(event.into_iter().collect());
    Ok(Json(json))
}

pub async fn patch_user(
    State(shared): State<Arc<Shared>>,
    Me(id): Me,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let patch: Value = parse_body(&body, "user")?;
    let (json, events) = {
        let mut state = shared.state();
        let now = state.now();
        let user = state
            .users
            .get_mut(&id)
            .ok_or_else(ApiError::user_not_found)?;
        for (field, slot) in [
            ("first_name", &mut user.first_name),
            ("last_name", &mut user.last_name),
            ("nickname", &mut user.nickname),
            ("position", &mut user.position),
        ] {
            if let Some(v) = patch[field].as_str() {
                if v.chars().count() > 64 {
                    return Err(ApiError::new(
                        400,
                        &format!("model.user.is_valid.{field}.app_error"),
                        "Invalid field.",
                    ));
                }
                *slot = v.to_string();
            }
        }
        if let Some(props) = patch["notify_props"].as_object() {
            for (k, v) in props {
                if let Some(v) = v.as_str() {
                    user.notify_props.insert(k.clone(), v.to_string());
                }
            }
        }
        user.update_at = now;
        let json = user.to_json(true);
        let everyone: Vec<Id> = state.users.keys().copied().collect();
        let public = state
            .users
            .get(&id)
            .map(|u| u.to_json(false))
            .unwrap_or_default();
        let event = Event {
            name: "user_updated",
            data: json!({"user": public}),
            channel_id: None,
            team_id: None,
            user_id: None,
            recipients: everyone,
            omit_users: Vec::new(),
        };
        (json, vec![event])
    };
    shared.publish(events);
    Ok(Json(json))
}

pub async fn create_access_token(
    State(shared): State<Arc<Shared>>,
    Me(id): Me,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body: Value = parse_body(&body, "token")?;
    let description = body["description"].as_str().unwrap_or("").to_string();
    if description.is_empty() {
        return Err(ApiError::new(
            400,
            "model.user_access_token.is_valid.description.app_error",
            "Invalid description, must be 255 or less characters.",
        ));
    }
    let mut state = shared.state();
    let token = state.create_session(id, "");
    let token_id = Id::random();
    state.access_tokens.insert(token_id, (id, token.clone()));
    Ok(Json(
        json!({"id": token_id, "token": token, "user_id": id, "description": description, "is_active": true}),
    ))
}

pub async fn attach_device(
    State(shared): State<Arc<Shared>>,
    auth: Auth,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body: Value = parse_body(&body, "device_id")?;
    let device_id = body["device_id"].as_str().unwrap_or("");
    // The real server (11.x) only refuses an empty id; the platform is the
    // push proxy's business (`tests/recordings/register_device_bad_platform.json`).
    // The length cap keeps hostile sizes out of the session table.
    if device_id.is_empty() || device_id.len() > crate::push::MAX_DEVICE_ID_LEN {
        return Err(ApiError::invalid_param("device_id"));
    }
    let mut state = shared.state();
    // Another session of this device loses it, as on the real server.
    let token = auth.token.clone();
    let user_id = auth.user_id;
    state
        .sessions
        .retain(|t, s| *t == token || !(s.user_id == user_id && s.device_id == device_id));
    if let Some(s) = state.sessions.get_mut(&token) {
        s.device_id = device_id.to_string();
    }
    Ok(Json(json!({"status": "OK"})))
}

/// `GET /users/{user_id}/sessions`: the caller's own sessions, with the
/// device id each carries (the real server also hides the token).
pub async fn own_sessions(State(shared): State<Arc<Shared>>, Me(id): Me) -> ApiResult<Json<Value>> {
    let state = shared.state();
    let sessions = state
        .sessions
        .values()
        .filter(|s| s.user_id == id && !s.expired)
        .map(|s| json!({"user_id": id, "device_id": s.device_id}))
        .collect();
    Ok(Json(Value::Array(sessions)))
}

pub async fn get_preferences(
    State(shared): State<Arc<Shared>>,
    Me(id): Me,
) -> ApiResult<Json<Value>> {
    Ok(Json(Value::Array(shared.state().preferences_of(id))))
}

fn parse_preferences(body: &[u8], user: Id) -> ApiResult<Vec<Preference>> {
    let list: Vec<Value> = parse_body(body, "preferences")?;
    if list.is_empty() {
        return Err(ApiError::invalid_body_param("preferences"));
    }
    list.iter()
        .map(|p| {
            if p["user_id"].as_str().is_some_and(|u| u != user.as_str()) {
                return Err(ApiError::permission("edit_other_users"));
            }
            let category = p["category"].as_str().unwrap_or("");
            let name = p["name"].as_str().unwrap_or("");
            if category.is_empty() || category.len() > 32 || name.len() > 32 {
                return Err(ApiError::new(
                    400,
                    "model.preference.is_valid.category.app_error",
                    "Invalid category.",
                ));
            }
            Ok(Preference {
                category: category.to_string(),
                name: name.to_string(),
                value: p["value"].as_str().unwrap_or("").to_string(),
            })
        })
        .collect()
}

pub async fn put_preferences(
    State(shared): State<Arc<Shared>>,
    Me(id): Me,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let prefs = parse_preferences(&body, id)?;
    let json: Vec<Value> = prefs.iter().map(|p| p.to_json(id)).collect();
    {
        let mut state = shared.state();
        state.favorites_from_preferences(id, &prefs);
        for p in prefs {
            state.set_preference(id, p);
        }
    }
    // As the real server: the sidebar follows favorites saved as
    // preferences, and says so without saying which categories changed.
    shared.publish(vec![
        Event::to_user("sidebar_category_updated", id, json!({})),
        Event::to_user(
            "preferences_changed",
            id,
            json!({"preferences": Value::Array(json).to_string()}),
        ),
    ]);
    Ok(Json(json!({"status": "OK"})))
}

pub async fn delete_preferences(
    State(shared): State<Arc<Shared>>,
    Me(id): Me,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let prefs = parse_preferences(&body, id)?;
    let json: Vec<Value> = prefs.iter().map(|p| p.to_json(id)).collect();
    {
        let mut state = shared.state();
        if let Some(list) = state.preferences.get_mut(&id) {
            list.retain(|p| {
                !prefs
                    .iter()
                    .any(|d| d.category == p.category && d.name == p.name)
            });
        }
    }
    shared.publish(vec![Event::to_user(
        "preferences_deleted",
        id,
        json!({"preferences": Value::Array(json).to_string()}),
    )]);
    Ok(Json(json!({"status": "OK"})))
}
