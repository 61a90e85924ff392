//! Registrations: the gateway's only state. SQLite (`sqlite.rs`) for one
//! instance, PostgreSQL (`postgres.rs`) for several behind a load
//! balancer; both behind [`RegistrationStore`], both migrated at start.
//!
//! Tokens and deletion secrets are stored as SHA-256 hashes: whoever reads
//! the database learns where pushes go, but cannot send to or delete a
//! registration. (Both are 256-bit random values, so a plain hash is enough.)

pub mod postgres;
pub mod sqlite;

use std::future::Future;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use url::Url;

use crate::config::Database;

pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("registration database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("registration database (PostgreSQL): {0}")]
    Postgres(#[from] tokio_postgres::Error),
    #[error("registration database was written by a newer gateway (schema {0})")]
    NewerSchema(i64),
    #[error("registration database: {0}")]
    Io(#[from] std::io::Error),
    #[error("registration database unavailable, retrying shortly")]
    Unavailable,
    #[error("registration database task failed")]
    TaskFailed,
    #[error("stored registration is damaged: {0}")]
    Damaged(&'static str),
}

/// Where one device's pushes go.
#[derive(Clone, PartialEq, Eq)]
pub enum Target {
    /// A UnifiedPush endpoint with the app's Web Push keys.
    WebPush(WebPushTarget),
    /// An iOS install's APNs device token.
    Apns(ApnsTarget),
}

/// An RFC 8030 push endpoint and the keys the push is encrypted for.
#[derive(Clone, PartialEq, Eq)]
pub struct WebPushTarget {
    pub endpoint: Url,
    /// The app's ECDH public key (uncompressed P-256 point).
    pub p256dh: Vec<u8>,
    /// The app's 16-byte authentication secret.
    pub auth: [u8; 16],
}

/// The token APNs gave the iOS app, lowercase hex. It only reaches the
/// device together with the app publisher's key, but it identifies the
/// device to Apple, so it is kept out of logs like an endpoint.
#[derive(Clone, PartialEq, Eq)]
pub struct ApnsTarget {
    pub device_token: String,
}

impl Target {
    /// The stored `kind` column.
    pub fn kind(&self) -> &'static str {
        match self {
            Target::WebPush(_) => KIND_WEB_PUSH,
            Target::Apns(_) => KIND_APNS,
        }
    }

    /// What the per-endpoint limit counts: the endpoint URL, or the APNs
    /// device token (hex, so never equal to a URL).
    pub fn endpoint_key(&self) -> String {
        match self {
            Target::WebPush(web) => web.endpoint.as_str().to_owned(),
            Target::Apns(apns) => apns.device_token.clone(),
        }
    }
}

const KIND_WEB_PUSH: &str = "webpush";
const KIND_APNS: &str = "apns";

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::WebPush(web) => web.fmt(f),
            Target::Apns(apns) => apns.fmt(f),
        }
    }
}

impl std::fmt::Debug for WebPushTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebPush")
            .field(
                "endpoint_host",
                &crate::redact::endpoint_host(&self.endpoint),
            )
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for ApnsTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Apns")
            .field("device", &crate::redact::fingerprint(&self.device_token))
            .finish()
    }
}

/// Where and how to deliver to one device.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Registration {
    pub target: Target,
    /// When set and in the future, the push service asked for a pause.
    pub retry_after_until: Option<SystemTime>,
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

/// A new registration's row, hashed and ready to store.
pub struct NewRow {
    pub token_hash: Vec<u8>,
    pub secret_hash: Vec<u8>,
    pub kind: &'static str,
    /// [`Target::endpoint_key`].
    pub endpoint: String,
    /// Empty for APNs.
    pub p256dh: Vec<u8>,
    /// Empty for APNs.
    pub auth: Vec<u8>,
    pub created_at: i64,
}

impl NewRow {
    /// Fresh credentials for a registration, and its row.
    pub fn issue(target: &Target) -> (Credentials, NewRow) {
        let credentials = Credentials {
            token: random_credential(),
            secret: random_credential(),
        };
        let (p256dh, auth) = match target {
            Target::WebPush(web) => (web.p256dh.clone(), web.auth.to_vec()),
            Target::Apns(_) => (Vec::new(), Vec::new()),
        };
        let row = NewRow {
            token_hash: hash(&credentials.token),
            secret_hash: hash(&credentials.secret),
            kind: target.kind(),
            endpoint: target.endpoint_key(),
            p256dh,
            auth,
            created_at: unix_seconds(SystemTime::now()),
        };
        (credentials, row)
    }
}

/// The operations the gateway needs, the same on every database.
pub trait RegistrationStore: Send + Sync {
    /// Adds a registration unless its endpoint (or APNs device token)
    /// already has `max_per_endpoint`.
    fn insert(
        &self,
        target: Target,
        max_per_endpoint: u32,
    ) -> impl Future<Output = Result<Inserted, StoreError>> + Send;

    fn find(
        &self,
        token: &str,
    ) -> impl Future<Output = Result<Option<Registration>, StoreError>> + Send;

    /// Deletes when `secret` is the one issued with `token`; false when
    /// either does not match (the caller cannot tell which).
    fn delete_with_secret(
        &self,
        token: &str,
        secret: &str,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Deletes after the push service said the subscription is gone.
    fn delete(&self, token: &str) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Remembers a push service's `Retry-After` for every instance.
    fn set_retry_after(
        &self,
        token: &str,
        until: SystemTime,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    fn clear_retry_after(&self, token: &str)
        -> impl Future<Output = Result<(), StoreError>> + Send;

    /// For the health check: the database answers.
    fn ping(&self) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// How many registrations there are (operations and fault tests).
    fn count(&self) -> impl Future<Output = Result<u64, StoreError>> + Send;
}

/// The store the configuration names.
#[derive(Clone)]
pub enum Store {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl Store {
    /// Opens (creating if needed) and migrates the configured database.
    pub async fn open(database: &Database) -> Result<Store, StoreError> {
        Ok(match database {
            Database::Sqlite(path) => Store::Sqlite(SqliteStore::open(path)?),
            Database::Postgres(url) => Store::Postgres(PostgresStore::connect(url).await?),
        })
    }
}

macro_rules! each_store {
    ($self:ident, $store:ident => $call:expr) => {
        match $self {
            Store::Sqlite($store) => $call.await,
            Store::Postgres($store) => $call.await,
        }
    };
}

impl RegistrationStore for Store {
    async fn insert(&self, target: Target, max_per_endpoint: u32) -> Result<Inserted, StoreError> {
        each_store!(self, s => s.insert(target, max_per_endpoint))
    }

    async fn find(&self, token: &str) -> Result<Option<Registration>, StoreError> {
        each_store!(self, s => s.find(token))
    }

    async fn delete_with_secret(&self, token: &str, secret: &str) -> Result<bool, StoreError> {
        each_store!(self, s => s.delete_with_secret(token, secret))
    }

    async fn delete(&self, token: &str) -> Result<bool, StoreError> {
        each_store!(self, s => s.delete(token))
    }

    async fn set_retry_after(&self, token: &str, until: SystemTime) -> Result<(), StoreError> {
        each_store!(self, s => s.set_retry_after(token, until))
    }

    async fn clear_retry_after(&self, token: &str) -> Result<(), StoreError> {
        each_store!(self, s => s.clear_retry_after(token))
    }

    async fn ping(&self) -> Result<(), StoreError> {
        each_store!(self, s => s.ping())
    }

    async fn count(&self) -> Result<u64, StoreError> {
        each_store!(self, s => s.count())
    }
}

fn random_credential() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

pub(crate) fn hash(value: &str) -> Vec<u8> {
    Sha256::digest(value.as_bytes()).to_vec()
}

pub(crate) fn unix_seconds(time: SystemTime) -> i64 {
    time.duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// A stored row back into a [`Registration`]; damaged values are errors.
pub(crate) fn registration_from_row(
    kind: &str,
    endpoint: &str,
    p256dh: Vec<u8>,
    auth: Vec<u8>,
    retry_after_until: Option<i64>,
) -> Result<Registration, StoreError> {
    let target = match kind {
        KIND_WEB_PUSH => {
            let endpoint = Url::parse(endpoint).map_err(|_| StoreError::Damaged("endpoint"))?;
            let auth: [u8; 16] = auth
                .try_into()
                .map_err(|_| StoreError::Damaged("auth secret"))?;
            Target::WebPush(WebPushTarget {
                endpoint,
                p256dh,
                auth,
            })
        }
        KIND_APNS => Target::Apns(ApnsTarget {
            device_token: endpoint.to_owned(),
        }),
        _ => return Err(StoreError::Damaged("kind")),
    };
    let retry_after_until = retry_after_until
        .and_then(|s| u64::try_from(s).ok())
        .map(|s| UNIX_EPOCH + Duration::from_secs(s));
    Ok(Registration {
        target,
        retry_after_until,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issued_credentials_are_random_and_only_their_hashes_are_kept() {
        let target = Target::WebPush(WebPushTarget {
            endpoint: Url::parse("https://push.example/x").unwrap(),
            p256dh: vec![4; 65],
            auth: [1; 16],
        });
        let (a, row) = NewRow::issue(&target);
        let (b, _) = NewRow::issue(&target);
        assert_eq!(a.token.len(), 43);
        assert_ne!(a.token, b.token);
        assert_ne!(a.token, a.secret);
        assert_eq!(row.token_hash, hash(&a.token));
        assert_eq!(row.secret_hash, hash(&a.secret));
        assert!(!format!("{a:?}").contains(&a.token));
    }

    #[test]
    fn damaged_rows_are_typed_errors() {
        assert!(matches!(
            registration_from_row("webpush", "not a url", vec![], vec![0; 16], None),
            Err(StoreError::Damaged("endpoint"))
        ));
        assert!(matches!(
            registration_from_row(
                "webpush",
                "https://push.example/x",
                vec![],
                vec![0; 3],
                None
            ),
            Err(StoreError::Damaged("auth secret"))
        ));
        assert!(matches!(
            registration_from_row("carrier-pigeon", "x", vec![], vec![], None),
            Err(StoreError::Damaged("kind"))
        ));
        let ok = registration_from_row(
            "webpush",
            "https://push.example/x",
            vec![4],
            vec![0; 16],
            Some(60),
        )
        .unwrap();
        assert_eq!(
            ok.retry_after_until,
            Some(UNIX_EPOCH + Duration::from_secs(60))
        );
        let token = "5f".repeat(32);
        let apns = registration_from_row("apns", &token, vec![], vec![], None).unwrap();
        assert_eq!(
            apns.target,
            Target::Apns(ApnsTarget {
                device_token: token.clone()
            })
        );
        assert!(!format!("{apns:?}").contains(&token));
    }
}
