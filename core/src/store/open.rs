//! Opening database files: pragmas, migrations, and recovery from a
//! damaged file (delete it and start empty; the next sync refills it).
//!
//! Beside each cache file lives its records file (`NAME.records.sqlite`),
//! attached to every connection as `records`: what the server cannot give
//! back (push consent and its log, the push registration and owed
//! deletions). Rebuilding the cache leaves it alone; only erasing the
//! account removes it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::functions::FunctionFlags;
use rusqlite::{Connection, OpenFlags};

use super::error::{is_corruption_code, StoreError, StoreResult};
use super::migrations;
use super::search_text::fold_for_search;

const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// How much checking happens when an existing file is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OpenCheck {
    /// Read the header and schema only: catches a file that is not a
    /// database at all. Damage deeper in the file surfaces as
    /// [`StoreError::is_corruption`] on use.
    Header,
    /// Also run `PRAGMA quick_check` (reads every page).
    #[default]
    QuickCheck,
}

/// The writer connection and whether the file had to be recreated.
pub(crate) struct Opened {
    pub conn: Connection,
    pub rebuilt: bool,
}

/// Opens (creating if needed) the database at `path` as the writer
/// connection. A damaged file or one from a newer schema is deleted and
/// recreated; `rebuilt` tells the caller to run a full sync.
pub(crate) fn open_writer(path: &Path, check: OpenCheck) -> StoreResult<Opened> {
    let existed = path.exists();
    match open_and_migrate(path, check) {
        Ok(conn) => Ok(Opened {
            conn,
            rebuilt: false,
        }),
        Err(err) if err.is_corruption() || matches!(err, StoreError::SchemaTooNew { .. }) => {
            tracing::warn!(error = %err, "store unusable, deleting it for a full resync");
            delete_database_files(path)?;
            let conn = open_and_migrate(path, OpenCheck::Header)?;
            Ok(Opened {
                conn,
                rebuilt: existed,
            })
        }
        Err(err) => Err(err),
    }
}

/// A reader connection to an already migrated database.
pub(crate) fn open_reader(path: &Path) -> StoreResult<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    let records = records_path(path);
    conn.execute(
        "ATTACH DATABASE ?1 AS records",
        [records.to_string_lossy().as_ref()],
    )?;
    conn.pragma_update(None, "query_only", true)?;
    register_functions(&conn)?;
    Ok(conn)
}

fn open_and_migrate(path: &Path, check: OpenCheck) -> StoreResult<Connection> {
    crate::private_fs::ensure_private_file(path).map_err(|source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // journal_mode reads the header: a file that is not a database fails here.
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Corrupt(format!(
            "journal mode {mode} instead of wal"
        )));
    }
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", true)?;
    register_functions(&conn)?;
    // Parses the whole schema: catches a damaged sqlite_master.
    conn.query_row("SELECT count(*) FROM main.sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    })?;
    if check == OpenCheck::QuickCheck && migrations::schema_version(&conn)? > 0 {
        quick_check(&conn, "main")?;
    }
    attach_records(&conn, path, check)?;
    let fresh = migrations::schema_version(&conn)? == 0;
    migrations::migrate(&mut conn)?;
    super::outbox_copy::keep_outbox_copy(&conn, fresh)?;
    Ok(conn)
}

/// The records file that belongs to the cache at `path`.
pub(crate) fn records_path(path: &Path) -> PathBuf {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!("{stem}.records.sqlite"))
}

/// Attaches the records file, creating it if needed. A damaged records file
/// is the one loss this cannot avoid: it is started anew, loudly, rather
/// than leaving the account unusable. Errors are never reported as the
/// cache's corruption, so they cannot make the caller rebuild the cache.
fn attach_records(conn: &Connection, cache_path: &Path, check: OpenCheck) -> StoreResult<()> {
    let records = records_path(cache_path);
    match try_attach_records(conn, &records, check) {
        Err(err) if err.is_corruption() => {
            tracing::error!(error = %err, "records file damaged; starting it anew (the consent log is lost)");
            let _ = conn.execute("DETACH DATABASE records", []);
            delete_database_files(&records)?;
            try_attach_records(conn, &records, OpenCheck::Header)
        }
        other => other,
    }
    .map_err(|err| match err {
        StoreError::Sqlite(source) if is_corruption_code(&source) => {
            StoreError::Corrupt(format!("records file: {source}"))
        }
        err => err,
    })
    .map_err(|err| match err {
        StoreError::Corrupt(reason) => StoreError::RecordsUnusable(reason),
        err => err,
    })
}

fn try_attach_records(conn: &Connection, records: &Path, check: OpenCheck) -> StoreResult<()> {
    crate::private_fs::ensure_private_file(records).map_err(|source| StoreError::Io {
        path: records.to_path_buf(),
        source,
    })?;
    let name = records.to_str().ok_or_else(|| StoreError::Io {
        path: records.to_path_buf(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidInput, "path is not UTF-8"),
    })?;
    conn.execute("ATTACH DATABASE ?1 AS records", [name])?;
    let mode: String = conn.query_row("PRAGMA records.journal_mode = WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Corrupt(format!(
            "records journal mode {mode} instead of wal"
        )));
    }
    conn.pragma_update(Some("records"), "synchronous", "FULL")?;
    conn.query_row("SELECT count(*) FROM records.sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    })?;
    if check == OpenCheck::QuickCheck && migrations::records_version(conn)? > 0 {
        quick_check(conn, "records")?;
    }
    Ok(())
}

/// Runs `PRAGMA quick_check` on one schema; any finding is corruption.
pub(crate) fn quick_check(conn: &Connection, schema: &str) -> StoreResult<()> {
    let sql = match schema {
        "records" => "PRAGMA records.quick_check",
        _ => "PRAGMA main.quick_check",
    };
    let mut stmt = conn.prepare(sql)?;
    let findings: Vec<String> = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<Result<_, _>>()
        .map_err(|err| {
            if is_corruption_code(&err) {
                StoreError::Sqlite(err)
            } else {
                StoreError::Corrupt(err.to_string())
            }
        })?;
    if findings.len() == 1 && findings[0] == "ok" {
        Ok(())
    } else {
        Err(StoreError::Corrupt(findings.join("; ")))
    }
}

/// Deletes the database and its WAL and shared-memory files.
pub(crate) fn delete_database_files(path: &Path) -> StoreResult<()> {
    for file in database_files(path) {
        match std::fs::remove_file(&file) {
            Ok(()) => {}
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(StoreError::Io { path: file, source }),
        }
    }
    Ok(())
}

fn database_files(path: &Path) -> [PathBuf; 3] {
    let with_suffix = |suffix: &str| {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    };
    [path.to_path_buf(), with_suffix("-wal"), with_suffix("-shm")]
}

/// SQL functions every connection needs (the FTS triggers call them).
pub(crate) fn register_functions(conn: &Connection) -> StoreResult<()> {
    conn.create_scalar_function(
        "ph_search_fold",
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            let text: String = ctx.get(0)?;
            Ok(fold_for_search(&text).into_owned())
        },
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_file_is_created_in_wal_mode_without_rebuild_flag() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.sqlite");
        let opened = open_writer(&path, OpenCheck::QuickCheck).unwrap();
        assert!(!opened.rebuilt);
        let mode: String = opened
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let fk: i64 = opened
            .conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert_eq!(fk, 1);
    }

    #[test]
    fn garbage_file_is_deleted_and_recreated() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.sqlite");
        std::fs::write(&path, vec![0x5a; 64 * 1024]).unwrap();
        let opened = open_writer(&path, OpenCheck::Header).unwrap();
        assert!(opened.rebuilt);
        assert_eq!(
            migrations::schema_version(&opened.conn).unwrap(),
            migrations::LATEST_VERSION
        );
    }

    #[test]
    fn damaged_pages_are_found_by_quick_check() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.sqlite");
        {
            let opened = open_writer(&path, OpenCheck::QuickCheck).unwrap();
            let conn = opened.conn;
            conn.execute_batch(
                "PRAGMA journal_mode = DELETE; \
                 INSERT INTO sync_state(name, value) VALUES ('marker', 1);",
            )
            .unwrap();
            let tx = conn.unchecked_transaction().unwrap();
            for i in 0..2000 {
                tx.execute(
                    "INSERT INTO users(id, username) VALUES (?1, ?2)",
                    (format!("user{i:05}"), format!("name{i}")),
                )
                .unwrap();
            }
            tx.commit().unwrap();
        }
        // Keep the 100-byte header intact, smash pages in the middle.
        let mut bytes = std::fs::read(&path).unwrap();
        assert!(bytes.len() > 16 * 4096);
        for b in &mut bytes[8 * 4096..12 * 4096] {
            *b = 0xa5;
        }
        std::fs::write(&path, &bytes).unwrap();
        let opened = open_writer(&path, OpenCheck::QuickCheck).unwrap();
        assert!(opened.rebuilt);
        let users: i64 = opened
            .conn
            .query_row("SELECT count(*) FROM users", [], |r| r.get(0))
            .unwrap();
        assert_eq!(users, 0);
    }

    #[test]
    fn delete_removes_wal_and_shm_too() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.sqlite");
        for file in database_files(&path) {
            std::fs::write(file, b"x").unwrap();
        }
        delete_database_files(&path).unwrap();
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        // Deleting what is not there is fine.
        delete_database_files(&path).unwrap();
    }
}
