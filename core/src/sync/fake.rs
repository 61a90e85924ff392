//! An in-memory server for sync unit tests. It measures sequential round
//! trips: a request's depth is one more than the deepest request that had
//! completed when it started, so requests issued together share a depth and
//! a request that waited for another is one deeper.

use std::collections::HashMap;
use std::sync::Mutex;

use super::api::{PostsQuery, SyncApi, SINCE_LIMIT};
use crate::model::{
    Channel, ChannelMember, ClientConfig, Post, PostList, Preference, SidebarCategoryList, Team,
    TeamMember, User,
};

#[derive(Debug, thiserror::Error)]
#[error("fake server: {0}")]
pub struct FakeError(pub String);

#[derive(Default)]
pub struct FakeData {
    pub me: User,
    pub teams: Vec<Team>,
    pub team_members: Vec<TeamMember>,
    pub channels: Vec<Channel>,
    pub members: Vec<ChannelMember>,
    pub preferences: Vec<Preference>,
    pub users: Vec<User>,
    pub categories: HashMap<String, SidebarCategoryList>,
    pub posts: Vec<Post>,
    /// Requests whose name starts with this fail.
    pub fail_prefix: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub name: String,
    pub depth: usize,
}

#[derive(Default)]
pub struct FakeServer {
    pub data: Mutex<FakeData>,
    log: Mutex<Vec<Request>>,
    completed_depth: Mutex<usize>,
}

impl FakeServer {
    pub fn new(data: FakeData) -> Self {
        FakeServer {
            data: Mutex::new(data),
            ..FakeServer::default()
        }
    }

    pub fn requests(&self) -> Vec<Request> {
        self.log.lock().unwrap().clone()
    }

    pub fn names(&self) -> Vec<String> {
        self.requests().into_iter().map(|r| r.name).collect()
    }

    pub fn reset(&self) {
        self.log.lock().unwrap().clear();
        *self.completed_depth.lock().unwrap() = 0;
    }

    /// Deepest round trip among requests whose name starts with any prefix.
    pub fn depth_of(&self, prefixes: &[&str]) -> usize {
        self.requests()
            .iter()
            .filter(|r| prefixes.iter().any(|p| r.name.starts_with(p)))
            .map(|r| r.depth)
            .max()
            .unwrap_or(0)
    }

    /// Adds a post as another user would, keeping channel counters right.
    pub fn post(&self, post: Post) {
        let mut data = self.data.lock().unwrap();
        if let Some(ch) = data.channels.iter_mut().find(|c| c.id == post.channel_id) {
            ch.last_post_at = ch.last_post_at.max(post.create_at);
            ch.total_msg_count += 1;
        }
        data.posts.push(post);
    }

    async fn call<T>(
        &self,
        name: String,
        answer: impl FnOnce(&FakeData) -> T,
    ) -> Result<T, FakeError> {
        let depth = *self.completed_depth.lock().unwrap() + 1;
        self.log.lock().unwrap().push(Request {
            name: name.clone(),
            depth,
        });
        // Let every request issued together start before any completes.
        for _ in 0..4 {
            tokio::task::yield_now().await;
        }
        {
            let mut completed = self.completed_depth.lock().unwrap();
            *completed = (*completed).max(depth);
        }
        let data = self.data.lock().unwrap();
        if data
            .fail_prefix
            .as_ref()
            .is_some_and(|prefix| name.starts_with(prefix.as_str()))
        {
            return Err(FakeError(format!("{name} failed")));
        }
        Ok(answer(&data))
    }
}

fn newest_first(mut posts: Vec<Post>) -> PostList {
    posts.sort_by(|a, b| b.create_at.cmp(&a.create_at).then(b.id.cmp(&a.id)));
    PostList {
        order: posts.iter().map(|p| p.id.clone()).collect(),
        posts: posts.into_iter().map(|p| (p.id.clone(), p)).collect(),
        ..PostList::default()
    }
}

impl SyncApi for FakeServer {
    type Error = FakeError;

    async fn me(&self) -> Result<User, FakeError> {
        self.call("me".into(), |d| d.me.clone()).await
    }
    async fn my_teams(&self) -> Result<Vec<Team>, FakeError> {
        self.call("teams".into(), |d| d.teams.clone()).await
    }
    async fn my_team_members(&self) -> Result<Vec<TeamMember>, FakeError> {
        self.call("team_members".into(), |d| d.team_members.clone())
            .await
    }
    async fn my_channels(&self) -> Result<Vec<Channel>, FakeError> {
        self.call("channels".into(), |d| d.channels.clone()).await
    }
    async fn my_channel_members(
        &self,
        page: usize,
        per_page: usize,
    ) -> Result<Vec<ChannelMember>, FakeError> {
        self.call(format!("channel_members page={page}"), |d| {
            d.members
                .iter()
                .skip(page * per_page)
                .take(per_page)
                .cloned()
                .collect()
        })
        .await
    }
    async fn my_preferences(&self) -> Result<Vec<Preference>, FakeError> {
        self.call("preferences".into(), |d| d.preferences.clone())
            .await
    }
    async fn client_config(&self) -> Result<ClientConfig, FakeError> {
        self.call("config".into(), |_| ClientConfig::default())
            .await
    }
    async fn users_by_ids(
        &self,
        ids: &[String],
        since: Option<i64>,
    ) -> Result<Vec<User>, FakeError> {
        self.call(format!("users_by_ids {ids:?} since={since:?}"), |d| {
            d.users
                .iter()
                .chain(std::iter::once(&d.me))
                .filter(|u| ids.contains(&u.id) && since.is_none_or(|s| u.update_at > s))
                .cloned()
                .collect()
        })
        .await
    }
    async fn users_by_usernames(&self, usernames: &[String]) -> Result<Vec<User>, FakeError> {
        self.call("users_by_usernames".into(), |d| {
            d.users
                .iter()
                .chain(std::iter::once(&d.me))
                .filter(|u| usernames.contains(&u.username))
                .cloned()
                .collect()
        })
        .await
    }
    async fn sidebar_categories(&self, team_id: &str) -> Result<SidebarCategoryList, FakeError> {
        self.call(format!("categories {team_id}"), |d| {
            d.categories.get(team_id).cloned().unwrap_or_default()
        })
        .await
    }
    async fn channel_posts(
        &self,
        channel_id: &str,
        query: &PostsQuery,
    ) -> Result<PostList, FakeError> {
        let name = match query {
            PostsQuery::Newest { .. } => format!("posts {channel_id} newest"),
            PostsQuery::Before { .. } => format!("posts {channel_id} before"),
            PostsQuery::Since { .. } => format!("posts {channel_id} since"),
        };
        self.call(name, |d| {
            let in_channel = d.posts.iter().filter(|p| p.channel_id == channel_id);
            let mut selected: Vec<Post> = match query {
                PostsQuery::Newest { .. } => {
                    in_channel.filter(|p| p.delete_at == 0).cloned().collect()
                }
                PostsQuery::Before { post_id, .. } => {
                    let anchor = d
                        .posts
                        .iter()
                        .find(|p| &p.id == post_id)
                        .map(|p| p.create_at)
                        .unwrap_or(0);
                    in_channel
                        .filter(|p| p.delete_at == 0 && p.create_at < anchor)
                        .cloned()
                        .collect()
                }
                PostsQuery::Since { since } => {
                    let mut changed: Vec<Post> = in_channel
                        .filter(|p| p.update_at > *since)
                        .cloned()
                        .collect();
                    // The server keeps the oldest changes when it cuts off.
                    changed.sort_by_key(|p| p.update_at);
                    changed.truncate(SINCE_LIMIT);
                    changed
                }
            };
            if let PostsQuery::Newest { per_page } | PostsQuery::Before { per_page, .. } = query {
                selected.sort_by_key(|p| std::cmp::Reverse(p.create_at));
                selected.truncate(*per_page);
            }
            newest_first(selected)
        })
        .await
    }
    async fn post_thread(&self, root_id: &str) -> Result<PostList, FakeError> {
        self.call(format!("thread {root_id}"), |d| {
            newest_first(
                d.posts
                    .iter()
                    .filter(|p| p.id == root_id || p.root_id == root_id)
                    .cloned()
                    .collect(),
            )
        })
        .await
    }
}
