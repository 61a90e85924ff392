//! Posts: paging exactly like Mattermost's post store, creating with
//! `pending_post_id` dedupe, edits, deletes, threads, reactions, search.

use std::collections::{BTreeMap, HashMap, HashSet};
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
use crate::extract::{
    readable_post, ChannelId, Me, MyTeam, PostId, ReadableChannel, ReadablePost, TeamId, ThreadId,
};
use crate::ids::Id;
use crate::model::{Post, Reaction};
use crate::push::{PushInput, Pusher};
use crate::shared::Shared;
use crate::state::{NewPost, State as Data};

use super::search_terms::SearchTerms;
use super::{parse_body, with_etag};

/// Largest `since` result, as in the real post store.
const SINCE_LIMIT: usize = 1000;
const MAX_MESSAGE_CHARS: usize = 16383;

/// A post list being built: `order` plus every post it needs.
#[derive(Default)]
pub struct PostList {
    order: Vec<Id>,
    posts: BTreeMap<Id, ()>,
    next_post_id: String,
    prev_post_id: String,
    has_next: Option<bool>,
    counts: ReplyCounts,
}

/// What `reply_count` and `last_reply_at` a list of posts carries on the
/// real server.
#[derive(Default, Clone, Copy, PartialEq, Eq)]
enum ReplyCounts {
    /// The live thread statistics (collapsed threads).
    #[default]
    Live,
    /// Channel pages without `collapsedThreads`: the real server does not
    /// count replies there, every post says 0.
    Uncounted,
    /// A thread: every post carries the thread's reply count, no time.
    Thread,
}

impl PostList {
    fn add(&mut self, id: Id) {
        self.posts.insert(id, ());
    }

    fn add_ordered(&mut self, id: Id) {
        self.order.push(id);
        self.add(id);
    }

    fn render(&self, state: &Data) -> Value {
        let posts: Map<String, Value> = self
            .posts
            .keys()
            .filter_map(|id| state.post_json_by_id(*id).map(|p| (id.to_string(), p)))
            .map(|(id, mut post)| {
                if self.counts != ReplyCounts::Live {
                    post["last_reply_at"] = json!(0);
                }
                if self.counts == ReplyCounts::Uncounted {
                    post["reply_count"] = json!(0);
                }
                (id, post)
            })
            .collect();
        let mut v = json!({
            "order": self.order,
            "posts": posts,
            "next_post_id": self.next_post_id,
            "prev_post_id": self.prev_post_id,
            "first_inaccessible_post_time": 0,
        });
        if let Some(has_next) = self.has_next {
            v["has_next"] = json!(has_next);
        }
        v
    }
}

#[derive(Deserialize, Default)]
pub struct PostsQuery {
    page: Option<String>,
    per_page: Option<String>,
    before: Option<String>,
    after: Option<String>,
    since: Option<String>,
    #[serde(rename = "skipFetchThreads")]
    skip_fetch_threads: Option<String>,
    #[serde(rename = "collapsedThreads")]
    collapsed_threads: Option<String>,
    include_deleted: Option<String>,
}

fn flag(v: &Option<String>) -> bool {
    v.as_deref().is_some_and(|s| s == "true" || s == "1")
}

/// `GetPostIdAfterTime` / `GetPostIdBeforeTime`: the nearest live post.
fn post_id_around(state: &Data, channel: Id, time: i64, before: bool, crt: bool) -> String {
    let list = state
        .channel_posts
        .get(&channel)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let live = |id: &&Id| {
        state
            .posts
            .get(id)
            .is_some_and(|p| p.delete_at == 0 && (!crt || p.root_id.is_none()))
    };
    let found = if before {
        list.iter()
            .rev()
            .filter(|id| state.posts.get(id).is_some_and(|p| p.create_at < time))
            .find(live)
    } else {
        list.iter()
            .filter(|id| state.posts.get(id).is_some_and(|p| p.create_at > time))
            .find(live)
    };
    found.map(|i| i.to_string()).unwrap_or_default()
}

/// The thread posts the non-collapsed queries add around a page.
fn add_threads(
    state: &Data,
    list: &mut PostList,
    channel: Id,
    roots: &HashSet<Id>,
    skip_fetch_threads: bool,
    include_deleted: bool,
) {
    for root in roots {
        if let Some(p) = state.posts.get(root) {
            if p.channel_id == channel && (include_deleted || p.delete_at == 0) {
                list.add(*root);
            }
        }
        if skip_fetch_threads {
            continue;
        }
        for reply in state.replies.get(root).into_iter().flatten() {
            if let Some(p) = state.posts.get(reply) {
                if p.channel_id == channel && (include_deleted || p.delete_at == 0) {
                    list.add(*reply);
                }
            }
        }
    }
}

pub fn get_posts(state: &Data, channel: Id, q: &PostsQuery, is_admin: bool) -> ApiResult<PostList> {
    let after = q.after.as_deref().unwrap_or("");
    let before = q.before.as_deref().unwrap_or("");
    if !after.is_empty() && Id::parse(after).is_none() {
        return Err(ApiError::invalid_param("after"));
    }
    if !before.is_empty() && Id::parse(before).is_none() {
        return Err(ApiError::invalid_param("before"));
    }
    let since = match q.since.as_deref() {
        None | Some("") => 0,
        Some(s) => s
            .parse::<i64>()
            .map_err(|_| ApiError::invalid_param("since"))?,
    };
    let skip_threads = flag(&q.skip_fetch_threads);
    let crt = flag(&q.collapsed_threads);
    let include_deleted = flag(&q.include_deleted);
    if include_deleted && !is_admin {
        return Err(ApiError::permission("read_deleted_posts"));
    }
    let (page, per_page) = super::paging(q.page.as_deref(), q.per_page.as_deref(), 60);
    let ids = state
        .channel_posts
        .get(&channel)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let post = |id: &Id| state.posts.get(id);
    let visible =
        |p: &&Post| (include_deleted || p.delete_at == 0) && (!crt || p.root_id.is_none());
    let mut list = PostList {
        counts: if crt {
            ReplyCounts::Live
        } else {
            ReplyCounts::Uncounted
        },
        ..PostList::default()
    };

    if since > 0 {
        if crt {
            let mut roots: Vec<&Post> = ids
                .iter()
                .filter_map(post)
                .filter(|p| p.delete_at == 0 && p.root_id.is_none() && p.update_at > since)
                .collect();
            roots.sort_by_key(|p| std::cmp::Reverse(p.create_at));
            for p in roots.into_iter().take(SINCE_LIMIT) {
                list.add_ordered(p.id);
            }
        } else {
            // Changed posts (deleted ones included), plus their roots.
            let changed: Vec<&Post> = ids
                .iter()
                .filter_map(post)
                .filter(|p| p.update_at > since)
                .take(SINCE_LIMIT)
                .collect();
            let mut all: HashMap<Id, &Post> = changed.iter().map(|p| (p.id, *p)).collect();
            for p in &changed {
                if let Some(root) = p.root_id.and_then(|r| state.posts.get(&r)) {
                    all.insert(root.id, root);
                }
            }
            let mut sorted: Vec<&Post> = all.into_values().collect();
            sorted.sort_by(|a, b| b.create_at.cmp(&a.create_at).then(b.id.cmp(&a.id)));
            for p in sorted {
                if p.update_at > since {
                    list.add_ordered(p.id);
                } else {
                    list.add(p.id);
                }
            }
        }
    } else if !after.is_empty() || !before.is_empty() {
        let is_before = after.is_empty();
        let anchor =
            Id::parse(if is_before { before } else { after }).and_then(|a| state.posts.get(&a));
        let mut found: Vec<Id> = Vec::new();
        if let Some(anchor) = anchor {
            let t = anchor.create_at;
            let iter: Box<dyn Iterator<Item = &Post>> = if is_before {
                Box::new(
                    ids.iter()
                        .rev()
                        .filter_map(post)
                        .filter(move |p| p.create_at < t),
                )
            } else {
                Box::new(ids.iter().filter_map(post).filter(move |p| p.create_at > t))
            };
            found = iter
                .filter(visible)
                .skip(page * per_page)
                .take(per_page)
                .map(|p| p.id)
                .collect();
        }
        if !is_before {
            found.reverse();
        }
        let mut roots = HashSet::new();
        for id in &found {
            list.add_ordered(*id);
            roots.insert(*id);
            if let Some(r) = state.posts.get(id).and_then(|p| p.root_id) {
                roots.insert(r);
            }
        }
        if !crt && !found.is_empty() {
            add_threads(
                state,
                &mut list,
                channel,
                &roots,
                skip_threads,
                include_deleted,
            );
        }
    } else {
        let found: Vec<&Post> = ids
            .iter()
            .rev()
            .filter_map(post)
            .filter(visible)
            .skip(page * per_page)
            .take(per_page)
            .collect();
        let roots: HashSet<Id> = found.iter().filter_map(|p| p.root_id).collect();
        for p in &found {
            list.add_ordered(p.id);
        }
        if !crt {
            add_threads(
                state,
                &mut list,
                channel,
                &roots,
                skip_threads,
                include_deleted,
            );
        }
    }

    // AddCursorIdsForPostList.
    let (mut next_set, mut prev_set) = (false, false);
    if since > 0 {
        next_set = true;
        prev_set = true;
    } else if !after.is_empty() {
        if page == 0 {
            list.prev_post_id = after.to_string();
            prev_set = true;
        }
        if list.order.len() < per_page {
            next_set = true;
        }
    } else if !before.is_empty() {
        if page == 0 {
            list.next_post_id = before.to_string();
            next_set = true;
        }
        if list.order.len() < per_page {
            prev_set = true;
        }
    }
    if !next_set {
        if let Some(first) = list.order.first().and_then(|f| state.posts.get(f)) {
            list.next_post_id = post_id_around(state, channel, first.create_at, false, crt);
        }
    }
    if !prev_set {
        if let Some(last) = list.order.last().and_then(|l| state.posts.get(l)) {
            list.prev_post_id = post_id_around(state, channel, last.create_at, true, crt);
        }
    }
    Ok(list)
}

pub async fn channel_posts(
    State(shared): State<Arc<Shared>>,
    auth: Auth,
    Query(q): Query<PostsQuery>,
    ReadableChannel(channel): ReadableChannel,
) -> ApiResult<Response> {
    let state = shared.state();
    let is_admin = state
        .users
        .get(&auth.user_id)
        .is_some_and(|u| u.roles.contains("system_admin"));
    let list = get_posts(&state, channel, &q, is_admin)?;
    let body = list.render(&state);
    // The real server sends an ETag for pages, not for `since` answers.
    if q.since.as_deref().is_some_and(|s| !s.is_empty()) {
        Ok(Json(body).into_response())
    } else {
        Ok(with_etag(body))
    }
}

#[derive(Deserialize)]
struct CreateBody {
    #[serde(default)]
    channel_id: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    root_id: String,
    #[serde(default)]
    file_ids: Vec<String>,
    #[serde(default)]
    props: Option<Map<String, Value>>,
    #[serde(default)]
    pending_post_id: String,
    #[serde(default, rename = "type")]
    kind: String,
}

/// Creates a post and does everything that follows: events, pushes.
pub fn create_and_announce(shared: &Arc<Shared>, new: NewPost) -> ApiResult<(Value, bool)> {
    let window = shared.config.dedupe_window.as_millis() as i64;
    let created = shared.state().create_post(new, window)?;
    let deduplicated = created.deduplicated;
    let post = created.post.clone();
    if !deduplicated {
        let payloads = Pusher::payloads(&PushInput {
            created: &created,
            contents: shared.config.push_contents,
            licensed: shared.config.licensed,
            server_id: shared.server_id,
        });
        shared.publish(created.events);
        if !payloads.is_empty() {
            shared.record_pushes(&payloads);
            shared.send_pushes(payloads);
        }
    }
    Ok((post, deduplicated))
}

pub async fn create_post(
    State(shared): State<Arc<Shared>>,
    auth: Auth,
    body: Bytes,
) -> ApiResult<Response> {
    let body: CreateBody = parse_body(&body, "post")?;
    let channel =
        Id::parse(&body.channel_id).ok_or_else(|| ApiError::invalid_body_param("channel_id"))?;
    if !shared.state().channels.contains_key(&channel) {
        return Err(ApiError::permission("create_post"));
    }
    if body.message.chars().count() > MAX_MESSAGE_CHARS {
        return Err(ApiError::new(
            400,
            "model.post.is_valid.message_length.app_error",
            "Message property is longer than the maximum permitted length.",
        ));
    }
    if !body.kind.is_empty() && body.kind != "me" {
        return Err(ApiError::invalid_param("post.type"));
    }
    let root_id = if body.root_id.is_empty() {
        None
    } else {
        Some(Id::parse(&body.root_id).ok_or_else(|| ApiError::invalid_body_param("root_id"))?)
    };
    let file_ids = body
        .file_ids
        .iter()
        .map(|f| Id::parse(f).ok_or_else(|| ApiError::invalid_body_param("file_ids")))
        .collect::<ApiResult<Vec<Id>>>()?;
    let (post, _) = create_and_announce(
        &shared,
        NewPost {
            user_id: auth.user_id,
            channel_id: channel,
            message: body.message,
            root_id,
            props: body.props,
            file_ids,
            pending_post_id: body.pending_post_id,
            kind: body.kind,
            create_at: None,
        },
    )?;
    Ok((StatusCode::CREATED, Json(post)).into_response())
}

pub async fn get_post(
    State(shared): State<Arc<Shared>>,
    ReadablePost(post): ReadablePost,
) -> ApiResult<Json<Value>> {
    let state = shared.state();
    if state.post(post)?.delete_at > 0 {
        return Err(ApiError::post_not_found());
    }
    Ok(Json(state.post_json_by_id(post).unwrap_or_default()))
}

pub async fn posts_by_ids(
    State(shared): State<Arc<Shared>>,
    auth: Auth,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let ids: Vec<String> = parse_body(&body, "post_ids")?;
    if ids.is_empty() || ids.len() > 1000 {
        return Err(ApiError::invalid_body_param("post_ids"));
    }
    let state = shared.state();
    let out = ids
        .iter()
        .filter_map(|s| Id::parse(s))
        .filter(|id| readable_post(&state, auth.user_id, *id).is_ok())
        .filter_map(|id| state.post_json_by_id(id))
        .collect();
    Ok(Json(Value::Array(out)))
}

pub async fn get_thread(
    State(shared): State<Arc<Shared>>,
    ReadablePost(post): ReadablePost,
) -> ApiResult<Response> {
    let state = shared.state();
    let p = state.post(post)?;
    let root = p.root_id.unwrap_or(p.id);
    let root_post = state.post(root)?;
    if root_post.delete_at > 0 {
        return Err(ApiError::post_not_found());
    }
    let mut posts: Vec<&Post> = std::iter::once(root)
        .chain(state.replies.get(&root).into_iter().flatten().copied())
        .filter_map(|id| state.posts.get(&id))
        .filter(|p| p.delete_at == 0)
        .collect();
    // Oldest first, the root leading, as the real server pages threads
    // downwards by default.
    posts.sort_by_key(|p| (p.root_id.is_some(), p.create_at));
    let mut list = PostList {
        has_next: Some(false),
        counts: ReplyCounts::Thread,
        ..PostList::default()
    };
    for p in posts {
        list.add_ordered(p.id);
    }
    Ok(with_etag(list.render(&state)))
}

fn can_modify(state: &Data, user: Id, post: &Post) -> bool {
    post.user_id == user
        || state
            .users
            .get(&user)
            .is_some_and(|u| u.roles.contains("system_admin"))
}

pub async fn patch_post(
    State(shared): State<Arc<Shared>>,
    auth: Auth,
    PostId(post): PostId,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let patch: Value = parse_body(&body, "post")?;
    let (json, events) = {
        let mut state = shared.state();
        let p = state.post(post)?;
        if p.delete_at > 0 {
            return Err(ApiError::new(
                400,
                "api.post.patch_post.can_not_update_post_in_deleted.error",
                "Can not update a post that has been deleted.",
            ));
        }
        if !can_modify(&state, auth.user_id, p) {
            return Err(ApiError::permission("edit_post"));
        }
        if patch["message"]
            .as_str()
            .is_some_and(|m| m.chars().count() > MAX_MESSAGE_CHARS)
        {
            return Err(ApiError::new(
                400,
                "model.post.is_valid.message_length.app_error",
                "Message property is longer than the maximum permitted length.",
            ));
        }
        let now = state.now();
        let p = state
            .posts
            .get_mut(&post)
            .ok_or_else(ApiError::post_not_found)?;
        if let Some(m) = patch["message"].as_str() {
            if *p.message != *m {
                p.message = m.into();
                p.edit_at = now;
            }
        }
        if let Some(pinned) = patch["is_pinned"].as_bool() {
            p.is_pinned = pinned;
        }
        if let Some(props) = patch["props"].as_object() {
            p.props = Some(Box::new(props.clone()));
        }
        p.update_at = now;
        let channel = p.channel_id;
        let json = state.post_json_by_id(post).unwrap_or_default();
        let event = Event::to_channel(
            "post_edited",
            channel,
            state.channel_member_ids(channel),
            json!({"post": json.to_string()}),
        );
        (json, vec![event])
    };
    shared.publish(events);
    Ok(Json(json))
}

pub async fn delete_post(
    State(shared): State<Arc<Shared>>,
    auth: Auth,
    PostId(post): PostId,
) -> ApiResult<Json<Value>> {
    let events = {
        let mut state = shared.state();
        let p = state.post(post)?;
        if p.delete_at > 0 {
            return Err(ApiError::post_not_found());
        }
        if !can_modify(&state, auth.user_id, p) {
            return Err(ApiError::permission("delete_post"));
        }
        let channel = p.channel_id;
        let is_root = p.root_id.is_none();
        let now = state.now();
        let mut doomed = vec![post];
        if is_root {
            doomed.extend(state.replies.get(&post).into_iter().flatten().copied());
        }
        for id in doomed {
            if let Some(p) = state.posts.get_mut(&id) {
                if p.delete_at == 0 {
                    p.delete_at = now;
                    p.update_at = now;
                }
            }
        }
        let json = state.post_json_by_id(post).unwrap_or_default();
        vec![Event::to_channel(
            "post_deleted",
            channel,
            state.channel_member_ids(channel),
            json!({"post": json.to_string(), "delete_by": auth.user_id}),
        )]
    };
    shared.publish(events);
    Ok(Json(json!({"status": "OK"})))
}

fn valid_emoji(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_+-".contains(c))
}

/// Adds a reaction; shared by the API and the seeder-free tests.
pub fn react(state: &mut Data, user: Id, post: Id, emoji: &str) -> ApiResult<(Value, Vec<Event>)> {
    if !valid_emoji(emoji) {
        return Err(ApiError::new(
            400,
            "model.reaction.is_valid.emoji_name.app_error",
            "Invalid emoji name.",
        ));
    }
    readable_post(state, user, post)?;
    let channel = state.post(post)?.channel_id;
    if !state.is_member(channel, user) {
        return Err(ApiError::permission("add_reaction"));
    }
    let now = state.now();
    let p = state
        .posts
        .get_mut(&post)
        .ok_or_else(ApiError::post_not_found)?;
    if p.delete_at > 0 {
        return Err(ApiError::post_not_found());
    }
    if let Some(existing) = p
        .reactions
        .iter()
        .find(|r| r.user_id == user && &*r.emoji_name == emoji)
    {
        return Ok((existing.to_json(post, channel), Vec::new()));
    }
    p.reactions.push(Reaction {
        user_id: user,
        emoji_name: emoji.into(),
        create_at: now,
    });
    // Saving a reaction touches the post, so `since` reports it.
    p.update_at = now;
    let json = p
        .reactions
        .last()
        .map(|r| r.to_json(post, channel))
        .unwrap_or_default();
    let event = Event::to_channel(
        "reaction_added",
        channel,
        state.channel_member_ids(channel),
        json!({"reaction": json.to_string()}),
    );
    Ok((json, vec![event]))
}

pub async fn add_reaction(
    State(shared): State<Arc<Shared>>,
    auth: Auth,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body: Value = parse_body(&body, "reaction")?;
    let user = body["user_id"]
        .as_str()
        .and_then(Id::parse)
        .ok_or_else(|| ApiError::invalid_body_param("user_id"))?;
    if user != auth.user_id {
        return Err(ApiError::permission("add_reaction"));
    }
    let post = body["post_id"]
        .as_str()
        .and_then(Id::parse)
        .ok_or_else(|| ApiError::invalid_body_param("post_id"))?;
    let emoji = body["emoji_name"].as_str().unwrap_or("");
    let (json, events) = {
        let mut state = shared.state();
        react(&mut state, user, post, emoji)?
    };
    shared.publish(events);
    Ok(Json(json))
}

pub async fn delete_reaction(
    State(shared): State<Arc<Shared>>,
    Me(user): Me,
    PostId(post): PostId,
    Path((_, _, emoji)): Path<(String, String, String)>,
) -> ApiResult<Json<Value>> {
    let events = {
        let mut state = shared.state();
        readable_post(&state, user, post)?;
        let now = state.now();
        let p = state
            .posts
            .get_mut(&post)
            .ok_or_else(ApiError::post_not_found)?;
        let channel = p.channel_id;
        let Some(pos) = p
            .reactions
            .iter()
            .position(|r| r.user_id == user && *r.emoji_name == *emoji)
        else {
            return Ok(Json(json!({"status": "OK"})));
        };
        let removed = p.reactions.remove(pos);
        p.update_at = now;
        let json = removed.to_json(post, channel);
        vec![Event::to_channel(
            "reaction_removed",
            channel,
            state.channel_member_ids(channel),
            json!({"reaction": json.to_string()}),
        )]
    };
    shared.publish(events);
    Ok(Json(json!({"status": "OK"})))
}

pub async fn post_reactions(
    State(shared): State<Arc<Shared>>,
    ReadablePost(post): ReadablePost,
) -> ApiResult<Json<Value>> {
    let state = shared.state();
    let p = state.post(post)?;
    Ok(Json(Value::Array(
        p.reactions
            .iter()
            .map(|r| r.to_json(post, p.channel_id))
            .collect(),
    )))
}

pub async fn search(
    State(shared): State<Arc<Shared>>,
    auth: Auth,
    TeamId(team): TeamId,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body: Value = parse_body(&body, "search")?;
    let terms = body["terms"].as_str().unwrap_or("");
    let offset = body["time_zone_offset"].as_i64().unwrap_or(0);
    let offset =
        i32::try_from(offset).map_err(|_| ApiError::invalid_body_param("time_zone_offset"))?;
    let terms = SearchTerms::parse(terms, offset)?;
    if terms.is_empty() {
        return Err(ApiError::invalid_body_param("terms"));
    }
    let is_or = body["is_or_search"].as_bool().unwrap_or(false);
    let page = body["page"].as_u64().unwrap_or(0) as usize;
    let per_page = body["per_page"].as_u64().unwrap_or(60).min(200) as usize;
    let state = shared.state();
    if !state.is_team_member(team, auth.user_id) {
        return Err(ApiError::permission("view_team"));
    }
    let mut hits: Vec<&Post> = Vec::new();
    for cid in state.user_channels.get(&auth.user_id).into_iter().flatten() {
        let Some(c) = state.channels.get(cid) else {
            continue;
        };
        if c.team_id.is_some() && c.team_id != Some(team) {
            continue;
        }
        if !terms.in_channels.is_empty() && !terms.in_channels.contains(&c.name) {
            continue;
        }
        for p in state.live_posts_desc(*cid) {
            if !p.kind.is_empty() {
                continue;
            }
            if !terms.from.is_empty() && !terms.from.contains(&state.username(p.user_id)) {
                continue;
            }
            let ok = terms.matches(&p.message, p.create_at, is_or);
            if ok {
                hits.push(p);
            }
        }
    }
    hits.sort_by_key(|p| std::cmp::Reverse(p.create_at));
    let total = hits.len();
    let mut list = PostList::default();
    for p in hits.iter().skip(page * per_page).take(per_page) {
        list.add_ordered(p.id);
    }
    list.has_next = Some(total > (page + 1) * per_page);
    let mut v = list.render(&state);
    v["matches"] = Value::Null;
    Ok(Json(v))
}

#[derive(Deserialize)]
pub struct UnreadQuery {
    limit_before: Option<String>,
    limit_after: Option<String>,
}

pub async fn posts_around_unread(
    State(shared): State<Arc<Shared>>,
    _auth: Auth,
    Query(q): Query<UnreadQuery>,
    Me(user): Me,
    ChannelId(channel): ChannelId,
) -> ApiResult<Json<Value>> {
    let limit_before = q
        .limit_before
        .as_deref()
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(60)
        .min(200);
    let limit_after = q
        .limit_after
        .as_deref()
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(60)
        .min(200);
    if limit_after == 0 {
        return Err(ApiError::invalid_url_param("limit_after"));
    }
    let state = shared.state();
    let c = state.channel(channel)?;
    if !state.can_read(c, user) {
        return Err(ApiError::permission("read_channel_content"));
    }
    let last_viewed = state
        .member(channel, user)
        .map(|m| m.last_viewed_at)
        .unwrap_or(0);
    let live: Vec<&Post> = state.live_posts_desc(channel).collect();
    let mut newer: Vec<&Post> = live
        .iter()
        .rev()
        .filter(|p| p.create_at > last_viewed)
        .take(limit_after)
        .copied()
        .collect();
    newer.reverse();
    let older: Vec<&Post> = live
        .iter()
        .filter(|p| p.create_at <= last_viewed)
        .take(limit_before)
        .copied()
        .collect();
    let mut list = PostList::default();
    let mut roots = HashSet::new();
    for p in newer.iter().chain(older.iter()) {
        list.add_ordered(p.id);
        if let Some(r) = p.root_id {
            roots.insert(r);
        }
    }
    add_threads(&state, &mut list, channel, &roots, false, false);
    if let Some(first) = list.order.first().and_then(|f| state.posts.get(f)) {
        list.next_post_id = post_id_around(&state, channel, first.create_at, false, false);
    }
    if let Some(last) = list.order.last().and_then(|l| state.posts.get(l)) {
        list.prev_post_id = post_id_around(&state, channel, last.create_at, true, false);
    }
    Ok(Json(list.render(&state)))
}

#[derive(Deserialize)]
pub struct ThreadsQuery {
    per_page: Option<String>,
    since: Option<String>,
}

/// Whether `root` is a live thread `user` takes part in, in `team` (or a
/// direct/group channel).
fn users_thread(state: &Data, user: Id, team: Id, root: Id) -> bool {
    let Some(root_post) = state.posts.get(&root) else {
        return false;
    };
    if root_post.delete_at > 0
        || root_post.root_id.is_some()
        || !state.is_member(root_post.channel_id, user)
    {
        return false;
    }
    let in_team = state
        .channels
        .get(&root_post.channel_id)
        .is_some_and(|c| c.team_id.is_none() || c.team_id == Some(team));
    in_team && state.replies.contains_key(&root) && state.thread_followers(root).contains(&user)
}

pub async fn user_threads(
    State(shared): State<Arc<Shared>>,
    _auth: Auth,
    Query(q): Query<ThreadsQuery>,
    Me(user): Me,
    MyTeam(team): MyTeam,
) -> ApiResult<Json<Value>> {
    let per_page = q
        .per_page
        .as_deref()
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(25)
        .min(200);
    let since = q
        .since
        .as_deref()
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(0);
    let state = shared.state();
    let mut threads: Vec<(i64, Value)> = state
        .replies
        .keys()
        .filter(|root| users_thread(&state, user, team, **root))
        .filter_map(|root| state.thread_json(user, *root))
        .filter(|(last, _)| *last > since)
        .collect();
    threads.sort_by_key(|t| std::cmp::Reverse(t.0));
    let total = threads.len();
    let unread_threads = threads
        .iter()
        .filter(|t| t.1["unread_replies"].as_u64().unwrap_or(0) > 0)
        .count();
    let list: Vec<Value> = threads.into_iter().take(per_page).map(|t| t.1).collect();
    Ok(Json(json!({
        "total": total,
        "total_unread_threads": unread_threads,
        "total_unread_mentions": 0,
        "total_unread_urgent_mentions": 0,
        "threads": list,
    })))
}

pub async fn user_thread(
    State(shared): State<Arc<Shared>>,
    Me(user): Me,
    TeamId(team): TeamId,
    ThreadId(thread): ThreadId,
) -> ApiResult<Json<Value>> {
    let state = shared.state();
    if !users_thread(&state, user, team, thread) {
        return Err(ApiError::new(
            404,
            "app.thread.get_thread.app_error",
            "Unable to get the thread.",
        ));
    }
    let (_, json) = state
        .thread_json(user, thread)
        .ok_or_else(ApiError::post_not_found)?;
    Ok(Json(json))
}

/// `PUT /users/{user}/teams/{team}/threads/{thread}/read/{timestamp}`.
pub async fn read_thread(
    State(shared): State<Arc<Shared>>,
    Me(user): Me,
    TeamId(team): TeamId,
    ThreadId(thread): ThreadId,
    Path((_, _, _, timestamp)): Path<(String, String, String, String)>,
) -> ApiResult<Json<Value>> {
    let timestamp: i64 = timestamp
        .parse()
        .map_err(|_| ApiError::invalid_url_param("timestamp"))?;
    let (json, event) = {
        let mut state = shared.state();
        if !users_thread(&state, user, team, thread) {
            return Err(ApiError::new(
                404,
                "app.thread.get_thread.app_error",
                "Unable to get the thread.",
            ));
        }
        state.thread_views.insert((user, thread), timestamp);
        let (_, json) = state
            .thread_json(user, thread)
            .ok_or_else(ApiError::post_not_found)?;
        let channel = state.post(thread)?.channel_id;
        let event = Event::to_user(
            "thread_read_changed",
            user,
            json!({"thread_id": thread, "timestamp": timestamp, "unread_mentions": json["unread_mentions"], "unread_replies": json["unread_replies"], "channel_id": channel}),
        );
        (json, event)
    };
    shared.publish(vec![event]);
    Ok(Json(json))
}

/// `PUT` (follow) or `DELETE` (stop following)
/// `/users/{user}/teams/{team}/threads/{thread}/following`: any root post of
/// a channel the user is in; the user's devices hear `thread_follow_changed`.
pub async fn follow_thread(
    State(shared): State<Arc<Shared>>,
    method: axum::http::Method,
    Me(user): Me,
    ThreadId(thread): ThreadId,
) -> ApiResult<Json<Value>> {
    let following = method == axum::http::Method::PUT;
    let event = {
        let mut state = shared.state();
        let root = state.post(thread)?;
        if root.root_id.is_some() || root.delete_at > 0 {
            return Err(ApiError::post_not_found());
        }
        if !state.is_member(root.channel_id, user) {
            return Err(ApiError::permission("read_channel"));
        }
        state.thread_follows.insert((user, thread), following);
        let (reply_count, _) = state.thread_stats(thread);
        Event::to_user(
            "thread_follow_changed",
            user,
            json!({"thread_id": thread, "state": following, "reply_count": reply_count}),
        )
    };
    shared.publish(vec![event]);
    Ok(Json(json!({"status": "OK"})))
}
