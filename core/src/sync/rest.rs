//! [`SyncApi`] over the REST layer.

use reqwest::Method;

use super::api::{PostsQuery, SyncApi};
use crate::api::posts::PostsPage;
use crate::api::{self, ApiClient, Body, RequestOptions};
use crate::error::{Error, Result};
use crate::model::{
    Channel, ChannelMember, ClientConfig, PostList, Preference, SidebarCategoryList, Team,
    TeamMember, User,
};

fn as_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl SyncApi for ApiClient {
    type Error = Error;

    async fn me(&self) -> Result<User> {
        api::users::me(self).await
    }

    async fn my_teams(&self) -> Result<Vec<Team>> {
        api::teams::my_teams(self).await
    }

    async fn my_team_members(&self) -> Result<Vec<TeamMember>> {
        api::teams::my_team_members(self).await
    }

    async fn my_channels(&self) -> Result<Vec<Channel>> {
        // Archived channels too, so a catch-up learns about archiving.
        api::channels::my_channels(self, 0, true).await
    }

    async fn my_channel_members(&self, page: usize, per_page: usize) -> Result<Vec<ChannelMember>> {
        api::channels::my_channel_members(self, as_u32(page), as_u32(per_page)).await
    }

    async fn my_preferences(&self) -> Result<Vec<Preference>> {
        api::preferences::my_preferences(self).await
    }

    async fn client_config(&self) -> Result<ClientConfig> {
        api::system::client_config(self, true).await
    }

    async fn users_by_ids(&self, ids: &[String], since: Option<i64>) -> Result<Vec<User>> {
        let Some(since) = since else {
            return api::users::users_by_ids(self, ids).await;
        };
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let body = serde_json::to_vec(ids)
            .map_err(|e| Error::internal(format!("request encoding failed: {e}")))?;
        let raw = self
            .send(
                Method::POST,
                "/users/ids",
                &[("since", since.to_string())],
                Body::Json(body),
                RequestOptions::default(),
            )
            .await?;
        // The error text may quote the body: report only its kind.
        serde_json::from_slice(&raw.body).map_err(|e| Error::InvalidResponse {
            reason: format!("users: {:?} JSON error", e.classify()),
        })
    }

    async fn users_by_usernames(&self, usernames: &[String]) -> Result<Vec<User>> {
        api::users::users_by_usernames(self, usernames).await
    }

    async fn sidebar_categories(&self, team_id: &str) -> Result<SidebarCategoryList> {
        api::channels::sidebar_categories(self, team_id).await
    }

    async fn channel_posts(&self, channel_id: &str, query: &PostsQuery) -> Result<PostList> {
        let page = match query {
            PostsQuery::Newest { per_page } => PostsPage::Page {
                page: 0,
                per_page: as_u32(*per_page),
            },
            PostsQuery::Before { post_id, per_page } => PostsPage::Before {
                post_id: post_id.clone(),
                per_page: as_u32(*per_page),
            },
            PostsQuery::Since { since } => PostsPage::Since { since: *since },
        };
        // Never the collapsed-threads variant: it hides deletions from
        // `since` and replies from ranges.
        api::posts::channel_posts(self, channel_id, &page, false).await
    }

    async fn post_thread(&self, root_id: &str) -> Result<PostList> {
        api::posts::thread(self, root_id).await
    }
}
