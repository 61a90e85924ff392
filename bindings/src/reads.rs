//! Sync and the store-only reads (they work offline).

use crate::client::Client;
use crate::error::Result;
use crate::runtime::run;
use crate::views::{
    LoadOlderOutcome, Person, PrefetchReport, SearchHit, SidebarSection, SyncReport, Team, Thread,
    TimelineWindow,
};

fn all<T, U: From<T>>(items: Vec<T>) -> Vec<U> {
    items.into_iter().map(Into::into).collect()
}

#[uniffi::export]
impl Client {
    /// Brings the cache up to date: everything the first time, afterwards
    /// only what changed.
    pub async fn sync(&self) -> Result<SyncReport> {
        let core = self.core.clone();
        Ok(run(async move { core.sync().await }).await?.into())
    }

    /// Offline coverage, to call after a sync: the newest page of the
    /// channels the user is likely to open (favorites, recent direct and
    /// group messages, recently viewed or active) that have nothing cached,
    /// bounded and two at a time.
    pub async fn prefetch_for_offline(&self) -> Result<PrefetchReport> {
        let core = self.core.clone();
        Ok(run(async move { core.prefetch_for_offline().await })
            .await?
            .into())
    }

    /// Loads the page before the oldest cached post of a channel (scrolling
    /// up, or filling a gap).
    pub async fn load_older(&self, channel_id: String) -> Result<LoadOlderOutcome> {
        let core = self.core.clone();
        Ok(run(async move { core.load_older(&channel_id).await })
            .await?
            .into())
    }

    /// Fetches a whole thread into the cache and returns it.
    pub async fn load_thread(&self, root_id: String) -> Result<Thread> {
        let core = self.core.clone();
        Ok(run(async move { core.load_thread(&root_id).await })
            .await?
            .into())
    }

    /// The user's teams with unread state.
    pub async fn teams(&self) -> Result<Vec<Team>> {
        let core = self.core.clone();
        Ok(all(run(async move { core.teams().await }).await?))
    }

    /// A team's channel list, grouped like the sidebar.
    pub async fn channel_list(&self, team_id: String) -> Result<Vec<SidebarSection>> {
        let core = self.core.clone();
        Ok(all(
            run(async move { core.channel_list(&team_id).await }).await?
        ))
    }

    /// The newest `limit` cached posts of a channel.
    pub async fn timeline(&self, channel_id: String, limit: u32) -> Result<TimelineWindow> {
        let core = self.core.clone();
        Ok(
            run(async move { core.timeline(&channel_id, limit as usize).await })
                .await?
                .into(),
        )
    }

    /// The `limit` cached posts before `before_post_id`.
    pub async fn timeline_before(
        &self,
        channel_id: String,
        before_post_id: String,
        limit: u32,
    ) -> Result<TimelineWindow> {
        let core = self.core.clone();
        Ok(run(async move {
            core.timeline_before(&channel_id, &before_post_id, limit as usize)
                .await
        })
        .await?
        .into())
    }

    /// A cached thread.
    pub async fn thread(&self, root_id: String) -> Result<Thread> {
        let core = self.core.clone();
        Ok(run(async move { core.thread(&root_id).await })
            .await?
            .into())
    }

    /// Full-text search over cached posts, newest first, with the same
    /// modifiers as `search_posts`; the last word is a prefix.
    pub async fn search(
        &self,
        terms: String,
        team_id: Option<String>,
        limit: u32,
    ) -> Result<Vec<SearchHit>> {
        let core = self.core.clone();
        Ok(all(run(async move {
            core.search_offline(&terms, team_id.as_deref(), limit as usize)
                .await
        })
        .await?))
    }

    /// A cached person.
    pub async fn person(&self, user_id: String) -> Result<Option<Person>> {
        let core = self.core.clone();
        Ok(run(async move { core.user(&user_id).await })
            .await?
            .map(Into::into))
    }
}
