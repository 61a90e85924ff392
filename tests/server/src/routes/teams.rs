//! Teams, team members and team unreads.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::Json;
use serde_json::Value;

use crate::auth::Auth;
use crate::errors::{ApiError, ApiResult};
use crate::extract::{Me, TeamId};
use crate::shared::Shared;

pub async fn my_teams(State(shared): State<Arc<Shared>>, Me(id): Me) -> ApiResult<Json<Value>> {
    let state = shared.state();
    let teams = state
        .user_teams
        .get(&id)
        .into_iter()
        .flatten()
        .filter_map(|t| state.teams.get(t))
        .map(|t| t.to_json())
        .collect();
    Ok(Json(Value::Array(teams)))
}

pub async fn my_team_members(
    State(shared): State<Arc<Shared>>,
    Me(id): Me,
) -> ApiResult<Json<Value>> {
    let state = shared.state();
    let members = state
        .user_teams
        .get(&id)
        .into_iter()
        .flatten()
        .filter_map(|t| {
            state
                .team_members
                .get(t)
                .and_then(|m| m.get(&id))
                .map(|m| m.to_json(*t, id))
        })
        .collect();
    Ok(Json(Value::Array(members)))
}

pub async fn my_team_unreads(
    State(shared): State<Arc<Shared>>,
    Me(id): Me,
) -> ApiResult<Json<Value>> {
    let state = shared.state();
    let unreads = state
        .user_teams
        .get(&id)
        .into_iter()
        .flatten()
        .map(|t| state.unread_for_team(id, *t))
        .collect();
    Ok(Json(Value::Array(unreads)))
}

pub async fn list_teams(State(shared): State<Arc<Shared>>, auth: Auth) -> ApiResult<Json<Value>> {
    let state = shared.state();
    let teams = state
        .teams
        .values()
        .filter(|t| t.open || state.is_team_member(t.id, auth.user_id))
        .map(|t| t.to_json())
        .collect();
    Ok(Json(Value::Array(teams)))
}

pub async fn get_team(
    State(shared): State<Arc<Shared>>,
    auth: Auth,
    TeamId(team): TeamId,
) -> ApiResult<Json<Value>> {
    let state = shared.state();
    let t = state.team(team)?;
    if !t.open && !state.is_team_member(team, auth.user_id) {
        return Err(ApiError::permission("view_team"));
    }
    Ok(Json(t.to_json()))
}

pub async fn get_team_by_name(
    State(shared): State<Arc<Shared>>,
    auth: Auth,
    Path(name): Path<String>,
) -> ApiResult<Json<Value>> {
    if !crate::model::is_valid_team_name(&name) {
        return Err(ApiError::invalid_url_param("team_name"));
    }
    let state = shared.state();
    let t = state
        .team_by_name(&name)
        .ok_or_else(ApiError::team_not_found)?;
    if !t.open && !state.is_team_member(t.id, auth.user_id) {
        return Err(ApiError::permission("view_team"));
    }
    Ok(Json(t.to_json()))
}

#[derive(serde::Deserialize)]
pub struct PageQuery {
    page: Option<String>,
    per_page: Option<String>,
}

pub async fn team_members(
    State(shared): State<Arc<Shared>>,
    auth: Auth,
    Query(q): Query<PageQuery>,
    TeamId(team): TeamId,
) -> ApiResult<Json<Value>> {
    let (page, per_page) = super::paging(q.page.as_deref(), q.per_page.as_deref(), 60);
    let state = shared.state();
    state.team(team)?;
    if !state.is_team_member(team, auth.user_id) {
        return Err(ApiError::permission("view_team"));
    }
    let members = state
        .team_members
        .get(&team)
        .into_iter()
        .flatten()
        .skip(page * per_page)
        .take(per_page)
        .map(|(user, m)| m.to_json(team, *user))
        .collect();
    Ok(Json(Value::Array(members)))
}
