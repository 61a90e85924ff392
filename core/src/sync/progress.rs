//! How far a running sync has come. The first sync of a large school takes
//! a few seconds; a progress bar tells the user something is happening and
//! how much is left, which a spinner cannot.

use std::sync::Arc;

use tokio::sync::watch;

use super::SyncKind;

/// The part of the work a sync is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncStage {
    /// No sync is running.
    #[default]
    Idle,
    /// The user, teams, channels and memberships.
    Listing,
    /// What the channel list still needs: more member pages, the people
    /// direct messages are named after, sidebar categories.
    ChannelList,
    /// The newest posts of channels with something new.
    Posts,
    /// The authors of the fetched posts.
    Authors,
}

/// A snapshot of a running sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct SyncProgress {
    /// `None` while idle.
    pub kind: Option<SyncKind>,
    pub stage: SyncStage,
    /// Channels whose posts have arrived, of `channels_to_fetch`; both count
    /// only during [`SyncStage::Posts`].
    pub channels_fetched: u32,
    pub channels_to_fetch: u32,
}

impl SyncProgress {
    /// The share of the work done, from 0.0 to 1.0, for a progress bar. The
    /// stages are weighted by their share of a first sync's time on a large
    /// school; posts are counted channel by channel.
    pub fn fraction(&self) -> f32 {
        match self.stage {
            SyncStage::Idle | SyncStage::Listing => 0.0,
            SyncStage::ChannelList => 0.25,
            SyncStage::Posts if self.channels_to_fetch == 0 => 0.4,
            SyncStage::Posts => {
                let done = self.channels_fetched.min(self.channels_to_fetch);
                0.4 + 0.5 * done as f32 / self.channels_to_fetch as f32
            }
            SyncStage::Authors => 0.95,
        }
    }
}

/// Publishes a sync's progress to whoever watches it; a no-op when nobody
/// asked (syncs started by tests or the realtime catch-up).
#[derive(Debug, Clone, Default)]
pub(crate) struct ProgressReporter(Option<Arc<watch::Sender<SyncProgress>>>);

impl ProgressReporter {
    pub(crate) fn new(sender: Arc<watch::Sender<SyncProgress>>) -> Self {
        ProgressReporter(Some(sender))
    }

    /// Marks the start of a sync; the returned guard sets the state back to
    /// idle when the sync ends, fails or is cancelled.
    pub(crate) fn start(&self, kind: SyncKind) -> IdleOnDrop {
        self.update(|p| {
            *p = SyncProgress {
                kind: Some(kind),
                stage: SyncStage::Listing,
                ..SyncProgress::default()
            }
        });
        IdleOnDrop(self.clone())
    }

    pub(crate) fn stage(&self, stage: SyncStage) {
        self.update(|p| p.stage = stage);
    }

    /// Enters [`SyncStage::Posts`] with `total` channels to fetch.
    pub(crate) fn posts(&self, total: usize) {
        self.update(|p| {
            p.stage = SyncStage::Posts;
            p.channels_fetched = 0;
            p.channels_to_fetch = u32::try_from(total).unwrap_or(u32::MAX);
        });
    }

    pub(crate) fn channel_fetched(&self) {
        self.update(|p| p.channels_fetched = p.channels_fetched.saturating_add(1));
    }

    fn update(&self, change: impl FnOnce(&mut SyncProgress)) {
        if let Some(sender) = &self.0 {
            sender.send_modify(change);
        }
    }
}

pub(crate) struct IdleOnDrop(ProgressReporter);

impl Drop for IdleOnDrop {
    fn drop(&mut self) {
        self.0.update(|p| *p = SyncProgress::default());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fraction_grows_through_the_stages_and_stays_in_range() {
        let mut progress = SyncProgress {
            kind: Some(SyncKind::Full),
            ..SyncProgress::default()
        };
        let mut last = -1.0;
        for stage in [SyncStage::Listing, SyncStage::ChannelList] {
            progress.stage = stage;
            assert!(progress.fraction() > last);
            last = progress.fraction();
        }
        progress.stage = SyncStage::Posts;
        progress.channels_to_fetch = 4;
        for done in 0..=4 {
            progress.channels_fetched = done;
            assert!(progress.fraction() > last, "{progress:?}");
            last = progress.fraction();
        }
        progress.stage = SyncStage::Authors;
        assert!(progress.fraction() > last);
        assert!(progress.fraction() <= 1.0);
    }

    #[test]
    fn more_fetched_than_expected_does_not_overflow_the_bar() {
        let progress = SyncProgress {
            kind: Some(SyncKind::CatchUp),
            stage: SyncStage::Posts,
            channels_fetched: 9,
            channels_to_fetch: 3,
        };
        assert_eq!(progress.fraction(), 0.9);
    }

    #[test]
    fn the_guard_reports_idle_when_the_sync_ends() {
        let sender = Arc::new(watch::channel(SyncProgress::default()).0);
        let mut watcher = sender.subscribe();
        let reporter = ProgressReporter::new(sender);
        let guard = reporter.start(SyncKind::Full);
        reporter.posts(2);
        reporter.channel_fetched();
        let seen = *watcher.borrow_and_update();
        assert_eq!(seen.stage, SyncStage::Posts);
        assert_eq!((seen.channels_fetched, seen.channels_to_fetch), (1, 2));
        drop(guard);
        assert_eq!(*watcher.borrow_and_update(), SyncProgress::default());
    }
}
