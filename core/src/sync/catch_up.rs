//! Catch-up after being offline: fetch what changed, not everything.

use std::collections::{BTreeSet, HashMap};

use futures_util::{StreamExt, TryStreamExt};
use tracing::Instrument;

use super::api::{SyncApi, MEMBERS_PER_PAGE};
use super::channels::{
    fetch_categories, fetch_listing, more_member_pages, write_all_members, write_categories,
    write_listing, Listing,
};
use super::first::{mark_synced, most_recently_viewed_channel, unread_channels};
use super::posts::{fetch_newest, fetch_since};
use super::users::{fetch_users, missing_users, refresh_changed_users};
use super::{
    SyncError, SyncKind, SyncOptions, SyncReport, SyncResult, SyncStage, POST_FETCH_CONCURRENCY,
};
use crate::model::ChannelMember;
use crate::store::{
    channel_ids_with_last_post_at, my_channel_ids, my_team_ids, newest_range, read_cursor, Store,
    StoreResult, SyncCursor,
};

/// What the store knew before the catch-up.
struct Known {
    me: String,
    /// Per channel: last post time and end of the newest cached range.
    channels: HashMap<String, (i64, Option<i64>)>,
    my_channels: BTreeSet<String>,
    teams: BTreeSet<String>,
    /// The stale mark's generation, if categories must be refetched (an
    /// event said they changed without saying how, or arrived while an
    /// earlier catch-up could write older copies over it).
    categories_stale: Option<i64>,
}

async fn known(store: &Store) -> StoreResult<Known> {
    store
        .read(|c| {
            let me = crate::store::reads::my_user_id(c)?;
            let mut channels = HashMap::new();
            for (id, last_post_at) in channel_ids_with_last_post_at(c)? {
                let range_end = newest_range(c, &id)?.map(|r| r.newest_at);
                channels.insert(id, (last_post_at, range_end));
            }
            let my_channels = my_channel_ids(c, &me)?.into_iter().collect();
            let teams = my_team_ids(c, &me)?.into_iter().collect();
            let categories_stale =
                read_cursor(c, SyncCursor::SidebarCategoriesStale)?.filter(|v| *v > 0);
            Ok(Known {
                me,
                channels,
                my_channels,
                teams,
                categories_stale,
            })
        })
        .await
}

/// How to bring one channel's timeline up to date.
enum PostFetch {
    Since(String, i64),
    Newest(String),
}

/// What the catch-up fetches beyond the listing.
struct Changes {
    posts: Vec<PostFetch>,
    /// Teams whose sidebar categories are refetched.
    teams: Vec<String>,
}

/// What round two needs of the first membership page once the listing
/// itself has been written.
struct MemberPaging {
    complete: bool,
    first_page_len: usize,
    /// Kept only when more pages follow: all pages replace the memberships.
    first_page: Vec<ChannelMember>,
    channel_count: usize,
    /// The listing's number (see `Writer::begin_listing`).
    listing_no: i64,
}

impl MemberPaging {
    fn of(listing: &Listing, listing_no: i64) -> Self {
        let complete = listing.members.len() < MEMBERS_PER_PAGE;
        MemberPaging {
            complete,
            first_page_len: listing.members.len(),
            first_page: if complete {
                Vec::new()
            } else {
                listing.members.clone()
            },
            channel_count: listing.channels.len(),
            listing_no,
        }
    }
}

/// `verify`: events may have been lost since the last sync, so every
/// channel with cached posts is asked what changed in them (an edit, delete
/// or reaction moves no `last_post_at`).
pub(super) async fn catch_up<A: SyncApi>(
    api: &A,
    store: &Store,
    options: &SyncOptions,
    verify: bool,
) -> SyncResult<SyncReport, A::Error> {
    let known = known(store).await?;
    if known.me.is_empty() {
        return Err(SyncError::InvalidResponse(
            "the cache names no signed-in user",
        ));
    }
    let listing_no = store.write(|w| w.begin_listing()).await?;
    let listing = fetch_listing(api, false)
        .instrument(tracing::info_span!("sync_round", round = 1))
        .await?;
    let paging = MemberPaging::of(&listing, listing_no);
    let focus = match &options.focus_channel {
        Some(id) => Some(id.clone()),
        None => most_recently_viewed_channel(store).await?,
    };
    let changes = Changes {
        posts: post_fetches(&listing, &known, focus.as_deref(), verify),
        teams: changed_teams(&listing, &known, paging.complete),
    };
    write_listing(
        store,
        known.me.clone(),
        listing,
        paging.complete,
        listing_no,
    )
    .await?;
    options.progress.posts(changes.posts.len());

    let mut report = SyncReport {
        kind: SyncKind::CatchUp,
        channels_with_posts_fetched: Default::default(),
        gaps_left: Default::default(),
    };
    let fetched = fetch_changes(
        api,
        store,
        options,
        &known.me,
        &changes,
        paging,
        known.categories_stale,
    )
    .await?;
    for (channel_id, gap) in fetched {
        if gap {
            report.gaps_left.insert(channel_id.clone());
        }
        report.channels_with_posts_fetched.insert(channel_id);
    }
    let unread = fetch_unread(api, store).await?;
    report.channels_with_posts_fetched.extend(unread);

    options.progress.stage(SyncStage::Authors);
    let missing = missing_users(store).await?;
    fetch_users(api, store, missing).await?;
    mark_synced(store).await?;
    Ok(report)
}

/// The catch-up when the websocket is in step with the server: it resumed
/// and its replay of what was missed is applied, so the store already
/// holds every change since the last sync. Only what no event brings is
/// fetched: the focused channel's posts if they were never loaded, unread
/// channels beyond an earlier sync's reach, and the authors of stored
/// posts not known yet. The sync time stays where it was, so the next
/// catch-up over REST asks for users changed since then.
pub(super) async fn catch_up_from_events<A: SyncApi>(
    api: &A,
    store: &Store,
    options: &SyncOptions,
) -> SyncResult<SyncReport, A::Error> {
    let focus = match &options.focus_channel {
        Some(id) => Some(id.clone()),
        None => most_recently_viewed_channel(store).await?,
    };
    let mut report = SyncReport {
        kind: SyncKind::CatchUp,
        channels_with_posts_fetched: Default::default(),
        gaps_left: Default::default(),
    };
    if let Some(focus) = focus {
        let loaded = {
            let focus = focus.clone();
            store
                .read(move |c| Ok(newest_range(c, &focus)?.is_some()))
                .await?
        };
        if !loaded {
            fetch_newest(api, store, &focus).await?;
            report.channels_with_posts_fetched.insert(focus);
        }
    }
    let unread = fetch_unread(api, store).await?;
    report.channels_with_posts_fetched.extend(unread);
    options.progress.stage(SyncStage::Authors);
    let missing = missing_users(store).await?;
    fetch_users(api, store, missing).await?;
    Ok(report)
}

/// Channels where something was posted since the cache saw them (with
/// `verify`, every channel with cached posts), plus the focused one if its
/// timeline was never loaded.
fn post_fetches(
    listing: &Listing,
    known: &Known,
    focus: Option<&str>,
    verify: bool,
) -> Vec<PostFetch> {
    let mut fetches = Vec::new();
    for channel in listing.channels.iter().filter(|c| c.delete_at == 0) {
        match known.channels.get(&channel.id) {
            Some((_, Some(range_end))) if verify || channel.last_post_at > *range_end => {
                fetches.push(PostFetch::Since(channel.id.clone(), *range_end));
            }
            Some((_, Some(_))) => {}
            Some((last_post_at, None)) if channel.last_post_at > *last_post_at => {
                fetches.push(PostFetch::Newest(channel.id.clone()));
            }
            None => fetches.push(PostFetch::Newest(channel.id.clone())),
            Some(_) if focus == Some(channel.id.as_str()) => {
                fetches.push(PostFetch::Newest(channel.id.clone()));
            }
            Some(_) => {}
        }
    }
    fetches
}

/// Sidebar categories change when channels come or go (or teams do).
/// Leaving is only known when the listing holds every membership.
fn changed_teams(listing: &Listing, known: &Known, members_complete: bool) -> Vec<String> {
    if known.categories_stale.is_some() {
        return listing
            .teams
            .iter()
            .filter(|t| t.delete_at == 0)
            .map(|t| t.id.clone())
            .collect();
    }
    let listed: BTreeSet<&str> = listing
        .members
        .iter()
        .map(|m| m.channel_id.as_str())
        .collect();
    let mut changed_teams: BTreeSet<String> = listing
        .teams
        .iter()
        .filter(|t| t.delete_at == 0 && !known.teams.contains(&t.id))
        .map(|t| t.id.clone())
        .collect();
    let team_of: HashMap<&str, &str> = listing
        .channels
        .iter()
        .map(|c| (c.id.as_str(), c.team_id.as_str()))
        .collect();
    let joined = listed.iter().filter(|id| !known.my_channels.contains(**id));
    let left = known
        .my_channels
        .iter()
        .filter(|id| members_complete && !listed.contains(id.as_str()));
    for channel_id in joined.map(|s| s.to_string()).chain(left.cloned()) {
        match team_of.get(channel_id.as_str()).copied() {
            Some(team) if !team.is_empty() => {
                changed_teams.insert(team.to_owned());
            }
            // Direct/group messages (or unknown): every team's categories.
            _ => changed_teams.extend(listing.teams.iter().map(|t| t.id.clone())),
        }
    }
    changed_teams.into_iter().collect()
}

/// Round two: the remaining membership pages, changed categories, changed
/// users and new posts, all at once. Returns the channels whose posts were
/// fetched and whether a gap was left in each.
async fn fetch_changes<A: SyncApi>(
    api: &A,
    store: &Store,
    options: &SyncOptions,
    me: &str,
    changes: &Changes,
    paging: MemberPaging,
    known_stale: Option<i64>,
) -> SyncResult<Vec<(String, bool)>, A::Error> {
    let post_fetches: Vec<_> = changes
        .posts
        .iter()
        .map(|fetch| async move {
            match fetch {
                PostFetch::Since(id, since) => {
                    let gap = fetch_since(api, store, id, *since).await?;
                    options.progress.channel_fetched();
                    Ok::<_, SyncError<A::Error>>((id.clone(), gap))
                }
                PostFetch::Newest(id) => {
                    fetch_newest(api, store, id).await?;
                    options.progress.channel_fetched();
                    Ok((id.clone(), false))
                }
            }
        })
        .collect();
    let posts = futures_util::stream::iter(post_fetches)
        .buffer_unordered(POST_FETCH_CONCURRENCY)
        .try_collect::<Vec<(String, bool)>>();
    let (members, categories, users, posts) = async {
        futures_util::join!(
            more_member_pages(api, paging.first_page_len, paging.channel_count),
            fetch_categories(api, &changes.teams),
            refresh_changed_users(api, store),
            posts,
        )
    }
    .instrument(tracing::info_span!("sync_round", round = 2))
    .await;
    let members = members?;
    if !paging.complete {
        let mut all = members;
        all.extend(paging.first_page);
        write_all_members(store, me.to_owned(), all, paging.listing_no).await?;
    }
    write_categories(store, categories?).await?;
    if let Some(generation) = known_stale {
        store
            .write(move |w| w.clear_sidebar_categories_stale(generation))
            .await?;
    }
    users?;
    posts
}

/// Unread channels never loaded (e.g. beyond an earlier sync's reach).
/// Returns them, all fetched.
async fn fetch_unread<A: SyncApi>(api: &A, store: &Store) -> SyncResult<Vec<String>, A::Error> {
    let unread = unread_channels(store).await?;
    // Futures are built before the stream: a closure inside the stream
    // type trips the compiler's Send check for spawned syncs.
    let fetches: Vec<_> = unread
        .iter()
        .map(|id| fetch_newest(api, store, id))
        .collect();
    futures_util::stream::iter(fetches)
        .buffer_unordered(POST_FETCH_CONCURRENCY)
        .try_collect::<Vec<Vec<String>>>()
        .await?;
    Ok(unread)
}
