//! The outbox's copy in the records file. The cache is disposable, the
//! intents in its outbox are not: the user was told they are saved. Every
//! insert, payload change and removal in `main.outbox` is mirrored into
//! `records.outbox_copy` in the same transaction, and a cache that had to
//! be started anew gets its intents back from the copy.

use rusqlite::Connection;

use super::StoreResult;

/// Called on the writer connection after the migrations. `fresh`: the
/// cache file was created in this open (first start, or recreated after
/// damage). A fresh cache takes the copy's intents; an existing one is the
/// truth, and the copy is set to it (a crash can land between the two
/// files' commits).
pub(crate) fn keep_outbox_copy(conn: &Connection, fresh: bool) -> StoreResult<()> {
    if fresh {
        // Posts go back as "maybe sent", as if first tried when made: the
        // worker asks the server for posts since then before sending again,
        // so a post that did go out is not posted twice.
        let restored = conn.execute(
            "INSERT INTO main.outbox (client_key, kind, channel_id, payload, created_at,
                                      maybe_sent, first_attempt_at)
             SELECT client_key, kind, channel_id, payload, created_at, kind = 'post',
                    CASE WHEN kind = 'post' THEN created_at ELSE 0 END
             FROM records.outbox_copy ORDER BY seq",
            [],
        )?;
        if restored > 0 {
            tracing::warn!(restored, "outbox restored after the cache was recreated");
        }
    }
    // Statements inside a trigger may not name a schema: `outbox_copy` is
    // found in `records`, the only file that has it.
    conn.execute_batch(
        "DELETE FROM records.outbox_copy
         WHERE client_key NOT IN (SELECT client_key FROM main.outbox);
         INSERT OR REPLACE INTO records.outbox_copy
             (client_key, seq, kind, channel_id, payload, created_at)
         SELECT client_key, seq, kind, channel_id, payload, created_at FROM main.outbox;

         CREATE TEMP TRIGGER IF NOT EXISTS outbox_copy_insert
         AFTER INSERT ON main.outbox BEGIN
             INSERT OR REPLACE INTO outbox_copy
                 (client_key, seq, kind, channel_id, payload, created_at)
             VALUES (new.client_key, new.seq, new.kind, new.channel_id, new.payload,
                     new.created_at);
         END;
         CREATE TEMP TRIGGER IF NOT EXISTS outbox_copy_payload
         AFTER UPDATE OF payload ON main.outbox BEGIN
             UPDATE outbox_copy SET payload = new.payload
             WHERE client_key = new.client_key;
         END;
         CREATE TEMP TRIGGER IF NOT EXISTS outbox_copy_delete
         AFTER DELETE ON main.outbox BEGIN
             DELETE FROM outbox_copy WHERE client_key = old.client_key;
         END;",
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::store::fixtures::store;
    use crate::store::{entries, Intent, OpenCheck, Store};

    fn post(message: &str) -> Intent {
        Intent::Post {
            channel_id: "c".into(),
            root_id: String::new(),
            message: message.into(),
            file_ids: Vec::new(),
            pending_post_id: format!("me:{message}"),
        }
    }

    fn queued(store: &Store) -> Vec<(String, bool, i64)> {
        store
            .read_blocking(entries)
            .unwrap()
            .into_iter()
            .map(|e| (e.client_key, e.maybe_sent, e.first_attempt_at))
            .collect()
    }

    /// The cache deleted (during use, or found zeroed at the next start):
    /// every intent not settled comes back, in order, edits included;
    /// settled ones do not.
    #[test]
    fn intents_outlive_a_recreated_cache() {
        let (dir, store) = store();
        let view = Intent::ViewChannel {
            channel_id: "c".into(),
        };
        store
            .write_blocking(|w| {
                w.enqueue_intent("k1", "c", &post("eins"), 10)?;
                w.enqueue_intent("k2", "c", &post("zwei"), 11)?;
                w.enqueue_intent("k3", "c", &view, 12)?;
                w.replace_intent("k2", &post("zwei, korrigiert"))
            })
            .unwrap();
        store.write_blocking(|w| w.finish_intent("k1")).unwrap();

        store.rebuild_blocking().unwrap();
        assert_eq!(
            queued(&store),
            vec![("k2".into(), true, 11), ("k3".into(), false, 0)]
        );
        let restored = store.read_blocking(entries).unwrap();
        assert_eq!(restored[0].intent, post("zwei, korrigiert"));
        drop(store);

        let path = dir.path().join("t.sqlite");
        std::fs::write(&path, vec![0u8; 8192]).unwrap();
        let reopened = Store::open_blocking(&path, OpenCheck::QuickCheck).unwrap();
        assert!(reopened.was_rebuilt());
        assert_eq!(queued(&reopened).len(), 2);

        // Settled after the rebuild: gone from the copy as well.
        reopened
            .write_blocking(|w| {
                w.finish_intent("k2")?;
                w.finish_intent("k3")
            })
            .unwrap();
        reopened.rebuild_blocking().unwrap();
        assert!(queued(&reopened).is_empty());
    }

    /// A crash between the two files' commits leaves the copy behind the
    /// cache or ahead of it; the next open sets it to the outbox.
    #[test]
    fn an_existing_cache_is_the_truth_for_the_copy() {
        let (dir, store) = store();
        store
            .write_blocking(|w| w.enqueue_intent("k1", "c", &post("eins"), 10))
            .unwrap();
        drop(store);
        let path = dir.path().join("t.sqlite");
        {
            let conn = rusqlite::Connection::open(&path).unwrap();
            let records = dir.path().join("t.records.sqlite");
            conn.execute("ATTACH DATABASE ?1 AS records", [records.to_str().unwrap()])
                .unwrap();
            conn.execute_batch(
                "DELETE FROM records.outbox_copy;
                 INSERT INTO records.outbox_copy VALUES ('stale', 1, 'post', 'c', '{}', 1);",
            )
            .unwrap();
        }
        let reopened = Store::open_blocking(&path, OpenCheck::Header).unwrap();
        reopened.rebuild_blocking().unwrap();
        let keys: Vec<String> = queued(&reopened).into_iter().map(|e| e.0).collect();
        assert_eq!(keys, ["k1"]);
    }
}
