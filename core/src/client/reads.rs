//! The store-only reads the app calls on [`Client`]: they never touch the
//! network and work offline.

use std::sync::Arc;

use tokio::sync::broadcast;

use super::Client;
use crate::error::Result;
use crate::observe::{Sidebar, Subscription};
use crate::store::reads::{
    channel_list, teams, thread, timeline, SidebarSection, TeamView, ThreadView, TimelineWindow,
    UserView,
};
use crate::store::{ChangeSet, Store, StoreResult};

impl Client {
    async fn read_store<T, F>(&self, f: F) -> Result<T>
    where
        F: FnOnce(&rusqlite::Connection) -> StoreResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let store: Store = self.store()?;
        Ok(store.read(f).await?)
    }

    /// Change sets of the cache, for listeners that re-read what changed.
    pub fn store_changes(&self) -> Result<broadcast::Receiver<Arc<ChangeSet>>> {
        Ok(self.store()?.subscribe())
    }

    /// A team's channel list now, then a diff after every change.
    pub fn watch_channel_list(&self, team_id: &str) -> Result<Subscription<Sidebar>> {
        let client = self.clone();
        let (affected, team_id) = (team_id.to_owned(), team_id.to_owned());
        Ok(Subscription::new(
            self.store_changes()?,
            move |changes| changes.affects_channel_list(&affected),
            move || {
                let (client, team_id) = (client.clone(), team_id.clone());
                async move { client.channel_list(&team_id).await }
            },
        ))
    }

    /// The newest `limit` posts of a channel now, then a diff after every
    /// change.
    pub fn watch_timeline(
        &self,
        channel_id: &str,
        limit: usize,
    ) -> Result<Subscription<TimelineWindow>> {
        let client = self.clone();
        let (affected, channel_id) = (channel_id.to_owned(), channel_id.to_owned());
        Ok(Subscription::new(
            self.store_changes()?,
            move |changes| changes.affects_timeline(&affected),
            move || {
                let (client, channel_id) = (client.clone(), channel_id.clone());
                async move { client.timeline(&channel_id, limit).await }
            },
        ))
    }

    /// A thread now, then a diff after every change.
    pub fn watch_thread(&self, root_id: &str) -> Result<Subscription<ThreadView>> {
        let client = self.clone();
        let (affected, root_id) = (root_id.to_owned(), root_id.to_owned());
        Ok(Subscription::new(
            self.store_changes()?,
            move |changes| changes.affects_thread(&affected),
            move || {
                let (client, root_id) = (client.clone(), root_id.clone());
                async move { client.thread(&root_id).await }
            },
        ))
    }

    /// The user's teams with unread state.
    pub async fn teams(&self) -> Result<Vec<TeamView>> {
        self.read_store(teams).await
    }

    /// A team's channel list, grouped like the sidebar.
    pub async fn channel_list(&self, team_id: &str) -> Result<Vec<SidebarSection>> {
        let team_id = team_id.to_owned();
        self.read_store(move |c| channel_list(c, &team_id)).await
    }

    /// The newest `limit` cached posts of a channel.
    pub async fn timeline(&self, channel_id: &str, limit: usize) -> Result<TimelineWindow> {
        let channel_id = channel_id.to_owned();
        self.read_store(move |c| timeline(c, &channel_id, limit, None))
            .await
    }

    /// The `limit` cached posts before `before_post_id` (scrolling up).
    pub async fn timeline_before(
        &self,
        channel_id: &str,
        before_post_id: &str,
        limit: usize,
    ) -> Result<TimelineWindow> {
        let channel_id = channel_id.to_owned();
        let before = before_post_id.to_owned();
        self.read_store(move |c| timeline(c, &channel_id, limit, Some(&before)))
            .await
    }

    /// A cached thread.
    pub async fn thread(&self, root_id: &str) -> Result<ThreadView> {
        let root_id = root_id.to_owned();
        self.read_store(move |c| thread(c, &root_id)).await
    }

    /// A cached user.
    pub async fn user(&self, user_id: &str) -> Result<Option<UserView>> {
        let user_id = user_id.to_owned();
        self.read_store(move |c| crate::store::reads::user(c, &user_id))
            .await
    }
}
