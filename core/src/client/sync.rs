//! The sync methods the app calls on [`Client`].

use tokio::sync::watch;

use super::Client;
use crate::error::Result;
use crate::store::reads::ThreadView;
use crate::store::SyncCursor;
use crate::sync::{
    load_older, load_thread, prefetch_likely_channels, sync, LoadOlderOutcome, PrefetchReport,
    ProgressReporter, SyncError, SyncOptions, SyncProgress, SyncReport, PREFETCH_LIMIT,
};

/// How long a sync waits for a connecting websocket to be in step before
/// it catches up over REST instead.
const IN_STEP_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

impl Client {
    /// Brings the cache up to date: a full sync the first time (or after
    /// the cache was rebuilt), otherwise a catch-up that fetches only what
    /// changed. The most recently viewed channel's posts come early.
    pub async fn sync(&self) -> Result<SyncReport> {
        self.sync_with(SyncOptions::default()).await
    }

    /// [`Client::sync`] with the channel the user is looking at.
    pub async fn sync_with(&self, mut options: SyncOptions) -> Result<SyncReport> {
        let account = self.account()?;
        match self.live()? {
            // No live connection has been watching: anything may have changed.
            None => {
                account
                    .store
                    .write(|w| w.raise_mark(SyncCursor::CachedPostsUnverified))
                    .await?
            }
            // A socket that resumes brings what was missed as events, far
            // cheaper than asking every channel; worth a short wait when it
            // is still connecting (the app starts both at once).
            Some(live) => {
                options.events_in_step = live.realtime.wait_in_step(IN_STEP_WAIT).await;
            }
        }
        options.progress = ProgressReporter::new(self.inner.sync_progress.clone());
        match sync(&account.api, &account.store, &options).await {
            Err(SyncError::Store(err)) if err.is_corruption() => {
                // The cache is disposable: start over and fetch everything.
                tracing::warn!("store damaged during sync; rebuilding it");
                account.store.rebuild().await?;
                Ok(sync(&account.api, &account.store, &options).await?)
            }
            result => Ok(result?),
        }
    }

    /// Offline coverage, for the app to call after a sync (on a metered
    /// network it may wait): fetches the newest page of the channels the
    /// user is likely to open (favorites, recent direct and group messages,
    /// channels viewed in the last two weeks or active in the last week)
    /// that have nothing cached, at most [`PREFETCH_LIMIT`], two at a time.
    /// A prefetch already running makes this one return at once.
    pub async fn prefetch_for_offline(&self) -> Result<PrefetchReport> {
        let account = self.account()?;
        let Ok(_one_at_a_time) = self.inner.prefetching.try_lock() else {
            return Ok(PrefetchReport::default());
        };
        Ok(prefetch_likely_channels(&account.api, &account.store, PREFETCH_LIMIT).await?)
    }

    /// Watches the progress of syncs started with [`Client::sync`]: idle
    /// between syncs, then stage by stage, for a progress bar.
    pub fn sync_progress(&self) -> watch::Receiver<SyncProgress> {
        self.inner.sync_progress.subscribe()
    }

    /// Loads the page of posts before the oldest one of the channel's
    /// newest cached range: scrolling up, or filling a gap a catch-up left.
    pub async fn load_older(&self, channel_id: &str) -> Result<LoadOlderOutcome> {
        let account = self.account()?;
        Ok(load_older(&account.api, &account.store, channel_id).await?)
    }

    /// Fetches a whole thread into the cache and returns it.
    pub async fn load_thread(&self, root_id: &str) -> Result<ThreadView> {
        let account = self.account()?;
        load_thread(&account.api, &account.store, root_id).await?;
        self.thread(root_id).await
    }
}
