//! Numbered schema migrations, tracked with `PRAGMA user_version`, for the
//! cache (`main`) and for the records file attached beside it as `records`
//! (what a cache rebuild must not lose; see `open.rs`).
//!
//! To change the schema, add `migrations/NNNN_name.sql` (or
//! `migrations/records/NNNN_name.sql`) and append it here; never edit a
//! migration that has shipped. Each migration runs in its own transaction
//! together with the version bump. The records migrations run first, so a
//! cache migration may move rows into them.

use rusqlite::Connection;

use super::error::{StoreError, StoreResult};

/// (version, sql): version N brings the schema from N-1 to N.
const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("migrations/0001_init.sql")),
    (2, include_str!("migrations/0002_realtime_outbox.sql")),
    (3, include_str!("migrations/0003_push.sql")),
    (4, include_str!("migrations/0004_push_to_records.sql")),
    (5, include_str!("migrations/0005_composer_drafts.sql")),
    (6, include_str!("migrations/0006_followed_threads.sql")),
    (7, include_str!("migrations/0007_membership_changes.sql")),
];

/// The records file's migrations; their tables are created as `records.*`.
const RECORDS_MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("migrations/records/0001_push.sql")),
    (2, include_str!("migrations/records/0002_push_gateway.sql")),
    (3, include_str!("migrations/records/0003_outbox_copy.sql")),
];

/// The name the records file is attached under.
pub(crate) const RECORDS_SCHEMA: &str = "records";

/// The schema version this build writes.
pub const LATEST_VERSION: i64 = MIGRATIONS[MIGRATIONS.len() - 1].0;

pub(crate) fn schema_version(conn: &Connection) -> StoreResult<i64> {
    version_of(conn, "main")
}

pub(crate) fn records_version(conn: &Connection) -> StoreResult<i64> {
    version_of(conn, RECORDS_SCHEMA)
}

fn version_of(conn: &Connection, schema: &str) -> StoreResult<i64> {
    Ok(conn.pragma_query_value(Some(schema), "user_version", |row| row.get(0))?)
}

/// Brings the records file (attached) and then the cache up to the newest
/// schema. A file from a newer app version is refused with
/// [`StoreError::SchemaTooNew`] (for the cache the caller rebuilds).
pub(crate) fn migrate(conn: &mut Connection) -> StoreResult<()> {
    apply(conn, RECORDS_SCHEMA, RECORDS_MIGRATIONS)?;
    apply(conn, "main", MIGRATIONS)
}

fn apply(conn: &mut Connection, schema: &str, migrations: &[(i64, &str)]) -> StoreResult<()> {
    let current = version_of(conn, schema)?;
    let known = migrations[migrations.len() - 1].0;
    if current > known {
        return Err(StoreError::SchemaTooNew {
            found: current,
            known,
        });
    }
    for (version, sql) in migrations.iter().filter(|(v, _)| *v > current) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(Some(schema), "user_version", version)?;
        tx.commit()?;
        tracing::debug!(version, ?schema, "store migration applied");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn memory() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        super::super::open::register_functions(&conn).unwrap();
        conn.execute("ATTACH DATABASE ':memory:' AS records", [])
            .unwrap();
        conn
    }

    #[test]
    fn versions_are_numbered_without_holes() {
        for list in [MIGRATIONS, RECORDS_MIGRATIONS] {
            for (index, (version, _)) in list.iter().enumerate() {
                assert_eq!(*version, index as i64 + 1);
            }
        }
    }

    #[test]
    fn a_cache_at_version_3_hands_its_push_rows_to_the_records() {
        let mut conn = memory();
        for (version, sql) in &MIGRATIONS[..3] {
            conn.execute_batch(sql).unwrap();
            conn.pragma_update(None, "user_version", version).unwrap();
        }
        conn.execute_batch(
            "INSERT INTO push_consent_log (at, decision, delivery, consent_text_version)
                 VALUES (10, 'granted', 'unified_push', 'v1'), (20, 'withdrawn', '', '');
             INSERT INTO push_teardown (token, delivery, platform, created_at)
                 VALUES ('tok', 'unified_push', 'android_rn-v2', 20);",
        )
        .unwrap();

        migrate(&mut conn).unwrap();
        let count = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
        assert_eq!(count("SELECT count(*) FROM records.push_consent_log"), 2);
        assert_eq!(count("SELECT max(seq) FROM records.push_consent_log"), 2);
        assert_eq!(count("SELECT count(*) FROM records.push_teardown"), 1);
        assert_eq!(
            count("SELECT count(*) FROM main.sqlite_master WHERE name LIKE 'push_%'"),
            0
        );
        // The log stays append-only in its new home.
        assert!(conn.execute("DELETE FROM push_consent_log", []).is_err());
        conn.execute(
            "INSERT INTO push_consent_log (at, decision) VALUES (30, 'declined')",
            [],
        )
        .unwrap();
        assert_eq!(count("SELECT max(seq) FROM push_consent_log"), 3);
    }

    #[test]
    fn migrating_twice_is_a_no_op() {
        let mut conn = memory();
        migrate(&mut conn).unwrap();
        assert_eq!(schema_version(&conn).unwrap(), LATEST_VERSION);
        migrate(&mut conn).unwrap();
        assert_eq!(schema_version(&conn).unwrap(), LATEST_VERSION);
        let tables: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'posts'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(tables, 1);
    }

    #[test]
    fn newer_schema_is_refused() {
        let mut conn = memory();
        conn.pragma_update(None, "user_version", LATEST_VERSION + 1)
            .unwrap();
        let err = migrate(&mut conn).unwrap_err();
        assert!(matches!(err, StoreError::SchemaTooNew { .. }));
    }
}
