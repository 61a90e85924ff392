//! Who is calling: the bearer token and its session.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::HeaderMap;

use crate::errors::ApiError;
use crate::ids::Id;
use crate::shared::Shared;

/// The token of `Authorization: Bearer <token>` (or Mattermost's older
/// `Token <token>`).
pub fn bearer_token(headers: &HeaderMap) -> Option<String> {
    let value = headers.get("authorization")?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    if scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("token") {
        let token = token.trim();
        (!token.is_empty()).then(|| token.to_string())
    } else {
        None
    }
}

/// The user of a live session.
pub fn session_user(shared: &Shared, token: &str) -> Option<Id> {
    let state = shared.state();
    let session = state.sessions.get(token)?;
    if session.expired {
        return None;
    }
    let user = state.users.get(&session.user_id)?;
    (user.delete_at == 0).then_some(session.user_id)
}

/// An authenticated caller. Extracting it fails with Mattermost's 401
/// `api.context.session_expired.app_error`.
///
/// The first extraction in a request is remembered, so extractors that
/// build on it look the session up only once however many of them a handler
/// takes, and all of them see the same caller.
#[derive(Clone)]
pub struct Auth {
    pub user_id: Id,
    pub token: String,
}

impl FromRequestParts<Arc<Shared>> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, shared: &Arc<Shared>) -> Result<Auth, ApiError> {
        if let Some(auth) = parts.extensions.get::<Auth>() {
            return Ok(auth.clone());
        }
        let token = bearer_token(&parts.headers)
            .or_else(|| {
                parts.uri.query().and_then(|q| {
                    q.split('&')
                        .filter_map(|kv| kv.split_once('='))
                        .find(|(k, _)| *k == "access_token")
                        .map(|(_, v)| v.to_string())
                })
            })
            .ok_or_else(ApiError::session_expired)?;
        let user_id = session_user(shared, &token).ok_or_else(ApiError::session_expired)?;
        let auth = Auth { user_id, token };
        parts.extensions.insert(auth.clone());
        Ok(auth)
    }
}

impl Auth {
    /// Resolves a `{user_id}` path segment, where `me` is the caller.
    pub fn resolve(&self, user: &str) -> Result<Id, ApiError> {
        if user == "me" {
            Ok(self.user_id)
        } else {
            Id::parse(user).ok_or_else(|| ApiError::invalid_url_param("user_id"))
        }
    }

    /// Like [`Auth::resolve`], but only the caller themselves is allowed.
    pub fn require_self(&self, user: &str) -> Result<Id, ApiError> {
        let id = self.resolve(user)?;
        if id != self.user_id {
            return Err(ApiError::permission("edit_other_users"));
        }
        Ok(id)
    }
}

#[cfg(test)]
mod tests {
    use axum::http::Request;

    use super::*;
    use crate::config::ServerConfig;
    use crate::state::State;

    #[tokio::test]
    async fn the_caller_is_looked_up_once_per_request() {
        let mut state = State::default();
        state.accounts = crate::seed_miniature::generate(&mut state);
        let anna = state.usernames["anna.schulz"];
        let token = state.create_session(anna, "");
        let shared = Arc::new(Shared::new(ServerConfig::default(), state));
        let parts = || {
            Request::get("/api/v4/users/me")
                .header("authorization", format!("Bearer {token}"))
                .body(())
                .unwrap()
                .into_parts()
                .0
        };
        let mut first = parts();
        let auth = Auth::from_request_parts(&mut first, &shared).await.unwrap();
        assert_eq!(auth.user_id, anna);
        // Signed out meanwhile: this request keeps the caller it started
        // with, the next one is refused.
        shared.state().sessions.remove(&token);
        let again = Auth::from_request_parts(&mut first, &shared).await.unwrap();
        assert_eq!(again.user_id, anna);
        let refused = Auth::from_request_parts(&mut parts(), &shared).await;
        assert_eq!(refused.err().unwrap().status.as_u16(), 401);
    }
}
