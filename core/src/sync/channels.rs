//! Round 1 of every sync: teams, channels and memberships of all teams,
//! preferences and config, fetched in parallel and written in one
//! transaction.

use futures_util::future::{try_join_all, OptionFuture};

use super::api::{SyncApi, MEMBERS_PER_PAGE};
use super::{SyncError, SyncResult};
use crate::model::{
    Channel, ChannelMember, ClientConfig, Preference, SidebarCategoryList, Team, TeamMember, User,
};
use crate::store::{memberships_changed_since, AccountKey, Store, StoreResult};

pub(super) struct Listing {
    pub me: Option<User>,
    pub teams: Vec<Team>,
    pub team_members: Vec<TeamMember>,
    pub channels: Vec<Channel>,
    /// The first page of memberships; [`more_member_pages`] fetches the rest.
    pub members: Vec<ChannelMember>,
    pub preferences: Vec<Preference>,
    pub config: ClientConfig,
}

/// Round 1. `with_me`: also fetch the user's own profile (first sync).
pub(super) async fn fetch_listing<A: SyncApi>(
    api: &A,
    with_me: bool,
) -> SyncResult<Listing, A::Error> {
    let me: OptionFuture<_> = with_me.then(|| api.me()).into();
    let (me, teams, team_members, channels, members, preferences, config) = futures_util::join!(
        me,
        api.my_teams(),
        api.my_team_members(),
        api.my_channels(),
        api.my_channel_members(0, MEMBERS_PER_PAGE),
        api.my_preferences(),
        api.client_config(),
    );
    Ok(Listing {
        me: me.transpose().map_err(SyncError::api)?,
        teams: teams.map_err(SyncError::api)?,
        team_members: team_members.map_err(SyncError::api)?,
        channels: channels.map_err(SyncError::api)?,
        members: members.map_err(SyncError::api)?,
        preferences: preferences.map_err(SyncError::api)?,
        config: config.map_err(SyncError::api)?,
    })
}

/// The membership pages after the first. The channel count says how many
/// there should be, so they are fetched in parallel; only if the last one
/// is still full (memberships grew meanwhile) do more follow one by one.
pub(super) async fn more_member_pages<A: SyncApi>(
    api: &A,
    first_page_len: usize,
    channel_count: usize,
) -> SyncResult<Vec<ChannelMember>, A::Error> {
    if first_page_len < MEMBERS_PER_PAGE {
        return Ok(Vec::new());
    }
    let expected_pages = channel_count.div_ceil(MEMBERS_PER_PAGE).max(2);
    let pages = try_join_all(
        (1..expected_pages).map(|page| api.my_channel_members(page, MEMBERS_PER_PAGE)),
    )
    .await
    .map_err(SyncError::api)?;
    let mut last_full = pages.last().is_some_and(|p| p.len() == MEMBERS_PER_PAGE);
    let mut members: Vec<ChannelMember> = pages.into_iter().flatten().collect();
    let mut page = expected_pages;
    while last_full {
        let next = api
            .my_channel_members(page, MEMBERS_PER_PAGE)
            .await
            .map_err(SyncError::api)?;
        last_full = next.len() == MEMBERS_PER_PAGE;
        members.extend(next);
        page += 1;
    }
    Ok(members)
}

/// Writes round 1 in one transaction. `complete_members`: the membership
/// list is complete, so memberships missing from it are removed.
/// Writes a listing, leaving alone the channels whose membership changed
/// in the store since the listing (number `listing_no`) began: for them the
/// store is newer.
pub(super) async fn write_listing(
    store: &Store,
    user_id: String,
    mut listing: Listing,
    complete_members: bool,
    listing_no: i64,
) -> StoreResult<()> {
    store
        .write(move |w| {
            let changed = memberships_changed_since(w.conn(), listing_no)?;
            listing.channels.retain(|c| !changed.contains(&c.id));
            listing.members.retain(|m| !changed.contains(&m.channel_id));
            w.set_account_value(AccountKey::UserId, &user_id)?;
            w.set_account_value(
                AccountKey::CollapsedThreadsConfig,
                listing.config.collapsed_threads(),
            )?;
            if let Some(me) = &listing.me {
                w.upsert_users(std::slice::from_ref(me))?;
            }
            w.upsert_teams(&listing.teams)?;
            w.replace_my_team_members(&user_id, &listing.team_members)?;
            w.upsert_channels(&listing.channels)?;
            if complete_members {
                w.replace_my_channel_members(&user_id, &listing.members, &changed)?;
                w.forget_membership_changes_before(listing_no)?;
            } else {
                w.upsert_channel_members(&listing.members)?;
            }
            w.replace_preferences(&listing.preferences)?;
            Ok(())
        })
        .await?;
    Ok(())
}

/// All membership pages of listing `listing_no`, written as
/// [`write_listing`] writes a complete first page.
pub(super) async fn write_all_members(
    store: &Store,
    user_id: String,
    mut members: Vec<ChannelMember>,
    listing_no: i64,
) -> StoreResult<()> {
    store
        .write(move |w| {
            let changed = memberships_changed_since(w.conn(), listing_no)?;
            members.retain(|m| !changed.contains(&m.channel_id));
            w.replace_my_channel_members(&user_id, &members, &changed)?;
            w.forget_membership_changes_before(listing_no)
        })
        .await?;
    Ok(())
}

pub(super) async fn fetch_categories<A: SyncApi>(
    api: &A,
    team_ids: &[String],
) -> SyncResult<Vec<(String, SidebarCategoryList)>, A::Error> {
    let lists = try_join_all(team_ids.iter().map(|t| api.sidebar_categories(t)))
        .await
        .map_err(SyncError::api)?;
    Ok(team_ids.iter().cloned().zip(lists).collect())
}

pub(super) async fn write_categories(
    store: &Store,
    categories: Vec<(String, SidebarCategoryList)>,
) -> StoreResult<()> {
    if categories.is_empty() {
        return Ok(());
    }
    store
        .write(move |w| {
            for (team_id, list) in &categories {
                w.replace_sidebar_categories(team_id, list)?;
            }
            Ok(())
        })
        .await?;
    Ok(())
}
