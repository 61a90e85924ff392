//! Sync: fills the store from the server.
//!
//! The first sync after sign-in fetches in parallel rounds: round 1 the
//! user, teams, memberships, channels and channel members of all teams,
//! preferences and config; round 2 the remaining member pages, the people
//! direct and group messages are named after, sidebar categories and the
//! newest posts of the focused channel. The channel list is complete after
//! those two rounds. Then the newest page of every unread channel (bounded
//! concurrency) and the authors of fetched posts.
//!
//! Catch-up (a store that was synced before) re-fetches only the cheap
//! all-teams listings, compares each channel's `last_post_at` with the
//! stored one and asks for posts `since` the end of the cached range only
//! where something was posted. Users changed since the newest profile seen
//! come from one `POST /users/ids?since=` request.
//!
//! Every response is written in one transaction as it arrives.

mod api;
mod catch_up;
mod channels;
mod first;
mod posts;
mod prefetch;
mod progress;
mod rest;
mod users;

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock, Weak};

pub use api::{PostsQuery, SyncApi, POSTS_PER_PAGE, SINCE_LIMIT};
pub use posts::{load_older, load_thread, LoadOlderOutcome};
pub use prefetch::{prefetch_likely_channels, PrefetchReport, PREFETCH_LIMIT};
pub(crate) use progress::ProgressReporter;
pub use progress::{SyncProgress, SyncStage};

use tracing::Instrument;

use crate::store::{read_cursor, read_mark, realtime_state, Store, StoreError, SyncCursor};

/// How many post pages are fetched at the same time.
pub const POST_FETCH_CONCURRENCY: usize = 6;

#[derive(Debug, thiserror::Error)]
pub enum SyncError<E: std::error::Error + 'static> {
    #[error("server request failed: {0}")]
    Api(#[source] E),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The server answered with something sync cannot use.
    #[error("unusable server answer: {0}")]
    InvalidResponse(&'static str),
}

impl<E: std::error::Error + 'static> SyncError<E> {
    pub(crate) fn api(err: E) -> Self {
        SyncError::Api(err)
    }
}

pub type SyncResult<T, E> = Result<T, SyncError<E>>;

impl From<SyncError<crate::error::Error>> for crate::error::Error {
    fn from(err: SyncError<crate::error::Error>) -> Self {
        match err {
            SyncError::Api(err) => err,
            SyncError::Store(err) => err.into(),
            SyncError::InvalidResponse(reason) => crate::error::Error::invalid_response(reason),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct SyncOptions {
    /// The channel the user looks at: its newest posts come early. Default:
    /// the channel viewed most recently.
    pub focus_channel: Option<String>,
    pub(crate) progress: ProgressReporter,
    /// The account's websocket is in step with the server (see
    /// `RealtimeHandle::wait_in_step`): a catch-up can trust the events.
    pub(crate) events_in_step: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncKind {
    /// Nothing cached yet (or the cache was rebuilt): everything fetched.
    Full,
    /// Only what changed since the last sync.
    CatchUp,
}

/// What a sync did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SyncReport {
    pub kind: SyncKind,
    /// Channels whose newest posts were fetched (page or `since`).
    pub channels_with_posts_fetched: BTreeSet<String>,
    /// Channels where a catch-up could not fetch everything: a gap before
    /// the newest page is recorded.
    pub gaps_left: BTreeSet<String>,
}

/// One sync at a time per account database, whoever starts it (the app's
/// `Client::sync`, the realtime catch-up, a second `Store` handle on the
/// same file): two interleaved syncs would both decide from the same
/// "before" state (both full, or both fetching `since` the same range end)
/// and write over each other's ranges and cursors.
fn account_sync_lock(store: &Store) -> Arc<tokio::sync::Mutex<()>> {
    type Locks = HashMap<PathBuf, Weak<tokio::sync::Mutex<()>>>;
    static LOCKS: OnceLock<std::sync::Mutex<Locks>> = OnceLock::new();
    let mut locks = LOCKS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    locks.retain(|_, lock| lock.strong_count() > 0);
    let path = store.path().to_path_buf();
    if let Some(lock) = locks.get(&path).and_then(Weak::upgrade) {
        return lock;
    }
    let lock = Arc::new(tokio::sync::Mutex::new(()));
    locks.insert(path, Arc::downgrade(&lock));
    lock
}

/// Syncs the store: a full sync when it holds nothing from an earlier one
/// (or was rebuilt), a catch-up otherwise. Syncs of one account run one
/// after the other.
pub async fn sync<A: SyncApi>(
    api: &A,
    store: &Store,
    options: &SyncOptions,
) -> SyncResult<SyncReport, A::Error> {
    let lock = account_sync_lock(store);
    let _one_at_a_time = lock.lock().await;
    let synced_before = store
        .read(|c| read_cursor(c, SyncCursor::LastSyncAt))
        .await?
        .is_some();
    // Spans are attached with `instrument`: an entered span guard must not
    // live across an await (and would make the future !Send).
    let catching_up = synced_before && !store.was_rebuilt();
    let unverified = store
        .read(|c| read_mark(c, SyncCursor::CachedPostsUnverified))
        .await?;
    let catch_up_owed = store
        .read(|c| Ok(realtime_state(c)?.is_some_and(|(_, _, owed)| owed)))
        .await?;
    // Events carry every change only while none were lost: a resumed
    // connection, no catch-up owed for an earlier loss, nothing unverified.
    let from_events =
        catching_up && options.events_in_step && unverified.is_none() && !catch_up_owed;
    let _idle_when_done = options.progress.start(if catching_up {
        SyncKind::CatchUp
    } else {
        SyncKind::Full
    });
    let report = if from_events {
        catch_up::catch_up_from_events(api, store, options)
            .instrument(tracing::info_span!("catch_up_from_events"))
            .await?
    } else if catching_up {
        catch_up::catch_up(api, store, options, unverified.is_some())
            .instrument(tracing::info_span!("catch_up_sync"))
            .await?
    } else {
        first::first_sync(api, store, options)
            .instrument(tracing::info_span!("first_sync"))
            .await?
    };
    if let Some(generation) = unverified {
        store
            .write(move |w| w.clear_mark(SyncCursor::CachedPostsUnverified, generation))
            .await?;
    }
    store.clear_rebuilt_flag();
    Ok(report)
}

#[cfg(test)]
mod fake;
#[cfg(test)]
mod tests;
