//! `GET /users/autocomplete`: people of a team whose username, names or
//! nickname start with the typed name, split as the real server does into
//! members of the channel and everyone else of the team.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::Json;
use serde_json::{json, Value};

use crate::auth::Auth;
use crate::errors::{ApiError, ApiResult};
use crate::ids::Id;
use crate::model::User;
use crate::shared::Shared;

use super::paging;

pub async fn autocomplete(
    State(shared): State<Arc<Shared>>,
    auth: Auth,
    Query(query): Query<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    let team = query
        .get("in_team")
        .and_then(|t| Id::parse(t))
        .ok_or_else(|| ApiError::invalid_param("in_team"))?;
    let channel = query.get("in_channel").and_then(|c| Id::parse(c));
    let name = query
        .get("name")
        .map(|n| n.to_lowercase())
        .unwrap_or_default();
    let (_, limit) = paging(None, query.get("limit").map(String::as_str), 100);
    let state = shared.state();
    if !state.is_team_member(team, auth.user_id) {
        return Err(ApiError::permission("view_team"));
    }
    let matches = |u: &User| {
        u.delete_at == 0
            && [&u.username, &u.first_name, &u.last_name, &u.nickname]
                .iter()
                .any(|n| n.to_lowercase().starts_with(&name))
    };
    let mut people: Vec<&User> = state
        .users
        .values()
        .filter(|u| state.is_team_member(team, u.id) && matches(u))
        .collect();
    people.sort_by(|a, b| a.username.cmp(&b.username));
    let (inside, outside): (Vec<&User>, Vec<&User>) = people
        .into_iter()
        .partition(|u| channel.is_some_and(|c| state.is_member(c, u.id)));
    let render = |list: Vec<&User>| -> Vec<Value> {
        list.into_iter()
            .take(limit)
            .map(|u| u.to_json(u.id == auth.user_id))
            .collect()
    };
    Ok(Json(json!({
        "users": render(inside),
        "out_of_channel": render(outside),
    })))
}
