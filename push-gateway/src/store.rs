//! Registrations in SQLite: the gateway's only state, so several instances
//! can share one database.
//!
//! Tokens and deletion secrets are stored as SHA-256 hashes: whoever reads
//! the file learns where pushes go, but cannot send to or delete a
//! registration. (Both are 256-bit random values, so a plain hash is enough.)

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha256};
use url::Url;

const SCHEMA_VERSION: i64 = 2;

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

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("registration database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("registration database was written by a newer gateway (schema {0})")]
    NewerSchema(i64),
    #[error("registration database: {0}")]
    Io(#[from] std::io::Error),
    #[error("registration database task failed")]
    TaskFailed,
    #[error("stored registration is damaged: {0}")]
    Damaged(&'static str),
}

/// Where and how to deliver to one device.
#[derive(Clone, PartialEq, Eq)]
pub struct Registration {
    pub endpoint: Url,
    /// The app's ECDH public key (uncompressed P-256 point).
    pub p256dh: Vec<u8>,
    /// The app's 16-byte authentication secret.
    pub auth: [u8; 16],
    /// When set and in the future, the push service asked for a pause.
    pub retry_after_until: Option<SystemTime>,
}

impl std::fmt::Debug for Registration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registration")
            .field(
                "endpoint_host",
                &crate::redact::endpoint_host(&self.endpoint),
            )
            .field("retry_after_until", &self.retry_after_until)
            .finish_non_exhaustive()
    }
}

/// What the app gets back once: the token goes into its Mattermost device
/// id, the secret stays on the device and authorises deleting.
pub struct Credentials {
    pub token: String,
    pub secret: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("token", &crate::redact::fingerprint(&self.token))
            .finish_non_exhaustive()
    }
}

/// What an insert did.
#[derive(Debug)]
pub enum Inserted {
    Created(Credentials),
    /// The endpoint already has as many registrations as allowed.
    EndpointFull,
}

#[derive(Clone)]
pub struct Store {
    conn: Arc<Mutex<Connection>>,
}

fn random_credential() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

fn hash(value: &str) -> Vec<u8> {
    Sha256::digest(value.as_bytes()).to_vec()
}

fn unix_seconds(time: SystemTime) -> i64 {
    time.duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

impl Store {
    /// Opens (creating with mode 0600 if needed) and migrates the database.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if !path.exists() {
            create_private_file(path)?;
        }
        Store::from_connection(Connection::open(path)?)
    }

    pub fn open_in_memory() -> Result<Store, StoreError> {
        Store::from_connection(Connection::open_in_memory()?)
    }

    fn from_connection(conn: Connection) -> Result<Store, StoreError> {
        conn.busy_timeout(Duration::from_secs(5))?;
        // WAL lets several gateway instances read while one writes; an
        // in-memory database answers "memory", which is fine.
        conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))?;
        migrate(&conn)?;
        Ok(Store {
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

    /// Adds a registration unless `endpoint` already has
    /// `max_per_endpoint`; the count and the insert are one statement, so
    /// concurrent registrations cannot overshoot.
    pub async fn insert(
        &self,
        endpoint: Url,
        p256dh: Vec<u8>,
        auth: [u8; 16],
        max_per_endpoint: u32,
    ) -> Result<Inserted, StoreError> {
        let credentials = Credentials {
            token: random_credential(),
            secret: random_credential(),
        };
        let (token_hash, secret_hash) = (hash(&credentials.token), hash(&credentials.secret));
        let inserted = self
            .with(move |conn| {
                let n = conn.execute(
                    "INSERT INTO registrations (token_hash, secret_hash, endpoint, p256dh, auth, created_at)
                     SELECT ?1, ?2, ?3, ?4, ?5, ?6
                     WHERE (SELECT count(*) FROM registrations WHERE endpoint = ?3) < ?7",
                    params![
                        token_hash,
                        secret_hash,
                        endpoint.as_str(),
                        p256dh,
                        auth.to_vec(),
                        unix_seconds(SystemTime::now()),
                        max_per_endpoint
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

    pub async fn find(&self, token: &str) -> Result<Option<Registration>, StoreError> {
        let token_hash = hash(token);
        self.with(move |conn| {
            let row = conn
                .query_row(
                    "SELECT endpoint, p256dh, auth, retry_after_until
                     FROM registrations WHERE token_hash = ?1",
                    params![token_hash],
                    |row| {
                        Ok((
                            row.get::<_, String>(0)?,
                            row.get::<_, Vec<u8>>(1)?,
                            row.get::<_, Vec<u8>>(2)?,
                            row.get::<_, Option<i64>>(3)?,
                        ))
                    },
                )
                .optional()?;
            let Some((endpoint, p256dh, auth, retry_after_until)) = row else {
                return Ok(None);
            };
            let endpoint = Url::parse(&endpoint).map_err(|_| StoreError::Damaged("endpoint"))?;
            let auth: [u8; 16] = auth
                .try_into()
                .map_err(|_| StoreError::Damaged("auth secret"))?;
            let retry_after_until = retry_after_until
                .and_then(|s| u64::try_from(s).ok())
                .map(|s| UNIX_EPOCH + Duration::from_secs(s));
            Ok(Some(Registration {
                endpoint,
                p256dh,
                auth,
                retry_after_until,
            }))
        })
        .await
    }

    /// Deletes when `secret` is the one issued with `token`; false when
    /// either does not match (the caller cannot tell which).
    pub async fn delete_with_secret(&self, token: &str, secret: &str) -> Result<bool, StoreError> {
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

    /// Deletes after the push service said the subscription is gone.
    pub async fn delete(&self, token: &str) -> Result<bool, StoreError> {
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

    /// Remembers a push service's `Retry-After` for every instance.
    pub async fn set_retry_after(&self, token: &str, until: SystemTime) -> Result<(), StoreError> {
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

    pub async fn clear_retry_after(&self, token: &str) -> Result<(), StoreError> {
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

    /// For the health check: the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.with(|conn| {
            conn.query_row("SELECT count(*) FROM registrations", [], |_| Ok(()))?;
            Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint() -> Url {
        Url::parse("https://push.example/up/device-1").unwrap()
    }

    async fn created(store: &Store, auth: [u8; 16]) -> Credentials {
        match store
            .insert(endpoint(), vec![4; 65], auth, 100)
            .await
            .unwrap()
        {
            Inserted::Created(credentials) => credentials,
            Inserted::EndpointFull => panic!("endpoint full"),
        }
    }

    #[tokio::test]
    async fn an_endpoint_takes_only_so_many_registrations() {
        let store = Store::open_in_memory().unwrap();
        for _ in 0..2 {
            let inserted = store
                .insert(endpoint(), vec![4; 65], [1; 16], 2)
                .await
                .unwrap();
            assert!(matches!(inserted, Inserted::Created(_)));
        }
        let third = store
            .insert(endpoint(), vec![4; 65], [1; 16], 2)
            .await
            .unwrap();
        assert!(matches!(third, Inserted::EndpointFull));
        let elsewhere = Url::parse("https://push.example/up/device-2").unwrap();
        let other = store
            .insert(elsewhere, vec![4; 65], [1; 16], 2)
            .await
            .unwrap();
        assert!(matches!(other, Inserted::Created(_)));
    }

    #[tokio::test]
    async fn insert_find_and_delete_with_secret() {
        let store = Store::open_in_memory().unwrap();
        let creds = created(&store, [7; 16]).await;
        assert_eq!(creds.token.len(), 43);
        assert_ne!(creds.token, creds.secret);
        let found = store.find(&creds.token).await.unwrap().unwrap();
        assert_eq!(found.endpoint, endpoint());
        assert_eq!(found.p256dh, vec![4; 65]);
        assert_eq!(found.auth, [7; 16]);
        assert_eq!(found.retry_after_until, None);

        // The token alone (what the Mattermost server knows) cannot delete.
        assert!(!store
            .delete_with_secret(&creds.token, &creds.token)
            .await
            .unwrap());
        assert!(store.find(&creds.token).await.unwrap().is_some());
        assert!(store
            .delete_with_secret(&creds.token, &creds.secret)
            .await
            .unwrap());
        assert!(store.find(&creds.token).await.unwrap().is_none());
        assert!(!store
            .delete_with_secret(&creds.token, &creds.secret)
            .await
            .unwrap());
    }

    #[tokio::test]
    async fn tokens_are_unique_and_unknown_tokens_are_not_found() {
        let store = Store::open_in_memory().unwrap();
        let a = created(&store, [1; 16]).await;
        let b = created(&store, [1; 16]).await;
        assert_ne!(a.token, b.token);
        assert!(store.find("not-a-token").await.unwrap().is_none());
        assert!(store.delete(&a.token).await.unwrap());
        assert!(!store.delete(&a.token).await.unwrap());
        assert!(store.find(&b.token).await.unwrap().is_some());
    }

    #[tokio::test]
    async fn retry_after_is_remembered_and_cleared() {
        let store = Store::open_in_memory().unwrap();
        let creds = created(&store, [1; 16]).await;
        let until = UNIX_EPOCH + Duration::from_secs(2_000_000_000);
        store.set_retry_after(&creds.token, until).await.unwrap();
        let found = store.find(&creds.token).await.unwrap().unwrap();
        assert_eq!(found.retry_after_until, Some(until));
        store.clear_retry_after(&creds.token).await.unwrap();
        let found = store.find(&creds.token).await.unwrap().unwrap();
        assert_eq!(found.retry_after_until, None);
    }

    #[tokio::test]
    async fn file_keeps_no_token_or_secret_and_survives_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("registrations.sqlite");
        let store = Store::open(&path).unwrap();
        let creds = created(&store, [9; 16]).await;
        drop(store);
        let reopened = Store::open(&path).unwrap();
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
        let store = Store::open(&path).unwrap();
        let creds = created(&store, [9; 16]).await;
        drop(store);
        let conn = Connection::open(&path).unwrap();
        conn.execute("UPDATE registrations SET auth = x'01'", [])
            .unwrap();
        drop(conn);
        let store = Store::open(&path).unwrap();
        assert!(matches!(
            store.find(&creds.token).await,
            Err(StoreError::Damaged(_))
        ));
        drop(store);
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("PRAGMA user_version = 99").unwrap();
        drop(conn);
        assert!(matches!(
            Store::open(&path),
            Err(StoreError::NewerSchema(99))
        ));
    }
}
