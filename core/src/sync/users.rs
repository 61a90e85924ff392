//! Fetching the people the cached data refers to.

use std::collections::BTreeSet;

use futures_util::future::try_join_all;

use super::api::SyncApi;
use super::{SyncError, SyncResult};
use crate::model::{Channel, ChannelType, User};
use crate::store::{
    all_user_ids, is_user_known, is_username_known, my_direct_channel_names,
    my_group_channel_display_names, newest_user_update_at, unknown_authors, Store,
};

/// Ids per `POST /users/ids` request for missing users.
const USERS_PER_REQUEST: usize = 200;
/// Ids per `POST /users/ids?since=` request: the answer holds only the
/// changed users, so big requests keep a catch-up at a handful of calls.
const REFRESH_IDS_PER_REQUEST: usize = 1000;

/// Who the cache refers to without having their profile: partners of
/// direct messages, members of group messages (by username, as the server
/// names group channels after them) and authors of cached posts.
#[derive(Debug, Default)]
pub(super) struct MissingUsers {
    pub ids: Vec<String>,
    pub usernames: Vec<String>,
}

impl MissingUsers {
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty() && self.usernames.is_empty()
    }
}

pub(super) async fn missing_users(store: &Store) -> crate::store::StoreResult<MissingUsers> {
    store
        .read(|c| {
            let me = crate::store::reads::my_user_id(c)?;
            let named_after = NamedAfter {
                direct_names: my_direct_channel_names(c, &me)?,
                group_names: my_group_channel_display_names(c, &me)?,
            };
            let mut missing = named_after.unknown(c)?;
            let mut ids: BTreeSet<String> = missing.ids.drain(..).collect();
            ids.extend(unknown_authors(c, &[], true)?);
            missing.ids = ids.into_iter().collect();
            Ok(missing)
        })
        .await
}

/// What direct and group message channels are named after: the channel
/// names of direct messages (`ID__ID`) and the server's display names of
/// group messages (usernames, comma separated).
#[derive(Debug, Default)]
pub(super) struct NamedAfter {
    direct_names: Vec<String>,
    group_names: Vec<String>,
}

impl NamedAfter {
    /// Taken from a channel listing rather than the store: the store knows
    /// a channel as the user's only once its membership page is written,
    /// and with many channels most pages come a round later, so the names
    /// of direct and group messages on those pages would wait for the end
    /// of the sync.
    pub fn of(channels: &[Channel]) -> NamedAfter {
        let mut named_after = NamedAfter::default();
        for channel in channels {
            match channel.channel_type {
                ChannelType::Direct => named_after.direct_names.push(channel.name.clone()),
                ChannelType::Group => named_after.group_names.push(channel.display_name.clone()),
                _ => {}
            }
        }
        named_after
    }

    /// Those of the people without a profile in the cache.
    pub async fn missing(self, store: &Store) -> crate::store::StoreResult<MissingUsers> {
        store.read(move |c| self.unknown(c)).await
    }

    fn unknown(&self, c: &rusqlite::Connection) -> crate::store::StoreResult<MissingUsers> {
        let mut ids = BTreeSet::new();
        for name in &self.direct_names {
            for id in name.split("__") {
                if !id.is_empty() && !is_user_known(c, id)? {
                    ids.insert(id.to_owned());
                }
            }
        }
        let mut usernames = BTreeSet::new();
        for group in &self.group_names {
            for username in group.split(',').map(str::trim).filter(|u| !u.is_empty()) {
                if !is_username_known(c, username)? {
                    usernames.insert(username.to_owned());
                }
            }
        }
        Ok(MissingUsers {
            ids: ids.into_iter().collect(),
            usernames: usernames.into_iter().collect(),
        })
    }
}

/// Fetches the authors among `user_ids` the cache has no profile of, in
/// batches of `POST /users/ids`: posts loaded outside a sync (scrolling up,
/// opening a thread) otherwise show raw ids as their authors.
pub(super) async fn fetch_unknown_users<A: SyncApi>(
    api: &A,
    store: &Store,
    user_ids: Vec<String>,
) -> SyncResult<(), A::Error> {
    let ids = store
        .read(move |c| {
            let mut unknown = BTreeSet::new();
            for id in user_ids {
                if !id.is_empty() && !is_user_known(c, &id)? {
                    unknown.insert(id);
                }
            }
            Ok(unknown.into_iter().collect::<Vec<_>>())
        })
        .await?;
    fetch_users(
        api,
        store,
        MissingUsers {
            ids,
            usernames: Vec::new(),
        },
    )
    .await
}

/// Fetches the missing users (all requests in parallel) and stores them.
pub(super) async fn fetch_users<A: SyncApi>(
    api: &A,
    store: &Store,
    missing: MissingUsers,
) -> SyncResult<(), A::Error> {
    if missing.is_empty() {
        return Ok(());
    }
    let by_ids = try_join_all(
        missing
            .ids
            .chunks(USERS_PER_REQUEST)
            .map(|chunk| api.users_by_ids(chunk, None)),
    );
    let by_names = async {
        if missing.usernames.is_empty() {
            Ok(Vec::new())
        } else {
            api.users_by_usernames(&missing.usernames).await
        }
    };
    let (by_ids, by_names) = futures_util::join!(by_ids, by_names);
    let mut users: Vec<User> = by_ids
        .map_err(SyncError::api)?
        .into_iter()
        .flatten()
        .collect();
    users.extend(by_names.map_err(SyncError::api)?);
    store.write(move |w| w.upsert_users(&users)).await?;
    Ok(())
}

/// Users changed since the newest profile in the cache: one request per
/// [`REFRESH_IDS_PER_REQUEST`] known users, answered only with the changed ones.
pub(super) async fn refresh_changed_users<A: SyncApi>(
    api: &A,
    store: &Store,
) -> SyncResult<(), A::Error> {
    let (ids, since): (Vec<String>, i64) = store
        .read(|c| Ok((all_user_ids(c)?, newest_user_update_at(c)?)))
        .await?;
    if ids.is_empty() {
        return Ok(());
    }
    let changed = try_join_all(
        ids.chunks(REFRESH_IDS_PER_REQUEST)
            .map(|chunk| api.users_by_ids(chunk, Some(since))),
    )
    .await
    .map_err(SyncError::api)?;
    let users: Vec<User> = changed.into_iter().flatten().collect();
    if !users.is_empty() {
        store.write(move |w| w.upsert_users(&users)).await?;
    }
    Ok(())
}
