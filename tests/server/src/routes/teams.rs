//! Teams, team members and team unreads.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::Json;
use serde_json::{json, Value};

use crate::auth::Auth;
use crate::errors::{ApiError, ApiResult};
use crate::events::Event;
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

#[derive(serde::Deserialize)]
pub struct NewTeam {
    #[serde(default)]
    name: String,
    #[serde(default)]
    display_name: String,
    #[serde(default, rename = "type")]
    kind: String,
    #[serde(default)]
    allow_open_invite: bool,
    #[serde(default)]
    allowed_domains: String,
}

/// `POST /teams`: the creator becomes its admin and joins its default
/// channels, as upstream (where any user may create teams by default).
pub async fn create_team(
    State(shared): State<Arc<Shared>>,
    auth: Auth,
    body: axum::body::Bytes,
) -> ApiResult<Json<Value>> {
    let new: NewTeam = super::parse_body(&body, "team")?;
    if !crate::model::is_valid_team_name(&new.name) {
        return Err(ApiError::new(
            400,
            "model.team.is_valid.url.app_error",
            "Invalid URL Identifier",
        ));
    }
    if new.display_name.trim().is_empty() {
        return Err(ApiError::new(
            400,
            "model.team.is_valid.name.app_error",
            "Invalid name.",
        ));
    }
    let mut state = shared.state();
    // As upstream: the creator's own address must be allowed.
    if !email_allowed(&state.user(auth.user_id)?.email, &new.allowed_domains) {
        return Err(ApiError::new(
            400,
            "api.team.is_team_creation_allowed.domain.app_error",
            "Email must be from a specific domain (e.g. @example.com). Please ask your System Administrator for details.",
        ));
    }
    if state.team_by_name(&new.name).is_some() {
        return Err(ApiError::new(
            400,
            "app.team.save.existing.app_error",
            "A team with that name already exists",
        ));
    }
    let open = new.kind == "O" && new.allow_open_invite;
    let id = state.create_team(&new.name, &new.display_name, open, &new.allowed_domains);
    state.add_team_member(id, auth.user_id, true);
    let now = state.now();
    for channel in ["town-square", "off-topic"] {
        if let Some(c) = state.channel_by_name(Some(id), channel).map(|c| c.id) {
            state.add_channel_member(c, auth.user_id, false, now);
        }
    }
    let team = state
        .teams
        .get(&id)
        .map(|t| t.to_json())
        .unwrap_or_default();
    Ok(Json(team))
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

/// `PUT /teams/{team_id}/patch` by a team or system admin: display name,
/// allowed domains, open invite.
pub async fn patch_team(
    State(shared): State<Arc<Shared>>,
    auth: Auth,
    TeamId(team): TeamId,
    body: axum::body::Bytes,
) -> ApiResult<Json<Value>> {
    let patch: Value = super::parse_body(&body, "team")?;
    let mut state = shared.state();
    let system_admin = state.user(auth.user_id)?.role == crate::model::Role::Admin;
    let team_admin = state
        .team_members
        .get(&team)
        .and_then(|m| m.get(&auth.user_id))
        .is_some_and(|m| m.admin);
    if !system_admin && !team_admin {
        return Err(ApiError::permission("manage_team"));
    }
    let now = state.now();
    let t = state
        .teams
        .get_mut(&team)
        .ok_or_else(ApiError::team_not_found)?;
    if let Some(name) = patch["display_name"].as_str() {
        t.display_name = name.to_string();
    }
    if let Some(domains) = patch["allowed_domains"].as_str() {
        t.allowed_domains = domains.to_string();
    }
    if let Some(open) = patch["allow_open_invite"].as_bool() {
        t.open = open;
    }
    t.update_at = now;
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

/// `model.normalizeDomains` and `IsEmailAddressAllowed`: domains separated
/// by spaces or commas, `@` optional; empty admits everyone.
fn email_allowed(email: &str, allowed_domains: &str) -> bool {
    let domains: Vec<String> = allowed_domains
        .to_lowercase()
        .replace(['@', ','], " ")
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    domains.is_empty()
        || email
            .to_lowercase()
            .rsplit_once('@')
            .is_some_and(|(_, d)| domains.iter().any(|a| a == d))
}

/// `POST /teams/{team_id}/members {team_id, user_id}`: a user joins an open
/// team (`allow_open_invite`) whose allowed domains admit their address;
/// they land in its default channels.
pub async fn join_team(
    State(shared): State<Arc<Shared>>,
    auth: Auth,
    TeamId(team): TeamId,
    body: axum::body::Bytes,
) -> ApiResult<(axum::http::StatusCode, Json<Value>)> {
    let body: Value = super::parse_body(&body, "team_member")?;
    let user = body["user_id"]
        .as_str()
        .and_then(crate::ids::Id::parse)
        .ok_or_else(|| ApiError::invalid_body_param("user_id"))?;
    if body["team_id"].as_str() != Some(team.to_string().as_str()) {
        return Err(ApiError::invalid_body_param("team_id"));
    }
    let (json, events) = {
        let mut state = shared.state();
        let t = state.team(team)?;
        let (open, domains) = (t.open, t.allowed_domains.clone());
        if user != auth.user_id || !open {
            return Err(ApiError::permission("add_user_to_team"));
        }
        let email = state.user(user)?.email.clone();
        if !email_allowed(&email, &domains) {
            return Err(ApiError::new(
                400,
                "api.team.join_user_to_team.allowed_domains.app_error",
                "The user cannot be added as the domain associated with the account is not permitted.",
            ));
        }
        let mut events = Vec::new();
        if !state.is_team_member(team, user) {
            state.add_team_member(team, user, false);
            events.push(Event::to_user(
                "added_to_team",
                user,
                json!({"team_id": team, "user_id": user}),
            ));
            for name in ["town-square", "off-topic"] {
                if let Some(c) = state.channel_by_name(Some(team), name).map(|c| c.id) {
                    if let Ok((_, joined)) = super::join_channel(&mut state, c, user, user) {
                        events.extend(joined);
                    }
                }
            }
        }
        let json = state
            .team_members
            .get(&team)
            .and_then(|m| m.get(&user))
            .map(|m| m.to_json(team, user))
            .unwrap_or_default();
        (json, events)
    };
    shared.publish(events);
    Ok((axum::http::StatusCode::CREATED, Json(json)))
}

/// `DELETE /teams/{team_id}/members/{user_id}`: leaving (or removing, for a
/// team admin) takes the user out of the team's channels too, with the
/// system message in town-square and `leave_team` to the team.
pub async fn leave_team(
    State(shared): State<Arc<Shared>>,
    auth: Auth,
    TeamId(team): TeamId,
    crate::extract::PathUser(user): crate::extract::PathUser,
) -> ApiResult<Json<Value>> {
    let events = {
        let mut state = shared.state();
        state.team(team)?;
        let admin = state
            .team_members
            .get(&team)
            .and_then(|m| m.get(&auth.user_id))
            .is_some_and(|m| m.admin);
        if user != auth.user_id && !admin {
            return Err(ApiError::permission("remove_user_from_team"));
        }
        if !state.is_team_member(team, user) {
            return Err(ApiError::new(
                400,
                "api.team.remove_user_from_team.missing.app_error",
                "The user does not appear to be part of this team.",
            ));
        }
        let members: Vec<_> = state
            .team_members
            .get(&team)
            .map(|m| m.keys().copied().collect())
            .unwrap_or_default();
        let mut events = Vec::new();
        let username = state.username(user);
        if let Some(town) = state
            .channel_by_name(Some(team), "town-square")
            .map(|c| c.id)
        {
            events.extend(
                state.system_post(
                    town,
                    user,
                    "system_leave_team",
                    format!("@{username} left the team."),
                    json!({"username": username})
                        .as_object()
                        .cloned()
                        .unwrap_or_default(),
                ),
            );
        }
        let channels: Vec<_> = state
            .channels
            .values()
            .filter(|c| c.team_id == Some(team))
            .map(|c| c.id)
            .collect();
        for channel in channels {
            state.remove_channel_member(channel, user);
        }
        if let Some(m) = state.team_members.get_mut(&team) {
            m.remove(&user);
        }
        if let Some(t) = state.user_teams.get_mut(&user) {
            t.remove(&team);
        }
        state.sidebars.remove(&(user, team));
        let mut event = Event::to_user(
            "leave_team",
            user,
            json!({"team_id": team, "user_id": user}),
        );
        event.user_id = None;
        event.team_id = Some(team);
        event.recipients = members;
        events.push(event);
        events
    };
    shared.publish(events);
    Ok(Json(json!({"status": "OK"})))
}
