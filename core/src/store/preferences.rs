use std::collections::HashSet;

use crate::model::Preference;

use super::changes::StoreChange;
use super::error::StoreResult;
use super::writer::Writer;

impl Writer<'_> {
    /// Inserts or updates preferences of the signed-in user.
    pub fn upsert_preferences(&mut self, preferences: &[Preference]) -> StoreResult<()> {
        let mut stmt = self.conn().prepare_cached(
            "INSERT INTO preferences (category, name, value) VALUES (?1, ?2, ?3)
             ON CONFLICT(category, name) DO UPDATE SET value = excluded.value",
        )?;
        for p in preferences {
            stmt.execute([&p.category, &p.name, &p.value])?;
        }
        drop(stmt);
        self.notify(StoreChange::Preferences);
        Ok(())
    }

    /// Makes the cached preferences exactly `preferences` (a full fetch).
    pub fn replace_preferences(&mut self, preferences: &[Preference]) -> StoreResult<()> {
        self.conn().execute("DELETE FROM preferences", [])?;
        self.upsert_preferences(preferences)
    }

    pub fn delete_preferences(&mut self, preferences: &[Preference]) -> StoreResult<()> {
        let mut stmt = self
            .conn()
            .prepare_cached("DELETE FROM preferences WHERE category = ?1 AND name = ?2")?;
        for p in preferences {
            stmt.execute([&p.category, &p.name])?;
        }
        drop(stmt);
        self.notify(StoreChange::Preferences);
        Ok(())
    }
}

/// Which of `post_ids` the user saved (flagged).
pub fn saved_post_ids_among(
    conn: &rusqlite::Connection,
    post_ids: &[&str],
) -> StoreResult<HashSet<String>> {
    let ids = serde_json::Value::from(post_ids.to_vec()).to_string();
    let mut stmt = conn.prepare_cached(
        "SELECT name FROM preferences WHERE category = 'flagged_post'
           AND value = 'true' AND name IN (SELECT value FROM json_each(?1))",
    )?;
    let rows = stmt.query_map([ids], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}
