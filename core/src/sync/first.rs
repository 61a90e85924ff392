//! The first sync after sign-in (or after the cache was rebuilt).

use futures_util::future::OptionFuture;
use futures_util::{StreamExt, TryStreamExt};
use tracing::Instrument;

use super::api::{SyncApi, MEMBERS_PER_PAGE};
use super::channels::{
    fetch_categories, fetch_listing, more_member_pages, write_all_members, write_categories,
    write_listing,
};
use super::posts::fetch_newest;
use super::users::{fetch_users, missing_users, NamedAfter};
use super::{
    SyncError, SyncKind, SyncOptions, SyncReport, SyncResult, SyncStage, POST_FETCH_CONCURRENCY,
};
use crate::store::{Store, StoreResult, SyncCursor};

pub(super) async fn first_sync<A: SyncApi>(
    api: &A,
    store: &Store,
    options: &SyncOptions,
) -> SyncResult<SyncReport, A::Error> {
    let listing_no = store.write(|w| w.begin_listing()).await?;
    let listing = fetch_listing(api, true)
        .instrument(tracing::info_span!("sync_round", round = 1))
        .await?;
    let me = listing
        .me
        .as_ref()
        .map(|u| u.id.clone())
        .unwrap_or_default();
    if me.is_empty() {
        return Err(SyncError::InvalidResponse("the signed-in user has no id"));
    }
    let members_complete = listing.members.len() < MEMBERS_PER_PAGE;
    let first_page_len = listing.members.len();
    let first_page = if members_complete {
        Vec::new()
    } else {
        listing.members.clone()
    };
    let channel_count = listing.channels.len();
    let team_ids: Vec<String> = listing
        .teams
        .iter()
        .filter(|t| t.delete_at == 0)
        .map(|t| t.id.clone())
        .collect();
    let named_after = NamedAfter::of(&listing.channels);
    write_listing(store, me.clone(), listing, members_complete, listing_no).await?;
    options.progress.stage(SyncStage::ChannelList);

    // Round 2: everything the channel list still needs, plus the newest
    // posts of the channel the user is about to look at.
    let focus = match &options.focus_channel {
        Some(id) => Some(id.clone()),
        None => most_recently_viewed_channel(store).await?,
    };
    let missing = named_after.missing(store).await?;
    let mut report = SyncReport {
        kind: SyncKind::Full,
        channels_with_posts_fetched: Default::default(),
        gaps_left: Default::default(),
    };
    {
        let focus_posts: OptionFuture<_> = focus
            .as_deref()
            .map(|id| fetch_newest(api, store, id))
            .into();
        let (members, users, categories, focus_posts) = async {
            futures_util::join!(
                more_member_pages(api, first_page_len, channel_count),
                fetch_users(api, store, missing),
                fetch_categories(api, &team_ids),
                focus_posts,
            )
        }
        .instrument(tracing::info_span!("sync_round", round = 2))
        .await;
        let members = members?;
        users?;
        focus_posts.transpose()?;
        if !members_complete {
            let mut all = first_page;
            all.extend(members);
            write_all_members(store, me.clone(), all, listing_no).await?;
        }
        write_categories(store, categories?).await?;
        report.channels_with_posts_fetched.extend(focus.clone());
    }

    // Round 3: the newest page of every unread channel, a few at a time.
    let unread: Vec<String> = unread_channels(store)
        .await?
        .into_iter()
        .filter(|id| Some(id) != focus.as_ref())
        .collect();
    // Futures are built before the stream: a closure inside the stream
    // type trips the compiler's Send check for spawned syncs.
    options.progress.posts(unread.len());
    let fetches: Vec<_> = unread
        .iter()
        .map(|id| async move {
            fetch_newest(api, store, id).await?;
            options.progress.channel_fetched();
            Ok::<_, SyncError<A::Error>>(())
        })
        .collect();
    futures_util::stream::iter(fetches)
        .buffer_unordered(POST_FETCH_CONCURRENCY)
        .try_collect::<Vec<()>>()
        .instrument(tracing::info_span!("sync_round", round = 3))
        .await?;
    report.channels_with_posts_fetched.extend(unread);

    // Last round: authors of the fetched posts.
    options.progress.stage(SyncStage::Authors);
    let missing = missing_users(store).await?;
    fetch_users(api, store, missing).await?;
    mark_synced(store).await?;
    Ok(report)
}

pub(super) async fn most_recently_viewed_channel(store: &Store) -> StoreResult<Option<String>> {
    store
        .read(|c| {
            let me = crate::store::reads::my_user_id(c)?;
            crate::store::most_recently_viewed_channel(c, &me)
        })
        .await
}

/// Channels with unread posts or mentions whose timeline is not cached.
pub(super) async fn unread_channels(store: &Store) -> StoreResult<Vec<String>> {
    store
        .read(|c| {
            let me = crate::store::reads::my_user_id(c)?;
            crate::store::unread_uncached_channel_ids(c, &me)
        })
        .await
}

pub(super) async fn mark_synced(store: &Store) -> StoreResult<()> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    store
        .write(move |w| w.set_cursor(SyncCursor::LastSyncAt, now))
        .await
}
