//! Custom terms of service, as the real server keeps them: an
//! administrator writes a text (Enterprise licence required), each user
//! accepts the newest one or declines it. The server enforces nothing
//! itself: clients compare the user's accepted id with the newest terms
//! when the client config says `EnableCustomTermsOfService`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

use super::parse_body;
use crate::auth::Auth;
use crate::errors::{ApiError, ApiResult};
use crate::extract::Me;
use crate::ids::Id;
use crate::model::Role;
use crate::shared::Shared;

const NO_TERMS: &str = "app.terms_of_service.get.no_rows.app_error";

fn no_terms() -> ApiError {
    ApiError::new(404, NO_TERMS, "No terms of service found.")
}

/// `GET /terms_of_service`: the newest terms, 404 before the first.
pub async fn latest(State(shared): State<Arc<Shared>>, _auth: Auth) -> ApiResult<Json<Value>> {
    let state = shared.state();
    let terms = state.terms_of_service.last().ok_or_else(no_terms)?;
    Ok(Json(terms.to_json()))
}

/// `POST /terms_of_service` (system admins; needs the licence, as upstream).
pub async fn create(
    State(shared): State<Arc<Shared>>,
    auth: Auth,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    if shared.state().user(auth.user_id)?.role != Role::Admin {
        return Err(ApiError::permission("manage_system"));
    }
    if !shared.config.licensed {
        return Err(ApiError::new(
            400,
            "api.create_terms_of_service.custom_terms_of_service_disabled.app_error",
            "Custom terms of service feature is disabled",
        ));
    }
    let props: std::collections::HashMap<String, String> =
        serde_json::from_slice(&body).unwrap_or_default();
    let text = props.get("text").cloned().unwrap_or_default();
    if text.is_empty() {
        return Err(ApiError::new(
            400,
            "api.create_terms_of_service.empty_text.app_error",
            "Please enter text for your Custom Terms of Service.",
        ));
    }
    let terms = shared.state().publish_terms_of_service(auth.user_id, &text);
    Ok(Json(terms.to_json()))
}

/// `GET /users/{user_id}/terms_of_service`: what the caller accepted.
pub async fn of_user(State(shared): State<Arc<Shared>>, auth: Auth) -> ApiResult<Json<Value>> {
    let state = shared.state();
    let (terms_id, create_at) = state.user_terms.get(&auth.user_id).ok_or_else(|| {
        ApiError::new(
            404,
            "app.user_terms_of_service.get_by_user.no_rows.app_error",
            "No terms of service found.",
        )
    })?;
    Ok(Json(json!({
        "user_id": auth.user_id,
        "terms_of_service_id": terms_id,
        "create_at": create_at,
    })))
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Answer {
    terms_of_service_id: Option<Value>,
    accepted: Option<Value>,
}

/// `POST /users/{user_id}/terms_of_service` `{termsOfServiceId, accepted}`:
/// accepting records it, declining forgets an earlier acceptance.
pub async fn answer(
    State(shared): State<Arc<Shared>>,
    Me(me): Me,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let answer: Answer = parse_body(&body, "terms_of_service")?;
    let Some(Value::String(terms_id)) = answer.terms_of_service_id else {
        return Err(ApiError::invalid_param("termsOfServiceId"));
    };
    let Some(Value::Bool(accepted)) = answer.accepted else {
        return Err(ApiError::invalid_param("accepted"));
    };
    let mut state = shared.state();
    let known =
        Id::parse(&terms_id).is_some_and(|id| state.terms_of_service.iter().any(|t| t.id == id));
    if !known {
        return Err(no_terms());
    }
    if accepted {
        let now = state.now();
        state.user_terms.insert(me, (terms_id, now));
    } else {
        state.user_terms.remove(&me);
    }
    Ok(Json(json!({"status": "OK"})))
}
