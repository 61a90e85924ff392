//! What sync needs from the server, as a trait: the client's REST layer
//! implements it, tests use an in-memory fake.

use std::future::Future;

use crate::model::{
    Channel, ChannelMember, ClientConfig, Post, PostList, Preference, SidebarCategoryList, Team,
    TeamMember, User,
};

/// Posts per page when fetching timelines (Mattermost's default).
pub const POSTS_PER_PAGE: usize = 60;
/// Most posts a `since` request returns; a full answer may be cut off.
pub const SINCE_LIMIT: usize = 1000;
/// Channel memberships per page (the server's maximum).
pub const MEMBERS_PER_PAGE: usize = 200;

/// Which posts of a channel to fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PostsQuery {
    /// The newest page (`page=0`).
    Newest { per_page: usize },
    /// The page before a post (`before=<id>`).
    Before { post_id: String, per_page: usize },
    /// Everything created, edited or deleted after `since` ms (up to
    /// [`SINCE_LIMIT`], deleted posts included).
    Since { since: i64 },
}

/// The server calls sync makes. Futures are `Send` so a sync can run on
/// any runtime thread.
pub trait SyncApi: Sync {
    type Error: std::error::Error + Send + Sync + 'static;

    fn me(&self) -> impl Future<Output = Result<User, Self::Error>> + Send;
    fn my_teams(&self) -> impl Future<Output = Result<Vec<Team>, Self::Error>> + Send;
    fn my_team_members(&self) -> impl Future<Output = Result<Vec<TeamMember>, Self::Error>> + Send;
    /// Channels of all teams (`/users/me/channels?include_deleted=true`).
    fn my_channels(&self) -> impl Future<Output = Result<Vec<Channel>, Self::Error>> + Send;
    /// One page of the user's channel memberships of all teams.
    fn my_channel_members(
        &self,
        page: usize,
        per_page: usize,
    ) -> impl Future<Output = Result<Vec<ChannelMember>, Self::Error>> + Send;
    fn my_preferences(&self) -> impl Future<Output = Result<Vec<Preference>, Self::Error>> + Send;
    fn client_config(&self) -> impl Future<Output = Result<ClientConfig, Self::Error>> + Send;
    /// `POST /users/ids`, with `since`: only users updated after it.
    fn users_by_ids(
        &self,
        ids: &[String],
        since: Option<i64>,
    ) -> impl Future<Output = Result<Vec<User>, Self::Error>> + Send;
    fn users_by_usernames(
        &self,
        usernames: &[String],
    ) -> impl Future<Output = Result<Vec<User>, Self::Error>> + Send;
    fn sidebar_categories(
        &self,
        team_id: &str,
    ) -> impl Future<Output = Result<SidebarCategoryList, Self::Error>> + Send;
    fn channel_posts(
        &self,
        channel_id: &str,
        query: &PostsQuery,
    ) -> impl Future<Output = Result<PostList, Self::Error>> + Send;
    fn post_thread(
        &self,
        root_id: &str,
    ) -> impl Future<Output = Result<PostList, Self::Error>> + Send;
}

/// Posts of a list in server order (newest first), skipping ids without a
/// post and posts of other channels (a lying server must not place posts
/// into a channel's range).
pub(crate) fn ordered_posts<'a>(list: &'a PostList, channel_id: &'a str) -> Vec<&'a Post> {
    list.ordered()
        .filter(move |p| p.channel_id == channel_id)
        .collect()
}
