//! Synced drafts (`AllowSyncedDrafts` on): upsert, list per team, delete,
//! each announced to the user's connections as the real server does
//! (`draft_created`/`draft_updated`/`draft_deleted`).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use crate::auth::Auth;
use crate::errors::{ApiError, ApiResult};
use crate::events::Event;
use crate::extract::{ChannelId, Me, MyTeam};
use crate::ids::Id;
use crate::shared::Shared;

use super::parse_body;

/// Mattermost's limit for a post (and so a draft).
const MAX_MESSAGE_CHARS: usize = 16_383;

pub async fn upsert(
    State(shared): State<Arc<Shared>>,
    auth: Auth,
    body: Bytes,
) -> ApiResult<Response> {
    let draft: Value = parse_body(&body, "draft")?;
    let channel = draft["channel_id"]
        .as_str()
        .and_then(Id::parse)
        .ok_or_else(|| ApiError::invalid_param("channel_id"))?;
    let root = draft["root_id"].as_str().unwrap_or("").to_owned();
    let message = draft["message"].as_str().unwrap_or("").to_owned();
    if message.chars().count() > MAX_MESSAGE_CHARS {
        return Err(ApiError::new(
            400,
            "model.draft.is_valid.message_length.app_error",
            "Message property is longer than the maximum permitted length.",
        ));
    }
    let (json, event) = {
        let mut state = shared.state();
        state.channel(channel)?;
        if !state.is_member(channel, auth.user_id) {
            return Err(ApiError::permission("create_post"));
        }
        let now = state.now();
        let key = (auth.user_id, channel, root.clone());
        let created = state
            .drafts
            .get(&key)
            .and_then(|d| d["create_at"].as_i64())
            .unwrap_or(now);
        let json = json!({
            "create_at": created, "update_at": now, "delete_at": 0,
            "user_id": auth.user_id, "channel_id": channel, "root_id": root,
            "message": message, "props": draft["props"].as_object().cloned().unwrap_or_default(),
            "file_ids": draft["file_ids"].as_array().cloned().unwrap_or_default(),
        });
        let name = if state.drafts.contains_key(&key) {
            "draft_updated"
        } else {
            "draft_created"
        };
        state.drafts.insert(key, json.clone());
        let event = Event::to_user(name, auth.user_id, json!({"draft": json.to_string()}));
        (json, event)
    };
    shared.publish(vec![event]);
    Ok((StatusCode::CREATED, Json(json)).into_response())
}

pub async fn team_drafts(
    State(shared): State<Arc<Shared>>,
    Me(user): Me,
    MyTeam(team): MyTeam,
) -> ApiResult<Json<Value>> {
    let state = shared.state();
    let mut drafts: Vec<&Value> = state
        .drafts
        .iter()
        .filter(|((owner, channel, _), _)| {
            *owner == user
                && state
                    .channel(*channel)
                    .is_ok_and(|c| c.team_id.is_none_or(|t| t == team))
        })
        .map(|(_, draft)| draft)
        .collect();
    drafts.sort_by_key(|d| std::cmp::Reverse(d["update_at"].as_i64().unwrap_or(0)));
    // Like the real server (a nil Go slice): no drafts is `null`, not `[]`.
    if drafts.is_empty() {
        return Ok(Json(Value::Null));
    }
    Ok(Json(json!(drafts)))
}

pub async fn delete(
    State(shared): State<Arc<Shared>>,
    Me(user): Me,
    ChannelId(channel): ChannelId,
) -> ApiResult<Json<Value>> {
    remove(&shared, user, channel, String::new())
}

pub async fn delete_in_thread(
    State(shared): State<Arc<Shared>>,
    Me(user): Me,
    ChannelId(channel): ChannelId,
    Path((_, _, root)): Path<(String, String, String)>,
) -> ApiResult<Json<Value>> {
    remove(&shared, user, channel, root)
}

/// As the real server: deleting a draft that is not there is OK.
fn remove(shared: &Shared, user: Id, channel: Id, root: String) -> ApiResult<Json<Value>> {
    let removed = shared.state().drafts.remove(&(user, channel, root));
    if let Some(draft) = removed {
        shared.publish(vec![Event::to_user(
            "draft_deleted",
            user,
            json!({"draft": draft.to_string()}),
        )]);
    }
    Ok(Json(json!({"status": "OK"})))
}
