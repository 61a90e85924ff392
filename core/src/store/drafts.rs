//! The composer's drafts: written locally first, then reconciled with the
//! server's copies (see `migrations/0005_composer_drafts.sql`).

use std::collections::HashSet;

use rusqlite::{Connection, OptionalExtension};

use crate::model::Draft;

use super::changes::StoreChange;
use super::error::StoreResult;
use super::writer::Writer;

/// A draft as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDraft {
    pub channel_id: String,
    pub root_id: String,
    pub message: String,
    pub update_at: i64,
    /// The server has this version.
    pub synced: bool,
}

impl Writer<'_> {
    /// The user typed: the draft is kept (an empty message is kept as an
    /// owed deletion) and owed to the server.
    pub fn save_draft(
        &mut self,
        channel_id: &str,
        root_id: &str,
        message: &str,
        update_at: i64,
    ) -> StoreResult<()> {
        self.conn().execute(
            "INSERT INTO drafts (channel_id, root_id, message, update_at, synced)
             VALUES (?1, ?2, ?3, ?4, 0)
             ON CONFLICT(channel_id, root_id) DO UPDATE SET
                 message = excluded.message,
                 update_at = max(drafts.update_at + 1, excluded.update_at), synced = 0",
            rusqlite::params![channel_id, root_id, message, update_at],
        )?;
        self.notify(StoreChange::Drafts);
        Ok(())
    }

    /// The server has the version of `update_at`: a synced deletion is
    /// forgotten; a newer local edit meanwhile stays owed.
    pub fn mark_draft_synced(
        &mut self,
        channel_id: &str,
        root_id: &str,
        update_at: i64,
    ) -> StoreResult<()> {
        let conn = self.conn();
        conn.execute(
            "DELETE FROM drafts
             WHERE channel_id = ?1 AND root_id = ?2 AND update_at = ?3 AND message = ''",
            rusqlite::params![channel_id, root_id, update_at],
        )?;
        conn.execute(
            "UPDATE drafts SET synced = 1
             WHERE channel_id = ?1 AND root_id = ?2 AND update_at = ?3",
            rusqlite::params![channel_id, root_id, update_at],
        )?;
        self.notify(StoreChange::Drafts);
        Ok(())
    }

    /// Applies a draft the server has (from its list or an event); an
    /// owed local draft wins, as does a newer one.
    pub fn apply_server_draft(&mut self, draft: &Draft) -> StoreResult<()> {
        self.conn().execute(
            "INSERT INTO drafts (channel_id, root_id, message, update_at, synced)
             VALUES (?1, ?2, ?3, ?4, 1)
             ON CONFLICT(channel_id, root_id) DO UPDATE SET
                 message = excluded.message, update_at = excluded.update_at, synced = 1
             WHERE drafts.synced = 1 AND drafts.update_at <= excluded.update_at",
            rusqlite::params![
                draft.channel_id,
                draft.root_id,
                draft.message,
                draft.update_at
            ],
        )?;
        self.notify(StoreChange::Drafts);
        Ok(())
    }

    /// The server deleted a draft (sent from another device, or emptied):
    /// gone here too, unless owed.
    pub fn apply_server_draft_deletion(
        &mut self,
        channel_id: &str,
        root_id: &str,
    ) -> StoreResult<()> {
        self.conn().execute(
            "DELETE FROM drafts WHERE channel_id = ?1 AND root_id = ?2 AND synced = 1",
            [channel_id, root_id],
        )?;
        self.notify(StoreChange::Drafts);
        Ok(())
    }

    /// The server's complete list: applied, and synced drafts it no longer
    /// has are forgotten.
    pub fn replace_server_drafts(&mut self, drafts: &[Draft]) -> StoreResult<()> {
        for draft in drafts {
            self.apply_server_draft(draft)?;
        }
        let keep: HashSet<(&str, &str)> = drafts
            .iter()
            .map(|d| (d.channel_id.as_str(), d.root_id.as_str()))
            .collect();
        let stored = all_drafts(self.conn())?;
        for gone in stored
            .iter()
            .filter(|d| d.synced && !keep.contains(&(d.channel_id.as_str(), d.root_id.as_str())))
        {
            self.apply_server_draft_deletion(&gone.channel_id, &gone.root_id)?;
        }
        Ok(())
    }

    /// A message was sent from this composer: its draft is deleted here,
    /// and owed as a deletion to the server.
    pub fn clear_draft(&mut self, channel_id: &str, root_id: &str, now: i64) -> StoreResult<()> {
        let exists = draft_of(self.conn(), channel_id, root_id)?.is_some();
        if exists {
            self.save_draft(channel_id, root_id, "", now)?;
        }
        Ok(())
    }
}

/// The draft of one composer (an owed deletion included).
pub fn draft_of(
    conn: &Connection,
    channel_id: &str,
    root_id: &str,
) -> StoreResult<Option<StoredDraft>> {
    Ok(conn
        .prepare_cached(
            "SELECT channel_id, root_id, message, update_at, synced FROM drafts
             WHERE channel_id = ?1 AND root_id = ?2",
        )?
        .query_row([channel_id, root_id], stored_draft)
        .optional()?)
}

/// Every stored draft, owed deletions included, newest first.
pub fn all_drafts(conn: &Connection) -> StoreResult<Vec<StoredDraft>> {
    let mut stmt = conn.prepare_cached(
        "SELECT channel_id, root_id, message, update_at, synced FROM drafts
         ORDER BY update_at DESC, channel_id, root_id",
    )?;
    let rows = stmt.query_map([], stored_draft)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn stored_draft(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredDraft> {
    Ok(StoredDraft {
        channel_id: r.get(0)?,
        root_id: r.get(1)?,
        message: r.get(2)?,
        update_at: r.get(3)?,
        synced: r.get(4)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{OpenCheck, Store};

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_blocking(dir.path().join("d.sqlite"), OpenCheck::Header).unwrap();
        (dir, store)
    }

    fn server(channel: &str, message: &str, update_at: i64) -> Draft {
        Draft {
            channel_id: channel.into(),
            message: message.into(),
            update_at,
            ..Draft::default()
        }
    }

    fn read(store: &Store, channel: &str) -> Option<StoredDraft> {
        store.read_blocking(|c| draft_of(c, channel, "")).unwrap()
    }

    #[test]
    fn an_owed_draft_survives_the_servers_copy_until_synced() {
        let (_dir, store) = store();
        store
            .write_blocking(|w| w.save_draft("c1", "", "Hallo", 100))
            .unwrap();
        store
            .write_blocking(|w| w.apply_server_draft(&server("c1", "Alt", 200)))
            .unwrap();
        assert_eq!(read(&store, "c1").unwrap().message, "Hallo");
        store
            .write_blocking(|w| w.mark_draft_synced("c1", "", 100))
            .unwrap();
        assert!(read(&store, "c1").unwrap().synced);
        // Now the server's newer copy wins, an older one does not.
        store
            .write_blocking(|w| w.apply_server_draft(&server("c1", "Neu", 300)))
            .unwrap();
        store
            .write_blocking(|w| w.apply_server_draft(&server("c1", "Älter", 150)))
            .unwrap();
        assert_eq!(read(&store, "c1").unwrap().message, "Neu");
    }

    #[test]
    fn an_edit_during_the_upload_stays_owed() {
        let (_dir, store) = store();
        store
            .write_blocking(|w| w.save_draft("c1", "", "Hal", 100))
            .unwrap();
        store
            .write_blocking(|w| w.save_draft("c1", "", "Hallo", 100))
            .unwrap();
        let now = read(&store, "c1").unwrap();
        assert_eq!(now.update_at, 101, "update_at always moves forward");
        store
            .write_blocking(|w| w.mark_draft_synced("c1", "", 100))
            .unwrap();
        assert!(!read(&store, "c1").unwrap().synced);
    }

    #[test]
    fn clearing_owes_a_deletion_which_the_sync_forgets() {
        let (_dir, store) = store();
        store
            .write_blocking(|w| w.clear_draft("c1", "", 50))
            .unwrap();
        assert_eq!(read(&store, "c1"), None, "nothing to clear");
        store
            .write_blocking(|w| w.save_draft("c1", "", "Hallo", 100))
            .unwrap();
        store
            .write_blocking(|w| w.clear_draft("c1", "", 200))
            .unwrap();
        let owed = read(&store, "c1").unwrap();
        assert!(owed.message.is_empty() && !owed.synced);
        store
            .write_blocking(|w| w.mark_draft_synced("c1", "", owed.update_at))
            .unwrap();
        assert_eq!(read(&store, "c1"), None);
    }

    #[test]
    fn the_servers_full_list_forgets_synced_drafts_it_lacks() {
        let (_dir, store) = store();
        store
            .write_blocking(|w| {
                w.apply_server_draft(&server("gone", "x", 10))?;
                w.save_draft("owed", "", "y", 10)?;
                w.replace_server_drafts(&[server("kept", "z", 20)])
            })
            .unwrap();
        let all: Vec<String> = store
            .read_blocking(all_drafts)
            .unwrap()
            .into_iter()
            .map(|d| d.channel_id)
            .collect();
        assert_eq!(all, vec!["kept".to_string(), "owed".to_string()]);
    }
}
