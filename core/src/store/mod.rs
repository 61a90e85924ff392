//! The offline store: one SQLite database per account.
//!
//! One writer connection (writes are serialised and batched: one
//! transaction per page of sync data or burst of events) and a small pool
//! of reader connections; WAL lets readers run while the writer writes.
//! All database work runs on tokio's blocking pool ([`Store::read`],
//! [`Store::write`]), never on async threads. Every committed write
//! transaction broadcasts the [`ChangeSet`] it recorded.
//!
//! All of core's SQL is here (a test in `xtask/src/layering.rs` keeps it
//! so): the tables' migrations, reads over a [`Connection`] named for
//! what they return, and [`Writer`] methods. Other modules call these and
//! keep their own rules; an `impl Writer` block elsewhere only combines
//! the store's methods.

mod changes;
mod error;
mod migrations;
mod open;
pub(crate) mod search_text;
mod writer;

mod channels;
mod drafts;
mod live_events;
mod lookups;
mod notifications;
mod outbox;
mod outbox_copy;
mod pins;
mod posts;
mod preferences;
mod push;
mod ranges;
pub mod reads;
mod sidebar;
mod sync_state;
mod teams;
mod threads;
mod users;

use std::any::Any;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use rusqlite::Connection;
use tokio::sync::broadcast;

/// A store call's value on its way back from the blocking pool. Every
/// [`Store::read`] and [`Store::write`] hands the pool the same closure and
/// value types, so tokio's blocking-task code exists once in the library
/// rather than once per call site (there are well over a hundred).
type Boxed = Box<dyn Any + Send>;

fn boxed<T: Send + 'static>(value: T) -> Boxed {
    Box::new(value)
}

fn unboxed<T: 'static>(value: Boxed) -> T {
    *value
        .downcast()
        .expect("the blocking pool returns the value its closure made")
}

/// Runs `job` on the blocking pool; a panic in it is [`StoreError::TaskFailed`].
async fn on_blocking_pool(
    job: Box<dyn FnOnce() -> StoreResult<Boxed> + Send>,
) -> StoreResult<Boxed> {
    tokio::task::spawn_blocking(job)
        .await
        .map_err(|_| StoreError::TaskFailed)?
}

pub use changes::{ChangeSet, StoreChange};
pub use channels::{
    cached_channel, channel_ids_with_last_post_at, channel_last_post_at, is_favorite,
    likely_uncached_channel_ids, member_last_viewed_at, most_recently_viewed_channel,
    my_channel_ids, my_direct_channel_names, my_group_channel_display_names, my_notify_props,
    my_team_ids, newest_channel_post_at, unread_uncached_channel_ids, LikelyWithin,
};
pub use drafts::{all_drafts, draft_of, StoredDraft};
pub use error::{StoreError, StoreResult};
pub use live_events::{post_is_live, realtime_state, UnreadCounts};
pub use lookups::{
    channel_id_by_names, channel_id_in_team, channel_ref_by_name, channel_team,
    person_ref_by_username, post_anchor, post_place, team_id_by_name, user_id_by_username,
};
pub use migrations::LATEST_VERSION as SCHEMA_VERSION;
pub use notifications::{
    has_replied_in_thread, is_post_by, notification_channel, notification_post, other_member_ids,
    NotificationChannel, NotificationPost,
};
pub use open::OpenCheck;
pub use outbox::{
    discardable, echo_states, entries, entry, next_due, post_channel, server_post_id, view_queued,
    Entry, Intent, SendState, CLIENT_KEY_PROP,
};
pub use posts::{cached_posts_by, oldest_post_since, replies_by_author, RepliesByAuthor};
pub use preferences::saved_post_ids_among;
pub use push::{
    consent_rows, gateway_row, newest_consent_row, registration_row, teardown_rows, ConsentRow,
    DeviceRow, GatewayRow, RegistrationRow, TeardownRow,
};
pub use ranges::{newest_range, ranges as timeline_ranges, TimelineRange};
pub use sidebar::sidebar_categories_of;
pub use sync_state::{
    memberships_changed_since, read_account_value, read_cursor, read_mark, AccountKey, SyncCursor,
};
pub use users::{
    all_user_ids, is_user_known, is_username_known, newest_user_update_at, unknown_authors,
};
pub use writer::Writer;

/// Idle reader connections kept open for reuse.
const MAX_IDLE_READERS: usize = 4;
/// Change sets a slow listener may fall behind before it misses some (it
/// then re-reads everything, see [`broadcast::error::RecvError::Lagged`]).
const CHANGE_CHANNEL_CAPACITY: usize = 256;

/// Handle to an account's database. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    writer: Mutex<Connection>,
    /// Reader connections tagged with the generation they were opened in.
    readers: Mutex<Vec<(u64, Connection)>>,
    /// Bumped when the file is recreated; older readers are discarded.
    generation: AtomicU64,
    /// Set when the database was (re)created from a damaged file: the next
    /// sync must be a full one.
    rebuilt: AtomicBool,
    changes: broadcast::Sender<Arc<ChangeSet>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.inner.path)
            .finish_non_exhaustive()
    }
}

/// File name of an account's database inside the app's data directory:
/// one database per server and user.
pub fn account_database_path(data_dir: &Path, server_url: &str, user_id: &str) -> PathBuf {
    let server: String = server_url
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let user: String = user_id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    data_dir.join(format!("{server}__{user}.sqlite"))
}

impl Store {
    /// Opens or creates the database at `path` (blocking: call it from
    /// [`Store::open`] or a blocking context). A damaged file is deleted and
    /// recreated; [`Store::needs_full_sync`] then says so.
    pub fn open_blocking(path: impl Into<PathBuf>, check: OpenCheck) -> StoreResult<Store> {
        let path = path.into();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            crate::private_fs::create_private_dir_all(dir).map_err(|source| StoreError::Io {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let opened = open::open_writer(&path, check)?;
        let (changes, _) = broadcast::channel(CHANGE_CHANNEL_CAPACITY);
        Ok(Store {
            inner: Arc::new(Inner {
                path,
                writer: Mutex::new(opened.conn),
                readers: Mutex::new(Vec::new()),
                generation: AtomicU64::new(0),
                rebuilt: AtomicBool::new(opened.rebuilt),
                changes,
            }),
        })
    }

    /// Opens the database on the blocking pool.
    pub async fn open(path: impl Into<PathBuf>, check: OpenCheck) -> StoreResult<Store> {
        let path = path.into();
        tokio::task::spawn_blocking(move || Store::open_blocking(path, check))
            .await
            .map_err(|_| StoreError::TaskFailed)?
    }

    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// True after the file was recreated because it was damaged; cleared by
    /// [`Store::clear_rebuilt_flag`] once a full sync has refilled it.
    pub fn was_rebuilt(&self) -> bool {
        self.inner.rebuilt.load(Ordering::Acquire)
    }

    pub fn clear_rebuilt_flag(&self) {
        self.inner.rebuilt.store(false, Ordering::Release);
    }

    /// Change sets of committed transactions, in commit order.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<ChangeSet>> {
        self.inner.changes.subscribe()
    }

    /// Runs `f` in one write transaction on the blocking pool; commits if it
    /// returns Ok, rolls back otherwise. Changes it records are broadcast
    /// after the commit.
    pub async fn write<T, F>(&self, f: F) -> StoreResult<T>
    where
        F: FnOnce(&mut Writer<'_>) -> StoreResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let store = self.clone();
        let value = on_blocking_pool(Box::new(move || {
            store.write_blocking(|writer| f(writer).map(boxed))
        }))
        .await?;
        Ok(unboxed(value))
    }

    /// [`Store::write`] for callers already on a blocking thread.
    pub fn write_blocking<T>(
        &self,
        f: impl FnOnce(&mut Writer<'_>) -> StoreResult<T>,
    ) -> StoreResult<T> {
        let mut f = Some(f);
        let mut value = None;
        self.write_blocking_dyn(&mut |writer| {
            let f = f.take().expect("the transaction runs its closure once");
            value = Some(f(writer)?);
            Ok(())
        })?;
        Ok(value.expect("a committed transaction ran its closure"))
    }

    /// The transaction itself, compiled once for every caller's closure.
    fn write_blocking_dyn(
        &self,
        f: &mut dyn FnMut(&mut Writer<'_>) -> StoreResult<()>,
    ) -> StoreResult<()> {
        let mut conn = self.lock_writer();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut writer = Writer::new(tx);
        f(&mut writer)?;
        let changes = writer.commit()?;
        drop(conn);
        if !changes.is_empty() {
            // No receivers is fine: nobody is listening yet.
            let _ = self.inner.changes.send(Arc::new(changes));
        }
        Ok(())
    }

    /// Runs `f` with a reader connection on the blocking pool. Reads see the
    /// last committed state and never wait for the writer.
    pub async fn read<T, F>(&self, f: F) -> StoreResult<T>
    where
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let store = self.clone();
        let value = on_blocking_pool(Box::new(move || {
            store.read_blocking(|conn| f(conn).map(boxed))
        }))
        .await?;
        Ok(unboxed(value))
    }

    /// [`Store::read`] for callers already on a blocking thread.
    pub fn read_blocking<T>(
        &self,
        f: impl FnOnce(&Connection) -> StoreResult<T>,
    ) -> StoreResult<T> {
        let (generation, conn) = self.take_reader()?;
        let result = f(&conn);
        self.return_reader(generation, conn);
        result
    }

    /// Checks every page of the file (`PRAGMA quick_check`).
    pub async fn verify(&self) -> StoreResult<()> {
        self.read(|conn| open::quick_check(conn, "main")).await
    }

    /// Deletes the database and starts over with an empty one (after
    /// corruption was found during use). Sets the rebuilt flag and
    /// broadcasts [`StoreChange::Rebuilt`].
    pub async fn rebuild(&self) -> StoreResult<()> {
        let store = self.clone();
        tokio::task::spawn_blocking(move || store.rebuild_blocking())
            .await
            .map_err(|_| StoreError::TaskFailed)?
    }

    pub fn rebuild_blocking(&self) -> StoreResult<()> {
        let mut writer = self.lock_writer();
        self.inner.generation.fetch_add(1, Ordering::AcqRel);
        self.inner
            .readers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
        // Close the old connection before deleting its files.
        let placeholder = Connection::open_in_memory()?;
        drop(std::mem::replace(&mut *writer, placeholder));
        open::delete_database_files(&self.inner.path)?;
        let opened = open::open_writer(&self.inner.path, OpenCheck::Header)?;
        *writer = opened.conn;
        drop(writer);
        self.inner.rebuilt.store(true, Ordering::Release);
        let mut changes = ChangeSet::default();
        changes.insert(StoreChange::Rebuilt);
        let _ = self.inner.changes.send(Arc::new(changes));
        tracing::warn!("store deleted and recreated");
        Ok(())
    }

    fn lock_writer(&self) -> MutexGuard<'_, Connection> {
        // A panic inside a write closure rolled its transaction back when the
        // Transaction was dropped, so the connection itself is still sound.
        self.inner
            .writer
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn take_reader(&self) -> StoreResult<(u64, Connection)> {
        let generation = self.inner.generation.load(Ordering::Acquire);
        let pooled = self
            .inner
            .readers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        match pooled {
            Some((g, conn)) if g == generation => Ok((g, conn)),
            _ => Ok((generation, open::open_reader(&self.inner.path)?)),
        }
    }

    fn return_reader(&self, generation: u64, conn: Connection) {
        if generation != self.inner.generation.load(Ordering::Acquire) {
            return;
        }
        let mut pool = self
            .inner
            .readers
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if pool.len() < MAX_IDLE_READERS {
            pool.push((generation, conn));
        }
    }
}

#[cfg(test)]
pub(crate) mod fixtures;
#[cfg(test)]
mod tests;
