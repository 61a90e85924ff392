//! Channels, channel members, sidebar categories, viewing.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::auth::Auth;
use crate::errors::{ApiError, ApiResult};
use crate::events::Event;
use crate::extract::{ChannelId, Me, MyTeam, PathUser, ReadableChannel, TeamId};
use crate::ids::Id;
use crate::model::{Channel, ChannelType};
use crate::shared::Shared;
use crate::state::State as Data;

use super::parse_body;

#[derive(Deserialize)]
pub struct ChannelsQuery {
    last_delete_at: Option<i64>,
    include_deleted: Option<bool>,
}

fn user_channels<'a>(
    state: &'a Data,
    user: Id,
    team: Option<Id>,
    q: &ChannelsQuery,
) -> Vec<&'a Channel> {
    let include_deleted = q.include_deleted.unwrap_or(false);
    let last_delete_at = q.last_delete_at.unwrap_or(0);
    state
        .user_channels
        .get(&user)
        .into_iter()
        .flatten()
        .filter_map(|c| state.channels.get(c))
        .filter(|c| team.is_none() || c.team_id.is_none() || c.team_id == team)
        .filter(|c| c.delete_at == 0 || (include_deleted && c.delete_at >= last_delete_at))
        .collect()
}

pub async fn my_channels(
    State(shared): State<Arc<Shared>>,
    _auth: Auth,
    Query(q): Query<ChannelsQuery>,
    Me(id): Me,
) -> ApiResult<Json<Value>> {
    let state = shared.state();
    let list = user_channels(&state, id, None, &q)
        .into_iter()
        .map(Channel::to_json)
        .collect();
    Ok(Json(Value::Array(list)))
}

pub async fn my_team_channels(
    State(shared): State<Arc<Shared>>,
    _auth: Auth,
    Query(q): Query<ChannelsQuery>,
    Me(id): Me,
    MyTeam(team): MyTeam,
) -> ApiResult<Response> {
    let state = shared.state();
    let list = user_channels(&state, id, Some(team), &q)
        .into_iter()
        .map(Channel::to_json)
        .collect();
    Ok(super::with_etag(Value::Array(list)))
}

#[derive(Deserialize)]
pub struct PageQuery {
    page: Option<String>,
    per_page: Option<String>,
}

/// All of the user's channel members across teams, with team data
/// (`ChannelMemberWithTeamData`). Without `page`/`per_page` every member is
/// returned; with them, one page.
pub async fn my_channel_members(
    State(shared): State<Arc<Shared>>,
    _auth: Auth,
    Query(q): Query<PageQuery>,
    Me(id): Me,
) -> ApiResult<Json<Value>> {
    let paged = q.page.is_some() || q.per_page.is_some();
    let (page, per_page) = super::paging(q.page.as_deref(), q.per_page.as_deref(), 60);
    let (skip, take) = if paged {
        (page * per_page, per_page)
    } else {
        (0, usize::MAX)
    };
    let state = shared.state();
    let list = state
        .user_channels
        .get(&id)
        .into_iter()
        .flatten()
        .skip(skip)
        .take(take)
        .filter_map(|c| {
            let mut json = state.member(*c, id)?.to_json(*c, id);
            let team = state
                .channels
                .get(c)
                .and_then(|ch| ch.team_id)
                .and_then(|t| state.teams.get(&t));
            json["team_display_name"] = json!(team.map(|t| t.display_name.as_str()).unwrap_or(""));
            json["team_name"] = json!(team.map(|t| t.name.as_str()).unwrap_or(""));
            json["team_update_at"] = json!(team.map(|t| t.update_at).unwrap_or(0));
            Some(json)
        })
        .collect();
    Ok(Json(Value::Array(list)))
}

pub async fn my_team_channel_members(
    State(shared): State<Arc<Shared>>,
    Me(id): Me,
    MyTeam(team): MyTeam,
) -> ApiResult<Json<Value>> {
    let state = shared.state();
    let q = ChannelsQuery {
        last_delete_at: None,
        include_deleted: Some(false),
    };
    let list = user_channels(&state, id, Some(team), &q)
        .into_iter()
        .filter_map(|c| state.member(c.id, id).map(|m| m.to_json(c.id, id)))
        .collect();
    Ok(Json(Value::Array(list)))
}

pub async fn public_team_channels(
    State(shared): State<Arc<Shared>>,
    _auth: Auth,
    Query(q): Query<PageQuery>,
    MyTeam(team): MyTeam,
) -> ApiResult<Json<Value>> {
    let (page, per_page) = super::paging(q.page.as_deref(), q.per_page.as_deref(), 60);
    let state = shared.state();
    let mut list: Vec<&Channel> = state
        .channels
        .values()
        .filter(|c| c.team_id == Some(team) && c.kind == ChannelType::Open && c.delete_at == 0)
        .collect();
    list.sort_by(|a, b| a.display_name.cmp(&b.display_name));
    let out = list
        .into_iter()
        .skip(page * per_page)
        .take(per_page)
        .map(Channel::to_json)
        .collect();
    Ok(Json(Value::Array(out)))
}

pub async fn channel_by_name(
    State(shared): State<Arc<Shared>>,
    auth: Auth,
    TeamId(team): TeamId,
    Path((_, name)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let state = shared.state();
    let channel = state
        .channel_by_name(Some(team), &name)
        .ok_or_else(ApiError::channel_not_found)?;
    if !state.can_read(channel, auth.user_id) {
        return Err(ApiError::channel_not_found());
    }
    Ok(Json(channel.to_json()))
}

/// `GET /teams/name/{team_name}/channels/name/{channel_name}`.
pub async fn channel_by_team_and_name(
    State(shared): State<Arc<Shared>>,
    auth: Auth,
    Path((team_name, name)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let state = shared.state();
    let team = state
        .team_by_name(&team_name)
        .map(|t| t.id)
        .ok_or_else(ApiError::channel_not_found)?;
    let channel = state
        .channel_by_name(Some(team), &name)
        .ok_or_else(ApiError::channel_not_found)?;
    if !state.can_read(channel, auth.user_id) {
        return Err(ApiError::channel_not_found());
    }
    Ok(Json(channel.to_json()))
}

pub async fn get_channel(
    State(shared): State<Arc<Shared>>,
    auth: Auth,
    ChannelId(channel): ChannelId,
) -> ApiResult<Json<Value>> {
    let state = shared.state();
    // Only this lookup names the id in its message on the real server.
    let c = state.channel(channel).map_err(|_| ApiError {
        message: format!("Unable to find the existing channel {channel}."),
        ..ApiError::channel_not_found()
    })?;
    if !state.can_read(c, auth.user_id) {
        return Err(ApiError::permission("read_channel"));
    }
    Ok(Json(c.to_json()))
}

fn valid_channel_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        && !name.starts_with('-')
}

#[derive(Deserialize)]
struct NewChannel {
    #[serde(default)]
    team_id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    display_name: String,
    #[serde(default, rename = "type")]
    kind: String,
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    header: String,
}

/// Creates a team channel for `creator`; shared by the API and `/join`-less tests.
#[allow(clippy::too_many_arguments)]
pub fn create_team_channel(
    state: &mut Data,
    creator: Id,
    team: Id,
    name: &str,
    display_name: &str,
    kind: ChannelType,
    purpose: &str,
    header: &str,
) -> ApiResult<(Value, Vec<Event>)> {
    state.team(team)?;
    if !state.is_team_member(team, creator) {
        return Err(ApiError::permission("create_public_channel"));
    }
    if !valid_channel_name(name) {
        return Err(ApiError::new(
            400,
            "model.channel.is_valid.name.app_error",
            "Invalid channel name.",
        ));
    }
    if display_name.trim().is_empty() || display_name.chars().count() > 64 {
        return Err(ApiError::new(
            400,
            "model.channel.is_valid.display_name.app_error",
            "Invalid display name.",
        ));
    }
    if kind.is_direct_or_group() {
        return Err(ApiError::invalid_body_param("type"));
    }
    if state.channel_by_name(Some(team), name).is_some() {
        return Err(ApiError::new(
            400,
            "store.sql_channel.save_channel.exists.app_error",
            "A channel with that name already exists on the same team.",
        ));
    }
    let now = state.now();
    let id = state.insert_channel(
        Id::random(),
        Some(team),
        kind,
        name,
        display_name,
        Some(creator),
        now,
    );
    if let Some(c) = state.channels.get_mut(&id) {
        c.purpose = purpose.to_string();
        c.header = header.to_string();
    }
    state.add_channel_member(id, creator, true, now);
    let json = state.channel(id)?.to_json();
    let event = Event::to_user(
        "channel_created",
        creator,
        json!({"channel_id": id, "team_id": team}),
    );
    Ok((json, vec![event]))
}

pub async fn create_channel(
    State(shared): State<Arc<Shared>>,
    auth: Auth,
    body: Bytes,
) -> ApiResult<Response> {
    let new: NewChannel = parse_body(&body, "channel")?;
    let team = Id::parse(&new.team_id).ok_or_else(|| ApiError::invalid_body_param("team_id"))?;
    let kind = match ChannelType::parse(&new.kind) {
        Some(k @ (ChannelType::Open | ChannelType::Private)) => k,
        _ => return Err(ApiError::invalid_body_param("type")),
    };
    let (json, events) = {
        let mut state = shared.state();
        create_team_channel(
            &mut state,
            auth.user_id,
            team,
            &new.name,
            &new.display_name,
            kind,
            &new.purpose,
            &new.header,
        )?
    };
    shared.publish(events);
    Ok((StatusCode::CREATED, Json(json)).into_response())
}

pub async fn create_direct(
    State(shared): State<Arc<Shared>>,
    auth: Auth,
    body: Bytes,
) -> ApiResult<Response> {
    let ids: Vec<String> = parse_body(&body, "user_ids")?;
    let ids: Vec<Id> = ids.iter().filter_map(|s| Id::parse(s)).collect();
    if ids.len() != 2 || !ids.contains(&auth.user_id) {
        return Err(ApiError::invalid_body_param("user_ids"));
    }
    let (json, events) = {
        let mut state = shared.state();
        let (id, events) = open_direct(&mut state, auth.user_id, ids[0], ids[1])?;
        (state.channel(id)?.to_json(), events)
    };
    shared.publish(events);
    Ok((StatusCode::CREATED, Json(json)).into_response())
}

/// The direct channel of `a` and `b`, created (and announced to both) when
/// there is none yet.
pub fn open_direct(state: &mut Data, creator: Id, a: Id, b: Id) -> ApiResult<(Id, Vec<Event>)> {
    state.user(a)?;
    state.user(b)?;
    let (id, created) = state.direct_channel(a, b);
    let mut events = Vec::new();
    if created {
        for (me, other) in [(a, b), (b, a)] {
            events.push(Event {
                name: "direct_added",
                data: json!({"creator_id": creator, "teammate_id": other}),
                channel_id: Some(id),
                team_id: None,
                user_id: None,
                recipients: vec![me],
                omit_users: Vec::new(),
            });
        }
    }
    Ok((id, events))
}

pub async fn create_group(
    State(shared): State<Arc<Shared>>,
    auth: Auth,
    body: Bytes,
) -> ApiResult<Response> {
    let ids: Vec<String> = parse_body(&body, "user_ids")?;
    let mut ids: Vec<Id> = ids.iter().filter_map(|s| Id::parse(s)).collect();
    if !ids.contains(&auth.user_id) {
        ids.push(auth.user_id);
    }
    ids.sort();
    ids.dedup();
    if !(3..=8).contains(&ids.len()) {
        return Err(ApiError::new(
            400,
            "api.channel.create_group.bad_size.app_error",
            "Group message channels must contain at least 3 and no more than 8 users.",
        ));
    }
    let (json, events) = {
        let mut state = shared.state();
        let (id, events) = open_group(&mut state, &ids)?;
        (state.channel(id)?.to_json(), events)
    };
    shared.publish(events);
    Ok((StatusCode::CREATED, Json(json)).into_response())
}

/// The group channel of `ids` (sorted, 3 to 8 people), created (and
/// announced to them) when there is none yet.
pub fn open_group(state: &mut Data, ids: &[Id]) -> ApiResult<(Id, Vec<Event>)> {
    for id in ids {
        state.user(*id)?;
    }
    let (id, created) = state.group_channel(ids);
    let mut events = Vec::new();
    if created {
        let teammates = serde_json::to_string(&ids.iter().map(Id::to_string).collect::<Vec<_>>())
            .unwrap_or_default();
        events.push(Event::to_channel(
            "group_added",
            id,
            ids.to_vec(),
            json!({"teammate_ids": teammates}),
        ));
    }
    Ok((id, events))
}

pub async fn view_channel(
    State(shared): State<Arc<Shared>>,
    Me(id): Me,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body: Value = parse_body(&body, "view")?;
    let channel = body["channel_id"].as_str().unwrap_or("");
    let mut ids = Vec::new();
    if !channel.is_empty() {
        ids.push(Id::parse(channel).ok_or_else(|| ApiError::invalid_body_param("channel_id"))?);
    }
    let times = {
        let mut state = shared.state();
        for c in &ids {
            state.channel(*c)?;
            if !state.is_member(*c, id) {
                return Err(ApiError::permission("read_channel"));
            }
        }
        state.view_channels(id, &ids)
    };
    let times: Map<String, Value> = times
        .into_iter()
        .map(|(c, t)| (c.to_string(), json!(t)))
        .collect();
    if !times.is_empty() {
        shared.publish(vec![Event::to_user(
            "multiple_channels_viewed",
            id,
            json!({"channel_times": times}),
        )]);
    }
    Ok(Json(json!({"status": "OK", "last_viewed_at_times": times})))
}

pub async fn channel_members(
    State(shared): State<Arc<Shared>>,
    _auth: Auth,
    Query(q): Query<PageQuery>,
    ReadableChannel(channel): ReadableChannel,
) -> ApiResult<Json<Value>> {
    let (page, per_page) = super::paging(q.page.as_deref(), q.per_page.as_deref(), 60);
    let state = shared.state();
    let list = state
        .channel_members
        .get(&channel)
        .into_iter()
        .flatten()
        .skip(page * per_page)
        .take(per_page)
        .map(|(u, m)| m.to_json(channel, *u))
        .collect();
    Ok(Json(Value::Array(list)))
}

pub async fn get_member(
    State(shared): State<Arc<Shared>>,
    auth: Auth,
    ChannelId(channel): ChannelId,
    PathUser(user): PathUser,
) -> ApiResult<Json<Value>> {
    let state = shared.state();
    let c = state.channel(channel)?;
    if !state.can_read(c, auth.user_id) {
        return Err(ApiError::permission("read_channel"));
    }
    let m = state.member(channel, user).ok_or_else(|| {
        ApiError::new(
            404,
            "app.channel.get_member.missing.app_error",
            "No channel member found for that user ID and channel ID.",
        )
    })?;
    Ok(Json(m.to_json(channel, user)))
}

/// Adds `user` to `channel` on behalf of `actor` (joining when they are the
/// same), with the system message and events the real server sends.
pub fn join_channel(
    state: &mut Data,
    channel: Id,
    user: Id,
    actor: Id,
) -> ApiResult<(Value, Vec<Event>)> {
    let c = state.channel(channel)?;
    let kind = c.kind;
    let team = c.team_id;
    if c.delete_at > 0 {
        return Err(ApiError::new(
            400,
            "api.channel.add_user.to.channel.failed.deleted.app_error",
            "Failed to add user to channel because channel has been archived.",
        ));
    }
    if kind.is_direct_or_group() {
        return Err(ApiError::new(
            400,
            "api.channel.add_user_to_channel.type.app_error",
            "Can not add user to this channel type.",
        ));
    }
    state.user(user)?;
    let team = team.ok_or_else(ApiError::channel_not_found)?;
    if !state.is_team_member(team, user) {
        return Err(ApiError::new(
            403,
            "api.channel.add_user.to.channel.failed.app_error",
            "Failed to add user to channel.",
        ));
    }
    let allowed = if user == actor {
        kind == ChannelType::Open
    } else {
        state.is_member(channel, actor)
    };
    if !allowed {
        return Err(ApiError::permission(if kind == ChannelType::Open {
            "join_public_channels"
        } else {
            "manage_private_channel_members"
        }));
    }
    let mut events = Vec::new();
    if !state.is_member(channel, user) {
        let now = state.now();
        state.add_channel_member(channel, user, false, now);
        let username = state.username(user);
        let (kind_name, message, props) = if user == actor {
            (
                "system_join_channel",
                format!("@{username} joined the channel."),
                json!({"username": username}),
            )
        } else {
            let actor_name = state.username(actor);
            (
                "system_add_to_channel",
                format!("@{username} added to the channel by @{actor_name}."),
                json!({"userId": actor, "username": actor_name, "addedUserId": user, "addedUsername": username}),
            )
        };
        let mut members = state.channel_member_ids(channel);
        members.push(user);
        events.push(Event {
            name: "user_added",
            data: json!({"team_id": team, "user_id": user}),
            channel_id: Some(channel),
            team_id: None,
            user_id: None,
            recipients: members,
            omit_users: Vec::new(),
        });
        let props = props.as_object().cloned().unwrap_or_default();
        events.extend(state.system_post(channel, actor, kind_name, message, props));
    }
    let member = state
        .member(channel, user)
        .map(|m| m.to_json(channel, user))
        .unwrap_or_default();
    Ok((member, events))
}

pub async fn add_member(
    State(shared): State<Arc<Shared>>,
    auth: Auth,
    ChannelId(channel): ChannelId,
    body: Bytes,
) -> ApiResult<Response> {
    let body: Value = parse_body(&body, "user_id")?;
    let user = body["user_id"]
        .as_str()
        .and_then(Id::parse)
        .ok_or_else(|| ApiError::invalid_body_param("user_id"))?;
    let (json, events) = {
        let mut state = shared.state();
        join_channel(&mut state, channel, user, auth.user_id)?
    };
    shared.publish(events);
    Ok((StatusCode::CREATED, Json(json)).into_response())
}

/// Removes `user` from `channel` (leaving when `actor` is the same user).
pub fn leave_channel(state: &mut Data, channel: Id, user: Id, actor: Id) -> ApiResult<Vec<Event>> {
    let c = state.channel(channel)?;
    if c.name == "town-square" {
        return Err(ApiError::new(
            400,
            "api.channel.remove.default.app_error",
            "Unable to remove user from the default channel town-square.",
        ));
    }
    if c.kind.is_direct_or_group() {
        return Err(ApiError::new(
            400,
            "api.channel.remove_user_from_channel.app_error",
            "Cannot remove user from this channel type.",
        ));
    }
    if user != actor && !state.is_member(channel, actor) {
        return Err(ApiError::permission("manage_public_channel_members"));
    }
    if !state.is_member(channel, user) {
        return Ok(Vec::new());
    }
    let username = state.username(user);
    let mut events = if user == actor {
        state.system_post(
            channel,
            user,
            "system_leave_channel",
            format!("@{username} left the channel."),
            json!({"username": username})
                .as_object()
                .cloned()
                .unwrap_or_default(),
        )
    } else {
        state.system_post(
            channel,
            actor,
            "system_remove_from_channel",
            format!("@{username} was removed from the channel."),
            json!({"removedUserId": user, "removedUsername": username})
                .as_object()
                .cloned()
                .unwrap_or_default(),
        )
    };
    let members = state.channel_member_ids(channel);
    state.remove_channel_member(channel, user);
    events.push(Event {
        name: "user_removed",
        data: json!({"user_id": user, "remover_id": actor}),
        channel_id: Some(channel),
        team_id: None,
        user_id: None,
        recipients: members,
        omit_users: vec![user],
    });
    events.push(Event::to_user(
        "user_removed",
        user,
        json!({"channel_id": channel, "remover_id": actor}),
    ));
    Ok(events)
}

pub async fn remove_member(
    State(shared): State<Arc<Shared>>,
    auth: Auth,
    ChannelId(channel): ChannelId,
    PathUser(user): PathUser,
) -> ApiResult<Json<Value>> {
    let events = {
        let mut state = shared.state();
        leave_channel(&mut state, channel, user, auth.user_id)?
    };
    shared.publish(events);
    Ok(Json(json!({"status": "OK"})))
}

pub async fn update_notify_props(
    State(shared): State<Arc<Shared>>,
    ChannelId(channel): ChannelId,
    Me(user): Me,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let props: Map<String, Value> = parse_body(&body, "notify_props")?;
    let event = {
        let mut state = shared.state();
        state.channel(channel)?;
        let now = state.now();
        let member = state
            .channel_members
            .get_mut(&channel)
            .and_then(|m| m.get_mut(&user))
            .ok_or_else(|| {
                ApiError::new(
                    404,
                    "app.channel.get_member.missing.app_error",
                    "No channel member found for that user ID and channel ID.",
                )
            })?;
        for (k, v) in props {
            let Some(v) = v.as_str() else { continue };
            if k == "mark_unread" && v != "all" && v != "mention" {
                return Err(ApiError::new(
                    400,
                    "model.channel_member.is_valid.notify_level.app_error",
                    "Invalid notify level.",
                ));
            }
            member.notify_props.insert(k, v.to_string());
        }
        member.last_update_at = now;
        let json = member.to_json(channel, user);
        Event::to_user(
            "channel_member_updated",
            user,
            json!({"channelMember": json.to_string()}),
        )
    };
    shared.publish(vec![event]);
    Ok(Json(json!({"status": "OK"})))
}

pub async fn patch_channel(
    State(shared): State<Arc<Shared>>,
    auth: Auth,
    ChannelId(channel): ChannelId,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let patch: Value = parse_body(&body, "channel")?;
    let (json, events) = {
        let mut state = shared.state();
        patch_channel_fields(
            &mut state,
            channel,
            auth.user_id,
            patch["display_name"].as_str(),
            patch["header"].as_str(),
            patch["purpose"].as_str(),
        )?
    };
    shared.publish(events);
    Ok(Json(json))
}

/// Changes a channel's header, purpose or display name, with the system
/// messages the real server posts.
pub fn patch_channel_fields(
    state: &mut Data,
    channel: Id,
    actor: Id,
    display_name: Option<&str>,
    header: Option<&str>,
    purpose: Option<&str>,
) -> ApiResult<(Value, Vec<Event>)> {
    if !state.is_member(channel, actor) {
        state.channel(channel)?;
        return Err(ApiError::permission("manage_public_channel_properties"));
    }
    if header.is_some_and(|h| h.chars().count() > 1024) {
        return Err(ApiError::new(
            400,
            "model.channel.is_valid.header.app_error",
            "Invalid header.",
        ));
    }
    if purpose.is_some_and(|p| p.chars().count() > 250) {
        return Err(ApiError::new(
            400,
            "model.channel.is_valid.purpose.app_error",
            "Invalid purpose.",
        ));
    }
    let now = state.now();
    let username = state.username(actor);
    let mut events = Vec::new();
    let c = state
        .channels
        .get_mut(&channel)
        .ok_or_else(ApiError::channel_not_found)?;
    let mut changes = Vec::new();
    if let Some(h) = header {
        if c.header != h {
            changes.push((
                "system_header_change",
                format!("@{username} updated the channel header to: {h}"),
                json!({"username": username, "old_header": c.header, "new_header": h}),
            ));
            c.header = h.to_string();
        }
    }
    if let Some(p) = purpose {
        if c.purpose != p {
            changes.push((
                "system_purpose_change",
                format!("@{username} updated the channel purpose to: {p}"),
                json!({"username": username, "old_purpose": c.purpose, "new_purpose": p}),
            ));
            c.purpose = p.to_string();
        }
    }
    if let Some(d) = display_name {
        if !d.trim().is_empty() && c.display_name != d {
            changes.push(("system_displayname_change", format!("@{username} updated the channel display name to: {d}"), json!({"username": username, "old_displayname": c.display_name, "new_displayname": d})));
            c.display_name = d.to_string();
        }
    }
    c.update_at = now;
    for (kind, message, props) in changes {
        events.extend(state.system_post(
            channel,
            actor,
            kind,
            message,
            props.as_object().cloned().unwrap_or_default(),
        ));
    }
    let json = state.channel(channel)?.to_json();
    events.push(Event::to_channel(
        "channel_updated",
        channel,
        state.channel_member_ids(channel),
        json!({"channel": json.to_string()}),
    ));
    Ok((json, events))
}

pub async fn delete_channel(
    State(shared): State<Arc<Shared>>,
    auth: Auth,
    ChannelId(channel): ChannelId,
) -> ApiResult<Json<Value>> {
    let events = {
        let mut state = shared.state();
        let c = state.channel(channel)?;
        if c.name == "town-square" {
            return Err(ApiError::new(
                400,
                "api.channel.delete_channel.cannot.app_error",
                "Unable to delete the default channel town-square.",
            ));
        }
        if c.kind.is_direct_or_group() {
            return Err(ApiError::new(
                400,
                "api.channel.delete_channel.type.invalid",
                "Cannot delete direct or group message channels.",
            ));
        }
        if !state.is_member(channel, auth.user_id) {
            return Err(ApiError::permission("delete_public_channel"));
        }
        let now = state.now();
        let members = state.channel_member_ids(channel);
        if let Some(c) = state.channels.get_mut(&channel) {
            c.delete_at = now;
            c.update_at = now;
        }
        vec![Event::to_channel(
            "channel_deleted",
            channel,
            members,
            json!({"channel_id": channel, "delete_at": now}),
        )]
    };
    shared.publish(events);
    Ok(Json(json!({"status": "OK"})))
}
