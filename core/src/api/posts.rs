//! Posts, threads, reactions, search, slash commands.

use reqwest::Method;
use serde::Serialize;

use super::{seg, ApiClient};
use crate::error::Result;
use crate::model::{
    CommandResponse, JsonMap, Post, PostList, PostSearchResults, Reaction, Thread, ThreadList,
};

/// Which page of a channel's posts to fetch (the server takes one of these
/// at a time, never combined).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PostsPage {
    /// Newest first, `page` counting from 0.
    Page { page: u32, per_page: u32 },
    /// Posts older than `post_id`.
    Before { post_id: String, per_page: u32 },
    /// Posts newer than `post_id`.
    After { post_id: String, per_page: u32 },
    /// Everything changed after `since` (ms), deletions included unless
    /// collapsed threads are requested; at most 1000 posts.
    Since { since: i64 },
}

/// Default page size of the server.
pub const DEFAULT_PER_PAGE: u32 = 60;

/// `GET /channels/{id}/posts`.
pub async fn channel_posts(
    api: &ApiClient,
    channel_id: &str,
    page: &PostsPage,
    collapsed_threads: bool,
) -> Result<PostList> {
    let mut query: Vec<(&str, String)> = match page {
        PostsPage::Page { page, per_page } => {
            vec![
                ("page", page.to_string()),
                ("per_page", per_page.to_string()),
            ]
        }
        PostsPage::Before { post_id, per_page } => {
            vec![
                ("before", post_id.clone()),
                ("per_page", per_page.to_string()),
            ]
        }
        PostsPage::After { post_id, per_page } => {
            vec![
                ("after", post_id.clone()),
                ("per_page", per_page.to_string()),
            ]
        }
        PostsPage::Since { since } => vec![("since", since.to_string())],
    };
    if collapsed_threads {
        query.push(("collapsedThreads", "true".into()));
        query.push(("collapsedThreadsExtended", "false".into()));
    }
    api.get(&format!("/channels/{}/posts", seg(channel_id)), &query)
        .await
}

/// `GET /users/me/channels/{channel_id}/posts/unread`: the posts around the
/// first unread one.
pub async fn posts_around_unread(
    api: &ApiClient,
    channel_id: &str,
    limit_before: u32,
    limit_after: u32,
    collapsed_threads: bool,
) -> Result<PostList> {
    let mut query = vec![
        ("limit_before", limit_before.to_string()),
        ("limit_after", limit_after.to_string()),
    ];
    if collapsed_threads {
        query.push(("collapsedThreads", "true".into()));
    }
    api.get(
        &format!("/users/me/channels/{}/posts/unread", seg(channel_id)),
        &query,
    )
    .await
}

/// `POST /posts/ids`.
pub async fn posts_by_ids(api: &ApiClient, post_ids: &[String]) -> Result<Vec<Post>> {
    if post_ids.is_empty() {
        return Ok(Vec::new());
    }
    api.post("/posts/ids", post_ids).await
}

/// `GET /posts/{id}`.
pub async fn post(api: &ApiClient, post_id: &str) -> Result<Post> {
    api.get(&format!("/posts/{}", seg(post_id)), &[]).await
}

/// `GET /posts/{id}/thread`: the root and all replies.
pub async fn thread(api: &ApiClient, post_id: &str) -> Result<PostList> {
    api.get(&format!("/posts/{}/thread", seg(post_id)), &[])
        .await
}

/// Options of `GET /users/me/teams/{team_id}/threads`.
#[derive(Debug, Clone, Default)]
pub struct ThreadsQuery {
    pub since: Option<i64>,
    pub per_page: Option<u32>,
    pub unread_only: bool,
    pub extended: bool,
}

/// `GET /users/me/teams/{team_id}/threads` (collapsed reply threads).
pub async fn my_threads(
    api: &ApiClient,
    team_id: &str,
    options: &ThreadsQuery,
) -> Result<ThreadList> {
    let mut query = Vec::new();
    if let Some(since) = options.since {
        query.push(("since", since.to_string()));
    }
    if let Some(per_page) = options.per_page {
        query.push(("per_page", per_page.to_string()));
    }
    if options.unread_only {
        query.push(("unread", "true".to_owned()));
    }
    if options.extended {
        query.push(("extended", "true".to_owned()));
    }
    api.get(&format!("/users/me/teams/{}/threads", seg(team_id)), &query)
        .await
}

/// `PUT` or `DELETE /users/me/teams/{team_id}/threads/{thread_id}/following`.
pub async fn set_thread_following(
    api: &ApiClient,
    team_id: &str,
    thread_id: &str,
    following: bool,
) -> Result<()> {
    let method = if following {
        Method::PUT
    } else {
        Method::DELETE
    };
    api.call::<()>(
        method,
        &format!(
            "/users/me/teams/{}/threads/{}/following",
            seg(team_id),
            seg(thread_id)
        ),
        None,
    )
    .await
}

/// `PUT /users/me/teams/{team_id}/threads/{thread_id}/read/{timestamp}`:
/// the thread as the server counts it afterwards.
pub async fn mark_thread_read(
    api: &ApiClient,
    team_id: &str,
    thread_id: &str,
    timestamp: i64,
) -> Result<Thread> {
    api.put(
        &format!(
            "/users/me/teams/{}/threads/{}/read/{timestamp}",
            seg(team_id),
            seg(thread_id)
        ),
        &serde_json::json!({}),
    )
    .await
}

/// Body of `POST /posts`. `pending_post_id` lets the server drop a repeat
/// within its short dedupe window; the outbox proves delivery itself.
#[derive(Debug, Clone, Default, Serialize)]
pub struct NewPost {
    pub channel_id: String,
    pub message: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub root_id: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub file_ids: Vec<String>,
    #[serde(skip_serializing_if = "JsonMap::is_empty")]
    pub props: JsonMap,
    pub pending_post_id: String,
}

/// `POST /posts`.
pub async fn create_post(api: &ApiClient, post: &NewPost) -> Result<Post> {
    api.post("/posts", post).await
}

/// Fields of `PUT /posts/{id}/patch`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PostPatch {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_pinned: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub props: Option<JsonMap>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_ids: Option<Vec<String>>,
}

/// `PUT /posts/{id}/patch`.
pub async fn patch_post(api: &ApiClient, post_id: &str, patch: &PostPatch) -> Result<Post> {
    api.put(&format!("/posts/{}/patch", seg(post_id)), patch)
        .await
}

/// `DELETE /posts/{id}`.
pub async fn delete_post(api: &ApiClient, post_id: &str) -> Result<()> {
    api.call::<()>(Method::DELETE, &format!("/posts/{}", seg(post_id)), None)
        .await
}

#[derive(Serialize)]
struct NewReaction<'a> {
    user_id: &'a str,
    post_id: &'a str,
    emoji_name: &'a str,
}

/// `POST /reactions`.
pub async fn add_reaction(
    api: &ApiClient,
    user_id: &str,
    post_id: &str,
    emoji_name: &str,
) -> Result<Reaction> {
    api.post(
        "/reactions",
        &NewReaction {
            user_id,
            post_id,
            emoji_name,
        },
    )
    .await
}

/// `GET /posts/{id}/reactions`.
pub async fn reactions(api: &ApiClient, post_id: &str) -> Result<Vec<Reaction>> {
    api.get(&format!("/posts/{}/reactions", seg(post_id)), &[])
        .await
}

/// `DELETE /users/me/posts/{post_id}/reactions/{emoji_name}`.
pub async fn remove_reaction(api: &ApiClient, post_id: &str, emoji_name: &str) -> Result<()> {
    api.call::<()>(
        Method::DELETE,
        &format!(
            "/users/me/posts/{}/reactions/{}",
            seg(post_id),
            seg(emoji_name)
        ),
        None,
    )
    .await
}

/// Body of `POST /teams/{team_id}/posts/search`.
#[derive(Debug, Clone, Serialize)]
pub struct SearchQuery {
    pub terms: String,
    pub is_or_search: bool,
    pub page: u32,
    pub per_page: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_zone_offset: Option<i32>,
    pub include_deleted_channels: bool,
}

/// `POST /teams/{team_id}/posts/search`.
pub async fn search(
    api: &ApiClient,
    team_id: &str,
    query: &SearchQuery,
) -> Result<PostSearchResults> {
    api.post(&format!("/teams/{}/posts/search", seg(team_id)), query)
        .await
}

#[derive(Serialize)]
struct ExecuteCommand<'a> {
    channel_id: &'a str,
    team_id: &'a str,
    command: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    root_id: &'a str,
}

/// `POST /commands/execute` (e.g. `/away`).
pub async fn execute_command(
    api: &ApiClient,
    channel_id: &str,
    team_id: &str,
    command: &str,
    root_id: &str,
) -> Result<CommandResponse> {
    api.post(
        "/commands/execute",
        &ExecuteCommand {
            channel_id,
            team_id,
            command,
            root_id,
        },
    )
    .await
}
