use crate::model::User;

use super::changes::StoreChange;
use super::error::StoreResult;
use super::writer::Writer;

impl Writer<'_> {
    /// Inserts or updates users; an older copy (lower `update_at`) never
    /// overwrites a newer one.
    pub fn upsert_users(&mut self, users: &[User]) -> StoreResult<()> {
        let mut stmt = self.conn().prepare_cached(
            "INSERT INTO users (id, username, email, first_name, last_name, nickname, position,
                 locale, roles, is_bot, create_at, update_at, delete_at, last_picture_update)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
             ON CONFLICT(id) DO UPDATE SET
                 username = excluded.username, email = excluded.email,
                 first_name = excluded.first_name, last_name = excluded.last_name,
                 nickname = excluded.nickname, position = excluded.position,
                 locale = excluded.locale, roles = excluded.roles, is_bot = excluded.is_bot,
                 create_at = excluded.create_at, update_at = excluded.update_at,
                 delete_at = excluded.delete_at,
                 last_picture_update = excluded.last_picture_update
             WHERE excluded.update_at >= users.update_at",
        )?;
        let mut changed = Vec::new();
        for user in users.iter().filter(|u| !u.id.is_empty()) {
            let rows = stmt.execute(rusqlite::params![
                user.id,
                user.username,
                user.email,
                user.first_name,
                user.last_name,
                user.nickname,
                user.position,
                user.locale,
                user.roles,
                user.is_bot,
                user.create_at,
                user.update_at,
                user.delete_at,
                user.last_picture_update,
            ])?;
            if rows > 0 {
                changed.push(user.id.clone());
            }
        }
        drop(stmt);
        for user_id in changed {
            self.notify(StoreChange::User { user_id });
        }
        Ok(())
    }
}

/// Authors of the given posts (or of every cached post) without a profile.
pub fn unknown_authors(
    conn: &rusqlite::Connection,
    post_ids: &[String],
    everything: bool,
) -> StoreResult<Vec<String>> {
    let mut authors = std::collections::BTreeSet::new();
    if everything {
        let mut stmt = conn.prepare_cached(
            "SELECT DISTINCT p.user_id FROM posts p LEFT JOIN users u ON u.id = p.user_id
             WHERE u.id IS NULL AND p.user_id <> ''",
        )?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        for row in rows {
            authors.insert(row?);
        }
    } else {
        let mut stmt = conn.prepare_cached(
            "SELECT p.user_id FROM posts p LEFT JOIN users u ON u.id = p.user_id
             WHERE p.id = ?1 AND u.id IS NULL AND p.user_id <> ''",
        )?;
        for id in post_ids {
            let rows = stmt.query_map([id], |r| r.get::<_, String>(0))?;
            for row in rows {
                authors.insert(row?);
            }
        }
    }
    Ok(authors.into_iter().collect())
}

/// Whether the cache holds the profile of the user with this id.
pub fn is_user_known(conn: &rusqlite::Connection, user_id: &str) -> StoreResult<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM users WHERE id = ?1")?
        .exists([user_id])?)
}

/// Whether the cache holds the profile of the user with this username.
pub fn is_username_known(conn: &rusqlite::Connection, username: &str) -> StoreResult<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM users WHERE username = ?1")?
        .exists([username])?)
}

/// The newest `update_at` of any cached profile (0 when none).
pub fn newest_user_update_at(conn: &rusqlite::Connection) -> StoreResult<i64> {
    Ok(
        conn.query_row("SELECT coalesce(max(update_at), 0) FROM users", [], |r| {
            r.get(0)
        })?,
    )
}

/// Ids of every cached profile, in order.
pub fn all_user_ids(conn: &rusqlite::Connection) -> StoreResult<Vec<String>> {
    let mut stmt = conn.prepare_cached("SELECT id FROM users ORDER BY id")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}
