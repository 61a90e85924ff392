//! Numbered schema migrations, tracked with `PRAGMA user_version`.
//!
//! To change the schema, add `migrations/NNNN_name.sql` and append it here;
//! never edit a migration that has shipped. Each migration runs in its own
//! transaction together with the version bump.

use rusqlite::Connection;

use super::error::{StoreError, StoreResult};

/// (version, sql): version N brings the schema from N-1 to N.
const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("migrations/0001_init.sql")),
    (2, include_str!("migrations/0002_realtime_outbox.sql")),
    (3, include_str!("migrations/0003_push.sql")),
];

/// The schema version this build writes.
pub const LATEST_VERSION: i64 = MIGRATIONS[MIGRATIONS.len() - 1].0;

pub(crate) fn schema_version(conn: &Connection) -> StoreResult<i64> {
    Ok(conn.query_row("PRAGMA user_version", [], |row| row.get(0))?)
}

/// Brings the database up to [`LATEST_VERSION`]. A database from a newer app
/// version is refused with [`StoreError::SchemaTooNew`] (the caller rebuilds).
pub(crate) fn migrate(conn: &mut Connection) -> StoreResult<()> {
    let current = schema_version(conn)?;
    if current > LATEST_VERSION {
        return Err(StoreError::SchemaTooNew {
            found: current,
            known: LATEST_VERSION,
        });
    }
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
        tracing::debug!(version, "store migration applied");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn memory() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        super::super::open::register_functions(&conn).unwrap();
        conn
    }

    #[test]
    fn versions_are_numbered_without_holes() {
        for (index, (version, _)) in MIGRATIONS.iter().enumerate() {
            assert_eq!(*version, index as i64 + 1);
        }
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
