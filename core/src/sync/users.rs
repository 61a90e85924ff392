//! Fetching the people the cached data refers to.

use std::collections::BTreeSet;

use futures_util::future::try_join_all;

use super::api::SyncApi;
use super::{SyncError, SyncResult};
use crate::model::User;
use crate::store::Store;

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
            let known = |id: &str| -> rusqlite::Result<bool> {
                c.prepare_cached("SELECT 1 FROM users WHERE id = ?1")?
                    .exists([id])
            };
            let mut ids = BTreeSet::new();
            let mut stmt = c.prepare_cached(
                "SELECT c.name FROM channels c JOIN channel_members m
                     ON m.channel_id = c.id AND m.user_id = ?1
                 WHERE c.type = 'D'",
            )?;
            let names: Vec<String> = stmt
                .query_map([&me], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            for name in names {
                for id in name.split("__") {
                    if !id.is_empty() && !known(id)? {
                        ids.insert(id.to_owned());
                    }
                }
            }
            let mut stmt = c.prepare_cached(
                "SELECT DISTINCT p.user_id FROM posts p LEFT JOIN users u ON u.id = p.user_id
                 WHERE u.id IS NULL AND p.user_id <> ''",
            )?;
            let authors: Vec<String> = stmt
                .query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            ids.extend(authors);
            let mut usernames = BTreeSet::new();
            let mut stmt = c.prepare_cached(
                "SELECT c.display_name FROM channels c JOIN channel_members m
                     ON m.channel_id = c.id AND m.user_id = ?1
                 WHERE c.type = 'G'",
            )?;
            let groups: Vec<String> = stmt
                .query_map([&me], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            let mut by_name = c.prepare_cached("SELECT 1 FROM users WHERE username = ?1")?;
            for group in groups {
                for username in group.split(',').map(str::trim).filter(|u| !u.is_empty()) {
                    if !by_name.exists([username])? {
                        usernames.insert(username.to_owned());
                    }
                }
            }
            Ok(MissingUsers {
                ids: ids.into_iter().collect(),
                usernames: usernames.into_iter().collect(),
            })
        })
        .await
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
            let mut known = c.prepare_cached("SELECT 1 FROM users WHERE id = ?1")?;
            let mut unknown = BTreeSet::new();
            for id in user_ids {
                if !id.is_empty() && !known.exists([&id])? {
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
        .read(|c| {
            let since: i64 =
                c.query_row("SELECT coalesce(max(update_at), 0) FROM users", [], |r| {
                    r.get(0)
                })?;
            let mut stmt = c.prepare_cached("SELECT id FROM users ORDER BY id")?;
            let ids = stmt
                .query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            Ok((ids, since))
        })
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
