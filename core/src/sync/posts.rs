//! Fetching timeline pages and recording which ranges they cover.

use serde::Serialize;

use super::api::{ordered_posts, PostsQuery, SyncApi, POSTS_PER_PAGE, SINCE_LIMIT};
use super::users::fetch_unknown_users;
use super::{SyncError, SyncResult};
use crate::model::PostList;
use crate::store::{channel_last_post_at, newest_range, oldest_post_since, Store, StoreResult};

/// What a page covered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PageCoverage {
    /// The range is recorded.
    Recorded,
    /// A `since` answer was full: it may be cut off, no range recorded.
    Truncated,
}

/// Fetches the newest page of a channel and records it as a range from its
/// oldest post up to the channel's last post time.
/// Fetches and stores the newest page of a channel; returns the authors of
/// its posts (a sync fetches the unknown ones once at its end).
pub(super) async fn fetch_newest<A: SyncApi>(
    api: &A,
    store: &Store,
    channel_id: &str,
) -> SyncResult<Vec<String>, A::Error> {
    Ok(fetch_newest_counted(api, store, channel_id).await?.0)
}

/// [`fetch_newest`], also telling how many posts of the channel came.
async fn fetch_newest_counted<A: SyncApi>(
    api: &A,
    store: &Store,
    channel_id: &str,
) -> SyncResult<(Vec<String>, usize), A::Error> {
    let query = PostsQuery::Newest {
        per_page: POSTS_PER_PAGE,
    };
    let list = api
        .channel_posts(channel_id, &query)
        .await
        .map_err(SyncError::api)?;
    let authors = authors_of(&list);
    let fetched = ordered_posts(&list, channel_id).len();
    write_page(store, channel_id.to_owned(), query, None, list).await?;
    Ok((authors, fetched))
}

fn authors_of(list: &PostList) -> Vec<String> {
    let authors: std::collections::BTreeSet<&str> =
        list.posts.values().map(|p| p.user_id.as_str()).collect();
    authors.into_iter().map(str::to_owned).collect()
}

/// Fetches everything changed since the end of the channel's newest range.
/// A full answer may be cut off: then the newest page is fetched as well,
/// and the hole between it and the old range stays a known gap. Returns
/// true when a gap was left.
pub(super) async fn fetch_since<A: SyncApi>(
    api: &A,
    store: &Store,
    channel_id: &str,
    since: i64,
) -> SyncResult<bool, A::Error> {
    let query = PostsQuery::Since { since };
    let list = api
        .channel_posts(channel_id, &query)
        .await
        .map_err(SyncError::api)?;
    let coverage = write_page(store, channel_id.to_owned(), query, None, list).await?;
    if coverage == PageCoverage::Truncated {
        fetch_newest(api, store, channel_id).await?;
        let channel = channel_id.to_owned();
        let ranges = store
            .read(move |c| crate::store::timeline_ranges(c, &channel))
            .await?;
        return Ok(ranges.len() > 1);
    }
    Ok(false)
}

/// Stores a page's posts and the range it proves complete, in one
/// transaction. `anchor_at`: create time of the `before` anchor.
async fn write_page(
    store: &Store,
    channel_id: String,
    query: PostsQuery,
    anchor_at: Option<i64>,
    list: PostList,
) -> StoreResult<PageCoverage> {
    store
        .write(move |w| {
            // Everything the server sent is valid data (roots of replies
            // included); only the ordered posts of this channel define the range.
            w.upsert_posts(list.posts.values())?;
            let ordered = ordered_posts(&list, &channel_id);
            let oldest = ordered.iter().map(|p| p.create_at).min();
            let newest = ordered.iter().map(|p| p.create_at).max();
            let last_post_at = channel_last_post_at(w.conn(), &channel_id)?;
            match query {
                PostsQuery::Newest { per_page } => {
                    let reaches_start = ordered.len() < per_page;
                    let hi = newest.unwrap_or(0).max(last_post_at);
                    let lo = oldest.unwrap_or(hi);
                    w.record_range(&channel_id, lo, hi, reaches_start)?;
                }
                PostsQuery::Before { per_page, .. } => {
                    let anchor_at = anchor_at.unwrap_or(0);
                    let reaches_start = ordered.len() < per_page;
                    let lo = oldest.unwrap_or(anchor_at).min(anchor_at);
                    w.record_range(&channel_id, lo, anchor_at, reaches_start)?;
                }
                PostsQuery::Since { since } => {
                    if list.order.len() >= SINCE_LIMIT {
                        return Ok(PageCoverage::Truncated);
                    }
                    let hi = newest.unwrap_or(since).max(last_post_at).max(since);
                    w.record_range(&channel_id, since, hi, false)?;
                }
            }
            Ok(PageCoverage::Recorded)
        })
        .await
}

/// What [`load_older`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LoadOlderOutcome {
    /// Posts the page brought.
    pub fetched: usize,
    /// The channel's first post is now cached.
    pub reached_start: bool,
    /// The page closed a gap: the newest range now joins an older one.
    pub closed_gap: bool,
}

/// Loads the page before the oldest post of the channel's newest range
/// (scrolling up, or filling a gap left by catch-up). Without any cached
/// range it loads the newest page instead.
pub async fn load_older<A: SyncApi>(
    api: &A,
    store: &Store,
    channel_id: &str,
) -> SyncResult<LoadOlderOutcome, A::Error> {
    let channel = channel_id.to_owned();
    let (anchor, ranges_before) = store
        .read(move |c| {
            let Some(range) = newest_range(c, &channel)? else {
                return Ok((None, 0));
            };
            let anchor = oldest_post_since(c, &channel, range.oldest_at)?;
            let count = crate::store::timeline_ranges(c, &channel)?.len();
            Ok((anchor.map(|a| (a, range)), count))
        })
        .await?;
    let Some(((post_id, anchor_at), range)) = anchor else {
        let (authors, fetched) = fetch_newest_counted(api, store, channel_id).await?;
        fetch_unknown_users(api, store, authors).await?;
        return outcome(store, channel_id, fetched, ranges_before).await;
    };
    if range.reaches_start {
        return Ok(LoadOlderOutcome {
            fetched: 0,
            reached_start: true,
            closed_gap: false,
        });
    }
    let query = PostsQuery::Before {
        post_id,
        per_page: POSTS_PER_PAGE,
    };
    let list = api
        .channel_posts(channel_id, &query)
        .await
        .map_err(SyncError::api)?;
    let fetched = ordered_posts(&list, channel_id).len();
    let authors = authors_of(&list);
    write_page(store, channel_id.to_owned(), query, Some(anchor_at), list).await?;
    fetch_unknown_users(api, store, authors).await?;
    outcome(store, channel_id, fetched, ranges_before).await
}

async fn outcome<E: std::error::Error + 'static>(
    store: &Store,
    channel_id: &str,
    fetched: usize,
    ranges_before: usize,
) -> SyncResult<LoadOlderOutcome, E> {
    let channel = channel_id.to_owned();
    let ranges = store
        .read(move |c| crate::store::timeline_ranges(c, &channel))
        .await?;
    Ok(LoadOlderOutcome {
        fetched,
        reached_start: ranges.first().is_some_and(|r| r.reaches_start),
        closed_gap: ranges.len() < ranges_before,
    })
}

/// Fetches a whole thread (root and replies) into the store.
pub async fn load_thread<A: SyncApi>(
    api: &A,
    store: &Store,
    root_id: &str,
) -> SyncResult<usize, A::Error> {
    let list = api.post_thread(root_id).await.map_err(SyncError::api)?;
    let count = list.posts.len();
    let authors = authors_of(&list);
    store
        .write(move |w| w.upsert_posts(list.posts.values()))
        .await?;
    fetch_unknown_users(api, store, authors).await?;
    Ok(count)
}
