//! The same store tests on SQLite and on PostgreSQL.
//!
//! PostgreSQL runs when `PUSH_GATEWAY_TEST_POSTGRES` holds a database URL
//! (`cargo xtask test` starts a throwaway cluster and sets it); each test
//! gets a schema of its own. Without the variable the PostgreSQL tests say
//! so and pass.

use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use push_gateway::store::{
    ApnsTarget, Credentials, Inserted, PostgresStore, RegistrationStore, SqliteStore, StoreError,
    Target, WebPushTarget,
};
use url::Url;

pub const POSTGRES_URL_VARIABLE: &str = "PUSH_GATEWAY_TEST_POSTGRES";

fn endpoint(n: usize) -> Url {
    Url::parse(&format!("https://push.example/up/device-{n}")).unwrap()
}

fn web_push(n: usize) -> Target {
    Target::WebPush(WebPushTarget {
        endpoint: endpoint(n),
        p256dh: vec![4; 65],
        auth: [7; 16],
    })
}

fn apns(n: usize) -> Target {
    Target::Apns(ApnsTarget {
        device_token: format!("{n:064x}"),
    })
}

async fn created<S: RegistrationStore>(store: &S, n: usize) -> Credentials {
    match store.insert(web_push(n), 100).await.unwrap() {
        Inserted::Created(credentials) => credentials,
        Inserted::EndpointFull => panic!("endpoint full"),
    }
}

// ---------------------------------------------------------------- the suite

async fn insert_find_and_delete_with_secret<S: RegistrationStore>(store: S) {
    let creds = created(&store, 1).await;
    let found = store.find(&creds.token).await.unwrap().unwrap();
    assert_eq!(found.target, web_push(1));
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

async fn one_registrations_secret_deletes_no_other<S: RegistrationStore>(store: S) {
    let alice = created(&store, 1).await;
    let mallory = created(&store, 2).await;
    assert!(!store
        .delete_with_secret(&alice.token, &mallory.secret)
        .await
        .unwrap());
    assert!(store.find(&alice.token).await.unwrap().is_some());
    assert_eq!(store.count().await.unwrap(), 2);
}

async fn tokens_are_unique_and_unknown_tokens_are_not_found<S: RegistrationStore>(store: S) {
    let a = created(&store, 1).await;
    let b = created(&store, 1).await;
    assert_ne!(a.token, b.token);
    assert!(store.find("not-a-token").await.unwrap().is_none());
    assert!(store.delete(&a.token).await.unwrap());
    assert!(!store.delete(&a.token).await.unwrap());
    assert!(store.find(&b.token).await.unwrap().is_some());
}

async fn retry_after_is_remembered_and_cleared<S: RegistrationStore>(store: S) {
    let creds = created(&store, 1).await;
    let until = UNIX_EPOCH + Duration::from_secs(2_000_000_000);
    store.set_retry_after(&creds.token, until).await.unwrap();
    let found = store.find(&creds.token).await.unwrap().unwrap();
    assert_eq!(found.retry_after_until, Some(until));
    store.clear_retry_after(&creds.token).await.unwrap();
    let found = store.find(&creds.token).await.unwrap().unwrap();
    assert_eq!(found.retry_after_until, None);
}

async fn an_endpoint_takes_only_so_many_registrations<S: RegistrationStore>(store: S) {
    for _ in 0..2 {
        let inserted = store.insert(web_push(1), 2).await.unwrap();
        assert!(matches!(inserted, Inserted::Created(_)));
    }
    let third = store.insert(web_push(1), 2).await.unwrap();
    assert!(matches!(third, Inserted::EndpointFull));
    let other = store.insert(web_push(2), 2).await.unwrap();
    assert!(matches!(other, Inserted::Created(_)));
    assert_eq!(store.count().await.unwrap(), 3);
}

async fn apns_registrations_live_beside_web_push<S: RegistrationStore>(store: S) {
    let web = created(&store, 1).await;
    let Inserted::Created(phone) = store.insert(apns(1), 2).await.unwrap() else {
        panic!("endpoint full");
    };
    let found = store.find(&phone.token).await.unwrap().unwrap();
    assert_eq!(found.target, apns(1));
    assert_eq!(
        store.find(&web.token).await.unwrap().unwrap().target,
        web_push(1)
    );
    // The device token is what the per-endpoint limit counts.
    assert!(matches!(
        store.insert(apns(1), 2).await.unwrap(),
        Inserted::Created(_)
    ));
    assert!(matches!(
        store.insert(apns(1), 2).await.unwrap(),
        Inserted::EndpointFull
    ));
    let until = UNIX_EPOCH + Duration::from_secs(2_000_000_000);
    store.set_retry_after(&phone.token, until).await.unwrap();
    assert_eq!(
        store
            .find(&phone.token)
            .await
            .unwrap()
            .unwrap()
            .retry_after_until,
        Some(until)
    );
    assert!(store.delete(&phone.token).await.unwrap());
    assert!(store.find(&phone.token).await.unwrap().is_none());
    assert_eq!(store.count().await.unwrap(), 2);
}

async fn concurrent_inserts_are_neither_lost_nor_duplicated<S: RegistrationStore + 'static>(
    store: S,
) {
    let store = Arc::new(store);
    let tasks: Vec<_> = (0..64)
        .map(|n| {
            let store = store.clone();
            tokio::spawn(async move { created(store.as_ref(), n).await })
        })
        .collect();
    let mut tokens = Vec::new();
    for task in tasks {
        tokens.push(task.await.unwrap().token);
    }
    assert_eq!(store.count().await.unwrap(), 64);
    for (n, token) in tokens.iter().enumerate() {
        let found = store.find(token).await.unwrap().unwrap();
        assert_eq!(found.target, web_push(n));
    }
    store.ping().await.unwrap();
}

// ---------------------------------------------------------------- SQLite

mod sqlite {
    use super::*;

    fn store() -> SqliteStore {
        SqliteStore::open_in_memory().unwrap()
    }

    #[tokio::test]
    async fn insert_find_and_delete_with_secret() {
        super::insert_find_and_delete_with_secret(store()).await;
    }

    #[tokio::test]
    async fn one_registrations_secret_deletes_no_other() {
        super::one_registrations_secret_deletes_no_other(store()).await;
    }

    #[tokio::test]
    async fn tokens_are_unique_and_unknown_tokens_are_not_found() {
        super::tokens_are_unique_and_unknown_tokens_are_not_found(store()).await;
    }

    #[tokio::test]
    async fn retry_after_is_remembered_and_cleared() {
        super::retry_after_is_remembered_and_cleared(store()).await;
    }

    #[tokio::test]
    async fn an_endpoint_takes_only_so_many_registrations() {
        super::an_endpoint_takes_only_so_many_registrations(store()).await;
    }

    #[tokio::test]
    async fn apns_registrations_live_beside_web_push() {
        super::apns_registrations_live_beside_web_push(store()).await;
    }

    #[tokio::test]
    async fn concurrent_inserts_are_neither_lost_nor_duplicated() {
        super::concurrent_inserts_are_neither_lost_nor_duplicated(store()).await;
    }

    #[tokio::test]
    async fn reopening_migrates_once_and_keeps_everything() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.sqlite");
        let token = created(&SqliteStore::open(&path).unwrap(), 1).await.token;
        let reopened = SqliteStore::open(&path).unwrap();
        assert!(reopened.find(&token).await.unwrap().is_some());
        assert_eq!(reopened.count().await.unwrap(), 1);
    }
}

// ---------------------------------------------------------------- PostgreSQL

mod postgres {
    use super::*;

    /// A database URL whose connections work in a fresh schema of their
    /// own, or `None` (with a note) when no PostgreSQL is configured.
    pub async fn isolated_url() -> Option<String> {
        let Ok(base) = std::env::var(POSTGRES_URL_VARIABLE) else {
            eprintln!(
                "PostgreSQL store tests skipped: {POSTGRES_URL_VARIABLE} is not set \
                 (cargo xtask test sets it)"
            );
            return None;
        };
        let schema = format!("gw_test_{:016x}", rand_suffix());
        let (client, connection) = tokio_postgres::connect(&base, tokio_postgres::NoTls)
            .await
            .expect("the PostgreSQL named by the variable answers");
        tokio::spawn(connection);
        client
            .batch_execute(&format!("CREATE SCHEMA {schema}"))
            .await
            .unwrap();
        let separator = if base.contains('?') { '&' } else { '?' };
        Some(format!(
            "{base}{separator}options=-c%20search_path%3D{schema}"
        ))
    }

    fn rand_suffix() -> u64 {
        use std::hash::{BuildHasher, Hasher};
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u128(
            std::time::SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_nanos(),
        );
        hasher.finish()
    }

    async fn store() -> Option<PostgresStore> {
        let url = isolated_url().await?;
        Some(PostgresStore::connect(&url).await.unwrap())
    }

    #[tokio::test]
    async fn insert_find_and_delete_with_secret() {
        if let Some(store) = store().await {
            super::insert_find_and_delete_with_secret(store).await;
        }
    }

    #[tokio::test]
    async fn one_registrations_secret_deletes_no_other() {
        if let Some(store) = store().await {
            super::one_registrations_secret_deletes_no_other(store).await;
        }
    }

    #[tokio::test]
    async fn tokens_are_unique_and_unknown_tokens_are_not_found() {
        if let Some(store) = store().await {
            super::tokens_are_unique_and_unknown_tokens_are_not_found(store).await;
        }
    }

    #[tokio::test]
    async fn retry_after_is_remembered_and_cleared() {
        if let Some(store) = store().await {
            super::retry_after_is_remembered_and_cleared(store).await;
        }
    }

    #[tokio::test]
    async fn an_endpoint_takes_only_so_many_registrations() {
        if let Some(store) = store().await {
            super::an_endpoint_takes_only_so_many_registrations(store).await;
        }
    }

    #[tokio::test]
    async fn apns_registrations_live_beside_web_push() {
        if let Some(store) = store().await {
            super::apns_registrations_live_beside_web_push(store).await;
        }
    }

    #[tokio::test]
    async fn concurrent_inserts_are_neither_lost_nor_duplicated() {
        if let Some(store) = store().await {
            super::concurrent_inserts_are_neither_lost_nor_duplicated(store).await;
        }
    }

    #[tokio::test]
    async fn reopening_migrates_once_and_keeps_everything() {
        let Some(url) = isolated_url().await else {
            return;
        };
        // Two instances starting at once both migrate safely.
        let (first, second) =
            tokio::join!(PostgresStore::connect(&url), PostgresStore::connect(&url));
        let token = created(&first.unwrap(), 1).await.token;
        let second = second.unwrap();
        assert!(second.find(&token).await.unwrap().is_some());
        let reopened = PostgresStore::connect(&url).await.unwrap();
        assert_eq!(reopened.count().await.unwrap(), 1);
    }

    #[tokio::test]
    async fn a_schema_one_database_keeps_its_registrations_as_web_push() {
        use sha2::{Digest, Sha256};
        let Some(url) = isolated_url().await else {
            return;
        };
        let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(connection);
        client
            .batch_execute(
                "CREATE TABLE push_gateway_schema (version INTEGER NOT NULL);
                 INSERT INTO push_gateway_schema (version) VALUES (1);
                 CREATE TABLE push_gateway_registrations (
                     token_hash BYTEA PRIMARY KEY, secret_hash BYTEA NOT NULL,
                     endpoint TEXT NOT NULL, p256dh BYTEA NOT NULL, auth BYTEA NOT NULL,
                     created_at BIGINT NOT NULL, retry_after_until BIGINT);",
            )
            .await
            .unwrap();
        client
            .execute(
                "INSERT INTO push_gateway_registrations
                     (token_hash, secret_hash, endpoint, p256dh, auth, created_at)
                 VALUES ($1, $2, $3, $4, $5, 0)",
                &[
                    &Sha256::digest(b"old-token").to_vec(),
                    &vec![0u8],
                    &endpoint(1).as_str(),
                    &vec![4u8; 65],
                    &vec![7u8; 16],
                ],
            )
            .await
            .unwrap();
        let store = PostgresStore::connect(&url).await.unwrap();
        let found = store.find("old-token").await.unwrap().unwrap();
        assert_eq!(found.target, web_push(1));
        assert!(matches!(
            store.insert(apns(1), 5).await.unwrap(),
            Inserted::Created(_)
        ));
    }

    #[tokio::test]
    async fn an_unreachable_database_is_a_typed_error() {
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = closed.local_addr().unwrap().port();
        drop(closed);
        let url = format!("postgres://gateway@127.0.0.1:{port}/push?connect_timeout=2");
        assert!(matches!(
            PostgresStore::connect(&url).await,
            Err(StoreError::Postgres(_))
        ));
    }
}
