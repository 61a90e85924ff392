//! Registrations in one SQLite file (WAL): the default for a single
//! gateway instance.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use rusqlite::{params, Connection, OptionalExtension};

use super::{
    hash, registration_from_row, unix_seconds, Inserted, NewRow, Registration, RegistrationStore,
    StoreError, Target,
};

const SCHEMA_VERSION: i64 = 3;

const SCHEMA_V1: &str = "
CREATE TABLE registrations (
    token_hash BLOB PRIMARY KEY NOT NULL,
    secret_hash BLOB NOT NULL,
    endpoint TEXT NOT NULL,
    p256dh BLOB NOT NULL,
    auth BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    -- Unix seconds until which the push service asked us to stay away (429).
    retry_after_until INTEGER
) STRICT;
";

/// Counting the registrations of one endpoint (the per-endpoint limit).
const SCHEMA_V2: &str = "
CREATE INDEX registrations_by_endpoint ON registrations (endpoint);
";

/// APNs registrations beside Web Push ones: `endpoint` holds the device
/// token, `p256dh` and `auth` are empty.
const SCHEMA_V3: &str = "
ALTER TABLE registrations ADD COLUMN kind TEXT NOT NULL DEFAULT 'webpush';
";

#[derive(Clone)]
pub struct SqliteStore {
    conn: Arc<Mutex<Connection>>,
}

impl SqliteStore {
    /// Opens (creating with mode 0600 if needed) and migrates the database.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        if !path.exists() {
            create_private_file(path)?;
        }
        SqliteStore::from_connection(Connection::open(path)?)
    }

    pub fn open_in_memory() -> Result<SqliteStore, StoreError> {
        SqliteStore::from_connection(Connection::open_in_memory()?)
    }

    fn from_connection(conn: Connection) -> Result<SqliteStore, StoreError> {
        conn.busy_timeout(Duration::from_secs(5))?;
        // WAL lets readers go on while one writes; an in-memory database
        // answers "memory", which is fine.
        conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))?;
        migrate(&conn)?;
        Ok(SqliteStore {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// Runs `f` on the connection off the async threads.
    async fn with<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let conn = conn.lock().unwrap_or_else(|e| e.into_inner());
            f(&conn)
        })
        .await
        .map_err(|_| StoreError::TaskFailed)?
    }
}

impl RegistrationStore for SqliteStore {
    /// The count and the insert are one statement, so concurrent
    /// registrations cannot overshoot.
    async fn insert(&self, target: Target, max_per_endpoint: u32) -> Result<Inserted, StoreError> {
        let (credentials, row) = NewRow::issue(&target);
        let inserted = self
            .with(move |conn| {
                let n = conn.execute(
                    "INSERT INTO registrations
                         (token_hash, secret_hash, endpoint, p256dh, auth, created_at, kind)
                     SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?8
                     WHERE (SELECT count(*) FROM registrations WHERE endpoint = ?3) < ?7",
                    params![
                        row.token_hash,
                        row.secret_hash,
                        row.endpoint,
                        row.p256dh,
                        row.auth,
                        row.created_at,
                        max_per_endpoint,
                        row.kind
                    ],
                )?;
                Ok(n > 0)
            })
            .await?;
        Ok(if inserted {
            Inserted::Created(credentials)
        } else {
            Inserted::EndpointFull
        })
    }

    async fn find(&self, token: &str) -> Result<Option<Registration>, StoreError> {
        let token_hash = hash(token);
        self.with(move |conn| {
            let row = conn
                .query_row(
                    "SELECT kind, endpoint, p256dh, auth, retry_after_until
                     FROM registrations WHERE token_hash = ?1",
                    params![token_hash],
                    |row| {
                        Ok((
                            row.get::<_, String>(0)?,
                            row.get::<_, String>(1)?,
                            row.get::<_, Vec<u8>>(2)?,
                            row.get::<_, Vec<u8>>(3)?,
                            row.get::<_, Option<i64>>(4)?,
                        ))
                    },
                )
                .optional()?;
            row.map(|(kind, endpoint, p256dh, auth, retry)| {
                registration_from_row(&kind, &endpoint, p256dh, auth, retry)
            })
            .transpose()
        })
        .await
    }

    async fn delete_with_secret(&self, token: &str, secret: &str) -> Result<bool, StoreError> {
        let (token_hash, secret_hash) = (hash(token), hash(secret));
        self.with(move |conn| {
            let n = conn.execute(
                "DELETE FROM registrations WHERE token_hash = ?1 AND secret_hash = ?2",
                params![token_hash, secret_hash],
            )?;
            Ok(n > 0)
        })
        .await
    }

    async fn delete(&self, token: &str) -> Result<bool, StoreError> {
        let token_hash = hash(token);
        self.with(move |conn| {
            let n = conn.execute(
                "DELETE FROM registrations WHERE token_hash = ?1",
                params![token_hash],
            )?;
            Ok(n > 0)
        })
        .await
    }

    async fn set_retry_after(&self, token: &str, until: SystemTime) -> Result<(), StoreError> {
        let token_hash = hash(token);
        let until = unix_seconds(until);
        self.with(move |conn| {
            conn.execute(
                "UPDATE registrations SET retry_after_until = ?2 WHERE token_hash = ?1",
                params![token_hash, until],
            )?;
            Ok(())
        })
        .await
    }

    async fn clear_retry_after(&self, token: &str) -> Result<(), StoreError> {
        let token_hash = hash(token);
        self.with(move |conn| {
            conn.execute(
                "UPDATE registrations SET retry_after_until = NULL
                 WHERE token_hash = ?1 AND retry_after_until IS NOT NULL",
                params![token_hash],
            )?;
            Ok(())
        })
        .await
    }

    async fn ping(&self) -> Result<(), StoreError> {
        self.with(|conn| {
            conn.query_row("SELECT count(*) FROM registrations", [], |_| Ok(()))?;
            Ok(())
        })
        .await
    }

    async fn count(&self) -> Result<u64, StoreError> {
        self.with(|conn| {
            let n: i64 = conn.query_row("SELECT count(*) FROM registrations", [], |r| r.get(0))?;
            Ok(n.unsigned_abs())
        })
        .await
    }
}

fn migrate(conn: &Connection) -> Result<(), StoreError> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    if version > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema(version));
    }
    if version < 1 {
        conn.execute_batch(&format!(
            "BEGIN; {SCHEMA_V1} PRAGMA user_version = 1; COMMIT;"
        ))?;
    }
    if version < 2 {
        conn.execute_batch(&format!(
            "BEGIN; {SCHEMA_V2} PRAGMA user_version = 2; COMMIT;"
        ))?;
    }
    if version < 3 {
        conn.execute_batch(&format!(
            "BEGIN; {SCHEMA_V3} PRAGMA user_version = 3; COMMIT;"
        ))?;
    }
    Ok(())
}

fn create_private_file(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path).map(drop)
}

/// What only SQLite has: the file, its mode and its schema version. The
/// behaviour both stores share is tested in `tests/store_suite.rs`.
#[cfg(test)]
mod tests {
    use super::*;
    use url::Url;

    fn target() -> Target {
        Target::WebPush(super::super::WebPushTarget {
            endpoint: Url::parse("https://push.example/up/device-1").unwrap(),
            p256dh: vec![4; 65],
            auth: [9; 16],
        })
    }

    async fn created(store: &SqliteStore) -> super::super::Credentials {
        match store.insert(target(), 100).await.unwrap() {
            Inserted::Created(credentials) => credentials,
            Inserted::EndpointFull => panic!("endpoint full"),
        }
    }

    #[tokio::test]
    async fn file_keeps_no_token_or_secret_and_survives_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("registrations.sqlite");
        let store = SqliteStore::open(&path).unwrap();
        let creds = created(&store).await;
        drop(store);
        let reopened = SqliteStore::open(&path).unwrap();
        assert!(reopened.find(&creds.token).await.unwrap().is_some());
        reopened.ping().await.unwrap();
        drop(reopened);
        let mut bytes = std::fs::read(&path).unwrap();
        if let Ok(wal) = std::fs::read(dir.path().join("registrations.sqlite-wal")) {
            bytes.extend(wal);
        }
        let haystack = String::from_utf8_lossy(&bytes);
        assert!(!haystack.contains(&creds.token));
        assert!(!haystack.contains(&creds.secret));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0);
        }
    }

    #[tokio::test]
    async fn newer_schema_is_refused_and_damaged_rows_are_typed_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.sqlite");
        let store = SqliteStore::open(&path).unwrap();
        let creds = created(&store).await;
        drop(store);
        let conn = Connection::open(&path).unwrap();
        conn.execute("UPDATE registrations SET auth = x'01'", [])
            .unwrap();
        drop(conn);
        let store = SqliteStore::open(&path).unwrap();
        assert!(matches!(
            store.find(&creds.token).await,
            Err(StoreError::Damaged(_))
        ));
        drop(store);
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("PRAGMA user_version = 99").unwrap();
        drop(conn);
        assert!(matches!(
            SqliteStore::open(&path),
            Err(StoreError::NewerSchema(99))
        ));
    }

    #[tokio::test]
    async fn a_version_two_file_keeps_its_registrations_as_web_push() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v2.sqlite");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(&format!("{SCHEMA_V1} {SCHEMA_V2} PRAGMA user_version = 2;"))
            .unwrap();
        conn.execute(
            "INSERT INTO registrations (token_hash, secret_hash, endpoint, p256dh, auth, created_at)
             VALUES (?1, x'00', 'https://push.example/up/old', x'04', ?2, 0)",
            params![hash("old-token"), vec![7u8; 16]],
        )
        .unwrap();
        drop(conn);
        let store = SqliteStore::open(&path).unwrap();
        let found = store.find("old-token").await.unwrap().unwrap();
        assert!(matches!(found.target, Target::WebPush(ref web) if web.auth == [7; 16]));
    }

    #[tokio::test]
    async fn a_version_one_file_gets_the_endpoint_index() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v1.sqlite");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(&format!("{SCHEMA_V1} PRAGMA user_version = 1;"))
            .unwrap();
        drop(conn);
        drop(SqliteStore::open(&path).unwrap());
        let conn = Connection::open(&path).unwrap();
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION);
        let index: String = conn
            .query_row(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'registrations' AND sql IS NOT NULL",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(index, "registrations_by_endpoint");
    }
}
