//! The GDPR Art. 20 export: the signed-in user's own data (profile, teams,
//! channels, own posts, the log of notification consent) in a portable,
//! machine-readable form.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::api::posts::{search, SearchQuery};
use crate::client::Client;
use crate::error::{Error, Result};
use crate::model::{Post, User};
use crate::push::ConsentRecord;
use crate::store::reads::{ChannelListItem, TeamView};

/// Own posts are collected from the server's search in pages of this size.
const SEARCH_PAGE: u32 = 100;
/// A bound on search pages per team, so a hostile server cannot keep us
/// paging forever.
const MAX_SEARCH_PAGES: u32 = 1_000;

#[derive(Debug, Clone, Serialize)]
pub struct MyDataExport {
    pub format: &'static str,
    pub exported_at: i64,
    pub server: String,
    pub profile: User,
    pub teams: Vec<TeamView>,
    pub channels: Vec<ChannelListItem>,
    /// Oldest first.
    pub posts: Vec<ExportedPost>,
    /// False when the server could not be asked (offline): `posts` then
    /// holds only the posts cached on this device.
    pub posts_complete: bool,
    /// Every decision about notifications taken on this device for this
    /// account, oldest first: the user's copy of the consent record
    /// (GDPR Art. 7(1)), which only this device holds.
    pub notification_consent: Vec<ConsentRecord>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportedPost {
    pub id: String,
    pub channel_id: String,
    pub root_id: String,
    pub create_at: i64,
    pub edit_at: i64,
    pub message: String,
    pub file_ids: Vec<String>,
}

impl From<Post> for ExportedPost {
    fn from(post: Post) -> Self {
        ExportedPost {
            id: post.id,
            channel_id: post.channel_id,
            root_id: post.root_id,
            create_at: post.create_at,
            edit_at: post.edit_at,
            message: post.message,
            file_ids: post.file_ids,
        }
    }
}

impl Client {
    /// Everything the signed-in user put on the server, as far as the app
    /// can see it: cached data plus the user's posts found by the server's
    /// search (`from:<username>` in each team).
    pub async fn export_my_data(&self) -> Result<MyDataExport> {
        let profile = self.current_user().ok_or(Error::Unauthorized)?;
        let server = self
            .server_url()
            .map(|u| u.as_str().to_owned())
            .unwrap_or_default();
        let teams = self.teams().await?;
        let mut channels: BTreeMap<String, ChannelListItem> = BTreeMap::new();
        for team in &teams {
            for channel in self
                .channel_list(&team.id)
                .await?
                .into_iter()
                .flat_map(|s| s.channels)
            {
                channels.entry(channel.id.clone()).or_insert(channel);
            }
        }

        let mut posts: BTreeMap<String, ExportedPost> = BTreeMap::new();
        let user_id = profile.id.clone();
        for post in self
            .store()?
            .read(move |c| crate::store::cached_posts_by(c, &user_id))
            .await?
        {
            posts.insert(post.id.clone(), ExportedPost::from(post));
        }
        let mut posts_complete = true;
        for team in &teams {
            match self.server_posts_by_me(&team.id, &profile).await {
                Ok(found) => {
                    for post in found {
                        posts.insert(post.id.clone(), post);
                    }
                }
                Err(error) if error.is_transient() => posts_complete = false,
                Err(error) => return Err(error),
            }
        }
        let notification_consent = self.push_consent_log().await?;
        let mut posts: Vec<ExportedPost> = posts.into_values().collect();
        posts.sort_by(|a, b| (a.create_at, &a.id).cmp(&(b.create_at, &b.id)));

        Ok(MyDataExport {
            format: "pausenhof-export/1",
            exported_at: crate::realtime::now_ms(),
            server,
            profile,
            teams,
            channels: channels.into_values().collect(),
            posts,
            posts_complete,
            notification_consent,
        })
    }

    async fn server_posts_by_me(&self, team_id: &str, me: &User) -> Result<Vec<ExportedPost>> {
        let api = self.api()?;
        let mut found = Vec::new();
        for page in 0..MAX_SEARCH_PAGES {
            let query = SearchQuery {
                terms: format!("from:{}", me.username),
                is_or_search: false,
                page,
                per_page: SEARCH_PAGE,
                time_zone_offset: None,
                include_deleted_channels: true,
            };
            let results = search(&api, team_id, &query).await?;
            let count = results.list.order.len();
            found.extend(
                results
                    .list
                    .posts
                    .into_values()
                    .filter(|post| post.user_id == me.id && post.delete_at == 0)
                    .map(ExportedPost::from),
            );
            if count < SEARCH_PAGE as usize {
                break;
            }
        }
        Ok(found)
    }
}
