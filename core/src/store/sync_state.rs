use rusqlite::{Connection, OptionalExtension};

use super::changes::StoreChange;
use super::error::StoreResult;
use super::writer::Writer;

/// Named sync cursors kept in the `sync_state` table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncCursor {
    /// When (local clock, ms) the last complete sync finished. Absent: no
    /// full sync yet, the next sync is a full one. (Catch-up asks the
    /// server with server times: range ends and profile update times.)
    LastSyncAt,
    /// Set (1) when some team's sidebar categories changed on the server
    /// without saying how: the next catch-up fetches every team's.
    SidebarCategoriesStale,
    /// Set when events may have been lost (a websocket whose resume
    /// failed, or a sync with no live connection): the next catch-up asks
    /// every channel with cached posts what changed since its range, not
    /// only the channels where something was posted, so offline edits,
    /// deletes and reactions are not missed.
    CachedPostsUnverified,
    /// How many channel listings were begun: the clock of
    /// `membership_changes` (see its migration).
    ListingsBegun,
}

impl SyncCursor {
    pub(super) fn key(self) -> &'static str {
        match self {
            SyncCursor::LastSyncAt => "last_sync_at",
            SyncCursor::SidebarCategoriesStale => "sidebar_categories_stale",
            SyncCursor::CachedPostsUnverified => "cached_posts_unverified",
            SyncCursor::ListingsBegun => "listings_begun",
        }
    }
}

impl Writer<'_> {
    pub fn set_cursor(&mut self, cursor: SyncCursor, value: i64) -> StoreResult<()> {
        self.conn()
            .prepare_cached(
                "INSERT INTO sync_state (name, value) VALUES (?1, ?2)
                 ON CONFLICT(name) DO UPDATE SET value = excluded.value",
            )?
            .execute(rusqlite::params![cursor.key(), value])?;
        self.notify(StoreChange::SyncState);
        Ok(())
    }

    /// Raises a mark that a later catch-up must act on. The value is a
    /// generation: the catch-up clears only the one it read before
    /// fetching, so a mark raised while it runs outlives it.
    pub fn raise_mark(&mut self, mark: SyncCursor) -> StoreResult<()> {
        let generation = read_cursor(self.conn(), mark)?;
        self.set_cursor(mark, generation.unwrap_or(0) + 1)
    }

    /// Clears `mark` if it is still at `generation`.
    pub fn clear_mark(&mut self, mark: SyncCursor, generation: i64) -> StoreResult<()> {
        self.conn()
            .prepare_cached("DELETE FROM sync_state WHERE name = ?1 AND value = ?2")?
            .execute(rusqlite::params![mark.key(), generation])?;
        Ok(())
    }
}

impl Writer<'_> {
    /// Counts a channel listing about to be fetched; returns its number.
    /// Membership changes from now on are newer than that listing.
    pub fn begin_listing(&mut self) -> StoreResult<i64> {
        let number = read_cursor(self.conn(), SyncCursor::ListingsBegun)?.unwrap_or(0) + 1;
        self.set_cursor(SyncCursor::ListingsBegun, number)?;
        Ok(number)
    }

    /// Forgets the membership changes older than listing `number`, which
    /// has been written and includes them.
    pub fn forget_membership_changes_before(&mut self, number: i64) -> StoreResult<()> {
        self.conn()
            .prepare_cached("DELETE FROM membership_changes WHERE listing < ?1")?
            .execute([number])?;
        Ok(())
    }
}

/// Channels whose membership changed in the store since listing `number`
/// began: that listing's copy of them is older than the store's.
pub fn memberships_changed_since(
    conn: &Connection,
    number: i64,
) -> StoreResult<std::collections::HashSet<String>> {
    let mut stmt =
        conn.prepare_cached("SELECT channel_id FROM membership_changes WHERE listing >= ?1")?;
    let rows = stmt.query_map([number], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A raised mark's generation, or None.
pub fn read_mark(conn: &Connection, mark: SyncCursor) -> StoreResult<Option<i64>> {
    Ok(read_cursor(conn, mark)?.filter(|v| *v > 0))
}

pub fn read_cursor(conn: &Connection, cursor: SyncCursor) -> StoreResult<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT value FROM sync_state WHERE name = ?1")?
        .query_row([cursor.key()], |r| r.get(0))
        .optional()?)
}

/// Facts about the account kept in the `account` table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountKey {
    /// The signed-in user's id.
    UserId,
    /// The server's `CollapsedThreads` setting (disabled, default_off,
    /// default_on, always_on).
    CollapsedThreadsConfig,
}

impl AccountKey {
    fn key(self) -> &'static str {
        match self {
            AccountKey::UserId => "user_id",
            AccountKey::CollapsedThreadsConfig => "collapsed_threads",
        }
    }
}

impl Writer<'_> {
    pub fn set_account_value(&mut self, key: AccountKey, value: &str) -> StoreResult<()> {
        self.conn()
            .prepare_cached(
                "INSERT INTO account (key, value) VALUES (?1, ?2)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            )?
            .execute([key.key(), value])?;
        Ok(())
    }
}

pub fn read_account_value(conn: &Connection, key: AccountKey) -> StoreResult<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT value FROM account WHERE key = ?1")?
        .query_row([key.key()], |r| r.get(0))
        .optional()?)
}
