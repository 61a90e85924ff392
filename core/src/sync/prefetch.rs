//! Offline coverage. A sync fetches posts only where something is unread
//! (and the channel in focus), so after it a student in a tunnel finds
//! the channels they read every day empty. Afterwards, a few at a time and
//! bounded, the newest page of the channels a user is likely to open is
//! fetched: favorites, direct and group messages with recent posts,
//! channels viewed in the last two weeks and channels active in the last
//! week; the most recently viewed first.

use futures_util::StreamExt;
use serde::Serialize;

use super::api::SyncApi;
use super::posts::fetch_newest;
use super::users::{fetch_users, missing_users};
use super::{SyncError, SyncResult};
use crate::store::{
    likely_uncached_channel_ids, newest_channel_post_at, LikelyWithin, Store, StoreResult,
};

/// Channels per prefetch: about 60 posts each, so a few hundred KiB on
/// a school server, once (a channel with cached posts is not fetched
/// again; catch-up keeps it current).
pub const PREFETCH_LIMIT: usize = 25;
/// Low priority: the app's own requests must not queue behind these.
const PREFETCH_CONCURRENCY: usize = 2;
/// Failures in a row after which the network is taken to be gone.
const GIVE_UP_AFTER: usize = 3;
const DAY_MS: i64 = 24 * 60 * 60 * 1000;
const VIEWED_WITHIN: i64 = 14 * DAY_MS;
const ACTIVE_WITHIN: i64 = 7 * DAY_MS;
const DIRECT_ACTIVE_WITHIN: i64 = 30 * DAY_MS;

/// What a prefetch did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PrefetchReport {
    /// Channels whose newest page is now cached.
    pub channels_fetched: Vec<String>,
    /// Channels that would have been fetched but failed (or were not
    /// tried once the network was gone).
    pub channels_failed: usize,
}

/// The channels to fetch, best first: not archived, something posted,
/// nothing cached yet, and likely to be opened. "Recent" counts back from
/// the newest post the store knows of, on the server's clock: a phone's
/// clock may be off by days, and a quiet week must not leave nothing
/// recent.
pub(super) async fn likely_channels(store: &Store, limit: usize) -> StoreResult<Vec<String>> {
    store
        .read(move |c| {
            let me = crate::store::reads::my_user_id(c)?;
            let now = newest_channel_post_at(c)?;
            let within = LikelyWithin {
                viewed: VIEWED_WITHIN,
                active: ACTIVE_WITHIN,
                direct_active: DIRECT_ACTIVE_WITHIN,
            };
            likely_uncached_channel_ids(c, &me, now, within, limit)
        })
        .await
}

/// Fetches the newest page of up to `limit` likely channels, two at a
/// time, then the profiles of their authors. One failing channel does not
/// stop the others; a lost network does.
pub async fn prefetch_likely_channels<A: SyncApi>(
    api: &A,
    store: &Store,
    limit: usize,
) -> SyncResult<PrefetchReport, A::Error> {
    let wanted = likely_channels(store, limit).await?;
    let mut report = PrefetchReport::default();
    let fetches: Vec<_> = wanted
        .iter()
        .map(|id| async move { (id.clone(), fetch_newest(api, store, id).await) })
        .collect();
    let mut results = futures_util::stream::iter(fetches).buffer_unordered(PREFETCH_CONCURRENCY);
    let mut failed_in_a_row = 0;
    while let Some((id, result)) = results.next().await {
        match result {
            Ok(_) => {
                failed_in_a_row = 0;
                report.channels_fetched.push(id);
            }
            Err(SyncError::Store(e)) => return Err(SyncError::Store(e)),
            Err(e) => {
                tracing::info!(error = %e, "prefetch: a channel could not be fetched");
                report.channels_failed += 1;
                failed_in_a_row += 1;
                if failed_in_a_row >= GIVE_UP_AFTER {
                    // Offline again, most likely: the next sync tries anew.
                    report.channels_failed = wanted.len() - report.channels_fetched.len();
                    return Ok(report);
                }
            }
        }
    }
    drop(results);
    if !report.channels_fetched.is_empty() {
        let missing = missing_users(store).await?;
        fetch_users(api, store, missing).await?;
    }
    Ok(report)
}
