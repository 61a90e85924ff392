//! Pinned posts and saved ("flagged") posts, as the real server keeps
//! them: a pin is a flag on the post, announced to the channel with
//! `post_edited`; a saved post is the user's `flagged_post` preference.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::Json;
use serde_json::{json, Map, Value};

use crate::auth::Auth;
use crate::errors::{ApiError, ApiResult};
use crate::events::Event;
use crate::extract::{Me, ReadableChannel, ReadablePost};
use crate::ids::Id;
use crate::shared::Shared;
use crate::state::State as Data;

use super::paging;

/// The preference category of saved posts.
const SAVED_CATEGORY: &str = "flagged_post";

pub async fn pin(
    State(shared): State<Arc<Shared>>,
    ReadablePost(post): ReadablePost,
) -> ApiResult<Json<Value>> {
    set_pinned(&shared, post, true)
}

pub async fn unpin(
    State(shared): State<Arc<Shared>>,
    ReadablePost(post): ReadablePost,
) -> ApiResult<Json<Value>> {
    set_pinned(&shared, post, false)
}

fn set_pinned(shared: &Shared, post: Id, pinned: bool) -> ApiResult<Json<Value>> {
    let event = {
        let mut state = shared.state();
        let (deleted, channel) = {
            let p = state.post(post)?;
            (p.delete_at > 0, p.channel_id)
        };
        if deleted {
            return Err(ApiError::post_not_found());
        }
        if state.channel(channel)?.delete_at > 0 {
            return Err(ApiError::new(
                403,
                "api.post.update_post.can_not_update_post_in_deleted.error",
                "Can not update a post in a deleted channel.",
            ));
        }
        let now = state.now();
        let p = state
            .posts
            .get_mut(&post)
            .ok_or_else(ApiError::post_not_found)?;
        p.is_pinned = pinned;
        p.update_at = now;
        let json = state.post_json_by_id(post).unwrap_or_default();
        Event::to_channel(
            "post_edited",
            channel,
            state.channel_member_ids(channel),
            json!({"post": json.to_string()}),
        )
    };
    shared.publish(vec![event]);
    Ok(Json(json!({"status": "OK"})))
}

pub async fn pinned(
    State(shared): State<Arc<Shared>>,
    ReadableChannel(channel): ReadableChannel,
) -> ApiResult<Json<Value>> {
    let state = shared.state();
    let ids: Vec<Id> = state
        .live_posts_desc(channel)
        .filter(|p| p.is_pinned)
        .map(|p| p.id)
        .collect();
    Ok(Json(post_list(&state, &ids)))
}

pub async fn flagged(
    State(shared): State<Arc<Shared>>,
    auth: Auth,
    Me(user): Me,
    Query(query): Query<std::collections::HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    let (page, per_page) = paging(
        query.get("page").map(String::as_str),
        query.get("per_page").map(String::as_str),
        60,
    );
    let state = shared.state();
    let mut posts: Vec<(i64, Id)> = state
        .preferences
        .get(&user)
        .into_iter()
        .flatten()
        .filter(|p| p.category == SAVED_CATEGORY && p.value == "true")
        .filter_map(|p| Id::parse(&p.name))
        .filter_map(|id| state.posts.get(&id))
        .filter(|p| p.delete_at == 0)
        .filter(|p| {
            state
                .channel(p.channel_id)
                .is_ok_and(|c| state.can_read(c, auth.user_id))
        })
        .map(|p| (p.create_at, p.id))
        .collect();
    posts.sort_by(|a, b| b.cmp(a));
    let ids: Vec<Id> = posts
        .into_iter()
        .skip(page * per_page)
        .take(per_page)
        .map(|(_, id)| id)
        .collect();
    Ok(Json(post_list(&state, &ids)))
}

/// A `PostList` of `ids` in this order.
fn post_list(state: &Data, ids: &[Id]) -> Value {
    let mut posts = Map::new();
    for id in ids {
        if let Some(json) = state.post_json_by_id(*id) {
            posts.insert(id.to_string(), json);
        }
    }
    json!({
        "order": ids,
        "posts": posts,
        "next_post_id": "",
        "prev_post_id": "",
        "has_next": false,
    })
}
