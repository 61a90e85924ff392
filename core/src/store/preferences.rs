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
