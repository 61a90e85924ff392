use super::changes::StoreChange;
use super::error::StoreResult;
use super::writer::Writer;

impl Writer<'_> {
    /// Saves the draft of a channel (`root_id` empty) or thread; an empty
    /// message without files deletes it.
    pub fn save_draft(
        &mut self,
        channel_id: &str,
        root_id: &str,
        message: &str,
        file_ids: &[String],
        update_at: i64,
    ) -> StoreResult<()> {
        if message.trim().is_empty() && file_ids.is_empty() {
            self.conn()
                .prepare_cached("DELETE FROM drafts WHERE channel_id = ?1 AND root_id = ?2")?
                .execute([channel_id, root_id])?;
        } else {
            let file_ids = serde_json::to_string(file_ids)?;
            self.conn()
                .prepare_cached(
                    "INSERT INTO drafts (channel_id, root_id, message, file_ids, update_at)
                     VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT(channel_id, root_id) DO UPDATE SET message = excluded.message,
                         file_ids = excluded.file_ids, update_at = excluded.update_at",
                )?
                .execute(rusqlite::params![
                    channel_id, root_id, message, file_ids, update_at
                ])?;
        }
        self.notify(StoreChange::Draft {
            channel_id: channel_id.to_owned(),
            root_id: root_id.to_owned(),
        });
        Ok(())
    }
}
