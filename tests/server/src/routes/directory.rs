//! Finding channels and people: channel search and stats, the user
//! directory, and marking a channel unread from a post.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth::Auth;
use crate::errors::{ApiError, ApiResult};
use crate::events::Event;
use crate::extract::{Me, MyTeam, PostId, ReadableChannel};
use crate::model::{Channel, ChannelType};
use crate::shared::Shared;
use crate::state::is_join_leave;

use super::parse_body;

/// Most channels one search returns (the real server's limit).
const CHANNEL_SEARCH_LIMIT: usize = 50;
/// `model.UserSearchDefaultLimit` and `UserSearchMaxLimit`.
const USER_SEARCH_DEFAULT: i64 = 100;
const USER_SEARCH_MAX: i64 = 1000;

/// Whether `text` starts, or has a word starting, with `term` (both
/// lowercase): the prefix match the real server's search uses.
fn word_prefix(text: &str, term: &str) -> bool {
    let text = text.to_lowercase();
    text.starts_with(term)
        || text
            .split(|c: char| !c.is_alphanumeric())
            .any(|w| w.starts_with(term))
}

#[derive(Deserialize)]
pub struct ChannelSearch {
    #[serde(default)]
    term: String,
}

/// `POST /teams/{team_id}/channels/search`: public, not archived channels
/// of the team by name or display name.
pub async fn search_channels(
    State(shared): State<Arc<Shared>>,
    _auth: Auth,
    MyTeam(team): MyTeam,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let search: ChannelSearch = parse_body(&body, "channel_search")?;
    let term = search.term.trim().to_lowercase();
    let state = shared.state();
    let mut found: Vec<&Channel> = state
        .channels
        .values()
        .filter(|c| c.team_id == Some(team) && c.kind == ChannelType::Open && c.delete_at == 0)
        .filter(|c| word_prefix(&c.name, &term) || word_prefix(&c.display_name, &term))
        .collect();
    found.sort_by(|a, b| a.display_name.cmp(&b.display_name));
    Ok(Json(Value::Array(
        found
            .into_iter()
            .take(CHANNEL_SEARCH_LIMIT)
            .map(Channel::to_json)
            .collect(),
    )))
}

/// `GET /channels/{channel_id}/stats`: members are the active accounts.
pub async fn channel_stats(
    State(shared): State<Arc<Shared>>,
    _auth: Auth,
    ReadableChannel(channel): ReadableChannel,
) -> ApiResult<Json<Value>> {
    let state = shared.state();
    let members = state
        .channel_member_ids(channel)
        .into_iter()
        .filter(|u| state.users.get(u).is_some_and(|u| u.delete_at == 0))
        .count();
    let pinned = state
        .channel_posts
        .get(&channel)
        .into_iter()
        .flatten()
        .filter_map(|p| state.posts.get(p))
        .filter(|p| p.is_pinned && p.delete_at == 0)
        .count();
    Ok(Json(json!({
        "channel_id": channel,
        "member_count": members,
        "guest_count": 0,
        "pinnedpost_count": pinned,
        "files_count": 0,
    })))
}

/// `POST /users/{user_id}/posts/{post_id}/set_unread`: the channel reads
/// as unread from the post on; the user's devices get `post_unread`.
pub async fn set_unread(
    State(shared): State<Arc<Shared>>,
    Me(user): Me,
    PostId(post_id): PostId,
) -> ApiResult<Json<Value>> {
    let (answer, event) = {
        let mut state = shared.state();
        let post = state.post(post_id)?;
        let (channel_id, at) = (post.channel_id, post.create_at);
        let channel = state.channel(channel_id)?;
        let (team, kind) = (channel.team_id, channel.kind);
        let (total, total_root) = (channel.total_msg_count, channel.total_msg_count_root);
        if !state.is_member(channel_id, user) {
            return Err(ApiError::permission("read_channel_content"));
        }
        let members = state.channel_member_ids(channel_id);
        let unread: Vec<_> = state
            .channel_posts
            .get(&channel_id)
            .into_iter()
            .flatten()
            .filter_map(|p| state.posts.get(p))
            .filter(|p| p.create_at >= at && p.delete_at == 0 && !is_join_leave(&p.kind))
            .collect();
        let unread_root = unread.iter().filter(|p| p.root_id.is_none()).count() as i64;
        let mentioning: Vec<_> = unread
            .iter()
            .filter(|p| {
                p.kind.is_empty()
                    && state
                        .mentioned(&p.message, &members, p.user_id, kind)
                        .contains(&user)
            })
            .collect();
        let mentions = mentioning.len() as i64;
        let mentions_root = mentioning.iter().filter(|p| p.root_id.is_none()).count() as i64;
        let (msg_count, msg_count_root) = (
            (total - unread.len() as i64).max(0),
            (total_root - unread_root).max(0),
        );
        let now = state.now();
        if let Some(m) = state
            .channel_members
            .get_mut(&channel_id)
            .and_then(|m| m.get_mut(&user))
        {
            m.msg_count = msg_count;
            m.msg_count_root = msg_count_root;
            m.mention_count = mentions;
            m.mention_count_root = mentions_root;
            m.last_viewed_at = at - 1;
            m.last_update_at = now;
        }
        let answer = json!({
            "team_id": team.map(|t| t.to_string()).unwrap_or_default(),
            "user_id": user,
            "channel_id": channel_id,
            "msg_count": msg_count,
            "mention_count": mentions,
            "mention_count_root": mentions_root,
            "urgent_mention_count": 0,
            "msg_count_root": msg_count_root,
            "last_viewed_at": at - 1,
        });
        let mut data = answer.clone();
        data["post_id"] = json!(post_id);
        let mut event = Event::to_user("post_unread", user, data);
        event.channel_id = Some(channel_id);
        event.team_id = team;
        (answer, event)
    };
    shared.publish(vec![event]);
    Ok(Json(answer))
}

#[derive(Deserialize)]
pub struct UserSearch {
    #[serde(default)]
    term: String,
    #[serde(default)]
    team_id: String,
    #[serde(default)]
    allow_inactive: bool,
    #[serde(default)]
    limit: i64,
}

/// `POST /users/search`: every word of the term must start the username,
/// a name or the nickname; deactivated accounts only with
/// `allow_inactive`.
pub async fn search_users(
    State(shared): State<Arc<Shared>>,
    auth: Auth,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let search: UserSearch = parse_body(&body, "user_search")?;
    let limit = if search.limit == 0 {
        USER_SEARCH_DEFAULT
    } else {
        search.limit
    };
    if !(1..=USER_SEARCH_MAX).contains(&limit) {
        return Err(ApiError::invalid_body_param("limit"));
    }
    let state = shared.state();
    let team = match search.team_id.as_str() {
        "" => None,
        t => {
            let team =
                crate::ids::Id::parse(t).ok_or_else(|| ApiError::invalid_body_param("team_id"))?;
            if !state.is_team_member(team, auth.user_id) {
                return Err(ApiError::permission("view_team"));
            }
            Some(team)
        }
    };
    let words: Vec<String> = search
        .term
        .trim()
        .trim_start_matches('@')
        .to_lowercase()
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    let mut found: Vec<_> = state
        .users
        .values()
        .filter(|u| search.allow_inactive || u.delete_at == 0)
        .filter(|u| team.is_none_or(|t| state.is_team_member(t, u.id)))
        .filter(|u| {
            words.iter().all(|w| {
                [&u.username, &u.first_name, &u.last_name, &u.nickname]
                    .iter()
                    .any(|field| field.to_lowercase().starts_with(w.as_str()))
            })
        })
        .collect();
    found.sort_by(|a, b| a.username.cmp(&b.username));
    Ok(Json(Value::Array(
        found
            .into_iter()
            .take(limit as usize)
            .map(|u| u.to_json(u.id == auth.user_id))
            .collect(),
    )))
}
