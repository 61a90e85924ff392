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
}

impl SyncCursor {
    pub(super) fn key(self) -> &'static str {
        match self {
            SyncCursor::LastSyncAt => "last_sync_at",
            SyncCursor::SidebarCategoriesStale => "sidebar_categories_stale",
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
