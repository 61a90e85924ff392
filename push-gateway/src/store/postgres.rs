//! Registrations in PostgreSQL, so that several gateway instances behind a
//! load balancer share them. The tables are prefixed (`push_gateway_`) so
//! the gateway can share a database with other services.
//!
//! One connection, pipelined (tokio-postgres sends concurrent queries on
//! it without waiting for each other). When it breaks, the next query
//! reconnects; while the database is away, queries fail at once instead of
//! each waiting for a connection attempt, so Mattermost gets its FAIL in
//! time and deliveries resume as soon as the database is back.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use super::{
    hash, registration_from_row, unix_seconds, Inserted, NewRow, Registration, RegistrationStore,
    StoreError, Target,
};
use tokio::sync::Mutex;
use tokio_postgres::{Client, NoTls};

const SCHEMA_VERSION: i32 = 2;

/// Serialises the migrations of instances starting at the same time.
const MIGRATION_LOCK: i64 = 0x7075_7368_6777; // "pushgw"

const SCHEMA_V1: &str = "
CREATE TABLE push_gateway_registrations (
    token_hash BYTEA PRIMARY KEY,
    secret_hash BYTEA NOT NULL,
    endpoint TEXT NOT NULL,
    p256dh BYTEA NOT NULL,
    auth BYTEA NOT NULL,
    created_at BIGINT NOT NULL,
    -- Unix seconds until which the push service asked us to stay away (429).
    retry_after_until BIGINT
);
CREATE INDEX push_gateway_registrations_by_endpoint ON push_gateway_registrations (endpoint);
";

/// APNs registrations beside Web Push ones: `endpoint` holds the device
/// token, `p256dh` and `auth` are empty.
const SCHEMA_V2: &str = "
ALTER TABLE push_gateway_registrations ADD COLUMN kind TEXT NOT NULL DEFAULT 'webpush';
";

/// After a failed connection attempt, queries fail at once for this long.
const RECONNECT_PAUSE: Duration = Duration::from_secs(1);
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

struct Connection {
    client: Option<Arc<Client>>,
    last_failure: Option<Instant>,
}

#[derive(Clone)]
pub struct PostgresStore {
    config: Arc<tokio_postgres::Config>,
    connection: Arc<Mutex<Connection>>,
}

impl PostgresStore {
    /// Connects and migrates; `url` is a `postgres://` URL (or key=value
    /// string) as libpq takes it.
    pub async fn connect(url: &str) -> Result<PostgresStore, StoreError> {
        let mut config: tokio_postgres::Config = url.parse()?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(DEFAULT_CONNECT_TIMEOUT);
        }
        let mut client = open(&config).await?;
        migrate(&mut client).await?;
        Ok(PostgresStore {
            config: Arc::new(config),
            connection: Arc::new(Mutex::new(Connection {
                client: Some(Arc::new(client)),
                last_failure: None,
            })),
        })
    }

    /// The live client, reconnecting when the last one broke.
    async fn client(&self) -> Result<Arc<Client>, StoreError> {
        let mut connection = self.connection.lock().await;
        if let Some(client) = connection.client.as_ref().filter(|c| !c.is_closed()) {
            return Ok(client.clone());
        }
        connection.client = None;
        if let Some(failed_at) = connection.last_failure {
            if failed_at.elapsed() < RECONNECT_PAUSE {
                return Err(StoreError::Unavailable);
            }
        }
        match open(&self.config).await {
            Ok(client) => {
                if connection.last_failure.take().is_some() {
                    tracing::info!("registration database reachable again");
                }
                let client = Arc::new(client);
                connection.client = Some(client.clone());
                Ok(client)
            }
            Err(e) => {
                tracing::error!(error = %e, "registration database unreachable");
                connection.last_failure = Some(Instant::now());
                Err(e.into())
            }
        }
    }
}

async fn open(config: &tokio_postgres::Config) -> Result<Client, tokio_postgres::Error> {
    let (client, connection) = config.connect(NoTls).await?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::warn!(error = %e, "registration database connection ended");
        }
    });
    Ok(client)
}

async fn migrate(client: &mut Client) -> Result<(), StoreError> {
    let transaction = client.transaction().await?;
    transaction
        .execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    transaction
        .batch_execute("CREATE TABLE IF NOT EXISTS push_gateway_schema (version INTEGER NOT NULL)")
        .await?;
    let version: i32 = transaction
        .query_one(
            "SELECT coalesce(max(version), 0) FROM push_gateway_schema",
            &[],
        )
        .await?
        .try_get(0)?;
    if version > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema(version.into()));
    }
    if version < 1 {
        transaction.batch_execute(SCHEMA_V1).await?;
        transaction
            .execute("INSERT INTO push_gateway_schema (version) VALUES (1)", &[])
            .await?;
    }
    if version < 2 {
        transaction.batch_execute(SCHEMA_V2).await?;
        transaction
            .execute("INSERT INTO push_gateway_schema (version) VALUES (2)", &[])
            .await?;
    }
    transaction.commit().await?;
    Ok(())
}

impl RegistrationStore for PostgresStore {
    /// The count and the insert are one statement; two instances inserting
    /// for the same endpoint at the same moment can still both pass, so
    /// the limit may be exceeded by one per racing instance (it bounds
    /// abuse, it is not an invariant).
    async fn insert(&self, target: Target, max_per_endpoint: u32) -> Result<Inserted, StoreError> {
        let (credentials, row) = NewRow::issue(&target);
        let client = self.client().await?;
        let n = client
            .execute(
                "INSERT INTO push_gateway_registrations
                     (token_hash, secret_hash, endpoint, p256dh, auth, created_at, kind)
                 SELECT $1::bytea, $2::bytea, $3::text, $4::bytea, $5::bytea, $6::bigint, $8::text
                 WHERE (SELECT count(*) FROM push_gateway_registrations WHERE endpoint = $3::text)
                       < $7::bigint",
                &[
                    &row.token_hash,
                    &row.secret_hash,
                    &row.endpoint,
                    &row.p256dh,
                    &row.auth,
                    &row.created_at,
                    &i64::from(max_per_endpoint),
                    &row.kind,
                ],
            )
            .await?;
        Ok(if n > 0 {
            Inserted::Created(credentials)
        } else {
            Inserted::EndpointFull
        })
    }

    async fn find(&self, token: &str) -> Result<Option<Registration>, StoreError> {
        let token_hash = hash(token);
        let client = self.client().await?;
        let row = client
            .query_opt(
                "SELECT kind, endpoint, p256dh, auth, retry_after_until
                 FROM push_gateway_registrations WHERE token_hash = $1",
                &[&token_hash],
            )
            .await?;
        row.map(|row| {
            registration_from_row(
                &row.try_get::<_, String>(0)?,
                &row.try_get::<_, String>(1)?,
                row.try_get(2)?,
                row.try_get(3)?,
                row.try_get(4)?,
            )
        })
        .transpose()
    }

    async fn delete_with_secret(&self, token: &str, secret: &str) -> Result<bool, StoreError> {
        let (token_hash, secret_hash) = (hash(token), hash(secret));
        let client = self.client().await?;
        let n = client
            .execute(
                "DELETE FROM push_gateway_registrations WHERE token_hash = $1 AND secret_hash = $2",
                &[&token_hash, &secret_hash],
            )
            .await?;
        Ok(n > 0)
    }

    async fn delete(&self, token: &str) -> Result<bool, StoreError> {
        let token_hash = hash(token);
        let client = self.client().await?;
        let n = client
            .execute(
                "DELETE FROM push_gateway_registrations WHERE token_hash = $1",
                &[&token_hash],
            )
            .await?;
        Ok(n > 0)
    }

    async fn set_retry_after(&self, token: &str, until: SystemTime) -> Result<(), StoreError> {
        let token_hash = hash(token);
        let client = self.client().await?;
        client
            .execute(
                "UPDATE push_gateway_registrations SET retry_after_until = $2 WHERE token_hash = $1",
                &[&token_hash, &unix_seconds(until)],
            )
            .await?;
        Ok(())
    }

    async fn clear_retry_after(&self, token: &str) -> Result<(), StoreError> {
        let token_hash = hash(token);
        let client = self.client().await?;
        client
            .execute(
                "UPDATE push_gateway_registrations SET retry_after_until = NULL
                 WHERE token_hash = $1 AND retry_after_until IS NOT NULL",
                &[&token_hash],
            )
            .await?;
        Ok(())
    }

    async fn ping(&self) -> Result<(), StoreError> {
        let client = self.client().await?;
        client
            .query_one("SELECT count(*) FROM push_gateway_schema", &[])
            .await?;
        Ok(())
    }

    async fn count(&self) -> Result<u64, StoreError> {
        let client = self.client().await?;
        let n: i64 = client
            .query_one("SELECT count(*) FROM push_gateway_registrations", &[])
            .await?
            .try_get(0)?;
        Ok(n.unsigned_abs())
    }
}
