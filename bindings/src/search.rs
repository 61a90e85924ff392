//! Searching posts on the server and in the cache, and jumping to a post
//! (a hit, a permalink): its surroundings loaded and shown around it.

use pausenhof_core::{reads, PageSide as CorePageSide, PostJump as CorePostJump};

use crate::client::Client;
use crate::error::Result;
use crate::runtime::run;
use crate::views::{OlderPosts, Post, SearchHit};

/// The hits of a search, newest first.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SearchResults {
    pub hits: Vec<SearchHit>,
    /// The server answered; false: the cache alone answered (offline).
    pub from_server: bool,
}

/// What lies after the newest post of a window around a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum NewerPosts {
    /// More of the same range is cached: scroll on.
    Cached,
    /// The window reaches the channel's newest cached posts.
    Newest,
    /// Not cached yet (the gap to the newest posts): `load_posts_beside`.
    OnServer,
}

/// A window of a channel's timeline around one post.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct WindowAround {
    pub channel_id: String,
    /// Oldest first; the focus post among them.
    pub posts: Vec<Post>,
    /// The post to scroll to.
    pub focus_post_id: String,
    pub older: OlderPosts,
    pub newer: NewerPosts,
}

/// Where a jump to a post leads.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum PostJump {
    /// A root post: the channel around it.
    Channel { window: WindowAround },
    /// A reply: its thread (loaded), scrolled to the reply.
    Thread { root_id: String, post_id: String },
}

/// Which side of a post to load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum PageSide {
    Older,
    Newer,
}

impl From<reads::WindowAround> for WindowAround {
    fn from(w: reads::WindowAround) -> Self {
        WindowAround {
            channel_id: w.channel_id,
            posts: w.posts.into_iter().map(Into::into).collect(),
            focus_post_id: w.focus_post_id,
            older: w.older.into(),
            newer: match w.newer {
                reads::NewerPosts::Cached => NewerPosts::Cached,
                reads::NewerPosts::Newest => NewerPosts::Newest,
                reads::NewerPosts::OnServer => NewerPosts::OnServer,
            },
        }
    }
}

#[uniffi::export]
impl Client {
    /// Loads a post's surroundings (a page before and after it, or its
    /// thread) and says where it is shown. Offline, the cache answers.
    pub async fn jump_to_post(&self, post_id: String) -> Result<PostJump> {
        let core = self.core.clone();
        Ok(
            match run(async move { core.jump_to_post(&post_id).await }).await? {
                CorePostJump::Channel { window } => PostJump::Channel {
                    window: window.into(),
                },
                CorePostJump::Thread { root_id, post_id } => PostJump::Thread { root_id, post_id },
            },
        )
    }

    /// The cached window around `post_id`: up to `before` and `after`
    /// posts of the range holding it (never across a gap).
    pub async fn posts_around(
        &self,
        channel_id: String,
        post_id: String,
        before: u32,
        after: u32,
    ) -> Result<WindowAround> {
        let core = self.core.clone();
        Ok(run(async move {
            core.posts_around(&channel_id, &post_id, before as usize, after as usize)
                .await
        })
        .await?
        .into())
    }

    /// Loads the page beside the window's oldest or newest post; read the
    /// window again with `posts_around` afterwards.
    pub async fn load_posts_beside(&self, edge_post_id: String, side: PageSide) -> Result<()> {
        let core = self.core.clone();
        let side = match side {
            PageSide::Older => CorePageSide::Older,
            PageSide::Newer => CorePageSide::Newer,
        };
        Ok(run(async move { core.load_posts_beside(&edge_post_id, side).await }).await?)
    }

    /// Searches the team's posts on the server and in the cache, merged
    /// without duplicates, newest first. `terms` take Mattermost's
    /// modifiers (`from:`, `in:`, `before:`, `after:`, `on:`, `"phrase"`,
    /// `-word`, `word*`); dates are days in `time_zone` (an IANA name;
    /// None: the device's). A bad date is `InvalidInput`.
    pub async fn search_posts(
        &self,
        team_id: String,
        terms: String,
        time_zone: Option<String>,
        limit: u32,
    ) -> Result<SearchResults> {
        let core = self.core.clone();
        let results = run(async move {
            core.search_posts(&team_id, &terms, time_zone.as_deref(), limit as usize)
                .await
        })
        .await?;
        Ok(SearchResults {
            hits: results.hits.into_iter().map(Into::into).collect(),
            from_server: results.from_server,
        })
    }
}
