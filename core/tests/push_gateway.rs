//! UnifiedPush through the school's gateway, the core's half: the
//! distributor's endpoint is registered at the gateway only after consent,
//! the gateway's token becomes the device id, and the secret that deletes
//! the registration stays in the core, which deletes it on a new endpoint,
//! on withdrawal (also when owed from an offline moment or another
//! process) and at sign-out. The gateway here is a small fake that keeps
//! registrations and checks the secret; the real one is exercised by the
//! `push_through_the_gateway` scenario.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use pausenhof_core::push::{Delivery, UnifiedPushEndpoint};
use pausenhof_core::session::MemorySecretStore;
use pausenhof_core::{Client, Error};
use pausenhof_testserver::{Role, ServerConfig, TestServer};
use serde_json::{json, Value};

#[derive(Default)]
struct FakeGateway {
    /// token → (secret, endpoint)
    registrations: Mutex<HashMap<String, (String, String)>>,
    issued: AtomicUsize,
    /// Deletions with a wrong secret.
    refused_deletes: AtomicUsize,
    down: AtomicBool,
}

impl FakeGateway {
    fn endpoints(&self) -> Vec<String> {
        let mut endpoints: Vec<String> = self
            .registrations
            .lock()
            .unwrap()
            .values()
            .map(|(_, endpoint)| endpoint.clone())
            .collect();
        endpoints.sort();
        endpoints
    }
}

async fn register(
    State(gateway): State<Arc<FakeGateway>>,
    Json(body): Json<Value>,
) -> (StatusCode, Json<Value>) {
    if gateway.down.load(Ordering::SeqCst) {
        return (StatusCode::SERVICE_UNAVAILABLE, Json(json!({})));
    }
    let (Some(endpoint), Some(_), Some(_)) = (
        body["endpoint"].as_str(),
        body["p256dh"].as_str(),
        body["auth"].as_str(),
    ) else {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "missing field"})),
        );
    };
    if !endpoint.starts_with("https://") {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "endpoint must be https"})),
        );
    }
    let n = gateway.issued.fetch_add(1, Ordering::SeqCst) + 1;
    let (token, secret) = (format!("gw{n}"), format!("secret-{n}"));
    gateway
        .registrations
        .lock()
        .unwrap()
        .insert(token.clone(), (secret.clone(), endpoint.to_owned()));
    (
        StatusCode::CREATED,
        Json(json!({"token": token, "secret": secret})),
    )
}

/// `POST /api/v1/apns/registrations`: an iOS install's device token.
async fn register_apns(
    State(gateway): State<Arc<FakeGateway>>,
    Json(body): Json<Value>,
) -> (StatusCode, Json<Value>) {
    let Some(token) = body["device_token"].as_str() else {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "missing device_token"})),
        );
    };
    let n = gateway.issued.fetch_add(1, Ordering::SeqCst) + 1;
    let (gateway_token, secret) = (format!("gw{n}"), format!("secret-{n}"));
    gateway.registrations.lock().unwrap().insert(
        gateway_token.clone(),
        (secret.clone(), format!("apns:{token}")),
    );
    (
        StatusCode::CREATED,
        Json(json!({"token": gateway_token, "secret": secret})),
    )
}

async fn unregister(
    State(gateway): State<Arc<FakeGateway>>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> StatusCode {
    if gateway.down.load(Ordering::SeqCst) {
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    let bearer = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default()
        .to_owned();
    let mut registrations = gateway.registrations.lock().unwrap();
    match registrations.get(&token) {
        None => StatusCode::NOT_FOUND,
        Some((secret, _)) if *secret != bearer => {
            gateway.refused_deletes.fetch_add(1, Ordering::SeqCst);
            StatusCode::UNAUTHORIZED
        }
        Some(_) => {
            registrations.remove(&token);
            StatusCode::NO_CONTENT
        }
    }
}

async fn start_gateway() -> (String, Arc<FakeGateway>) {
    let gateway = Arc::new(FakeGateway::default());
    let app = Router::new()
        .route("/gw/api/v1/unifiedpush/registrations", post(register))
        .route(
            "/gw/api/v1/unifiedpush/registrations/{token}",
            delete(unregister),
        )
        .route("/gw/api/v1/apns/registrations", post(register_apns))
        .route(
            "/gw/api/v1/unifiedpush/vapid",
            get(|| async { Json(json!({"public_key": "BPublicVapidKey"})) }),
        )
        .with_state(gateway.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/gw", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, gateway)
}

fn endpoint(name: &str) -> UnifiedPushEndpoint {
    UnifiedPushEndpoint {
        url: format!("https://up.example/push/{name}"),
        p256dh: "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM"
            .into(),
        auth: "tBHItJI5svbpez7KI4CCXg".into(),
    }
}

struct Phone {
    dir: tempfile::TempDir,
    secrets: Arc<MemorySecretStore>,
    gateway_url: String,
}

impl Phone {
    fn new(gateway_url: &str) -> Phone {
        Phone {
            dir: tempfile::tempdir().unwrap(),
            secrets: Arc::new(MemorySecretStore::new()),
            gateway_url: gateway_url.to_owned(),
        }
    }

    /// A client as the app builds it in a new process.
    fn client(&self) -> Client {
        Client::builder(self.dir.path())
            .secret_store(self.secrets.clone())
            .push_gateway(&self.gateway_url)
            .unwrap()
            .build()
            .unwrap()
    }
}

/// The student signed in on `client`, with consent to UnifiedPush.
async fn sign_in_and_consent(client: &Client, server: &TestServer) {
    let me = server.account(Role::Student);
    client
        .sign_in_with_password(&server.url(), &me.username, &me.password, None)
        .await
        .unwrap();
    client
        .grant_push_consent(Delivery::UnifiedPush, "2026-12")
        .await
        .unwrap();
}

/// The device ids on the user's server sessions.
async fn session_device_ids(client: &Client) -> Vec<String> {
    let me = client.current_user().unwrap();
    let sessions: Vec<Value> = client
        .api()
        .unwrap()
        .get(&format!("/users/{}/sessions", me.id), &[])
        .await
        .unwrap();
    sessions
        .iter()
        .filter_map(|s| s["device_id"].as_str())
        .filter(|id| !id.is_empty())
        .map(str::to_owned)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gateway_hears_nothing_before_consent_and_forgets_on_new_endpoint_and_withdrawal() {
    let server = TestServer::start(ServerConfig::default()).await.unwrap();
    let me = server.account(Role::Student);
    let (gateway_url, gateway) = start_gateway().await;
    let phone = Phone::new(&gateway_url);
    let client = phone.client();
    client
        .sign_in_with_password(&server.url(), &me.username, &me.password, None)
        .await
        .unwrap();

    let refused = client.register_unified_push(endpoint("a")).await;
    assert!(matches!(refused, Err(Error::InvalidInput { .. })));
    client
        .grant_push_consent(Delivery::PlatformPush, "2026-12")
        .await
        .unwrap();
    assert!(client.register_unified_push(endpoint("a")).await.is_err());
    assert_eq!(gateway.issued.load(Ordering::SeqCst), 0);

    client
        .grant_push_consent(Delivery::UnifiedPush, "2026-12")
        .await
        .unwrap();
    let status = client.register_unified_push(endpoint("a")).await.unwrap();
    assert!(status.registered.unwrap().attached);
    assert_eq!(gateway.endpoints(), ["https://up.example/push/a"]);
    assert_eq!(session_device_ids(&client).await, ["android_rn-v2:gw1"]);
    // The distributor repeats the endpoint (after its restart): nothing
    // changes at the gateway.
    client.register_unified_push(endpoint("a")).await.unwrap();
    assert_eq!(gateway.issued.load(Ordering::SeqCst), 1);
    assert_eq!(session_device_ids(&client).await, ["android_rn-v2:gw1"]);

    // The distributor moved the app to a new endpoint: the old
    // registration is deleted with its own secret.
    client.register_unified_push(endpoint("b")).await.unwrap();
    assert_eq!(gateway.endpoints(), ["https://up.example/push/b"]);
    assert_eq!(session_device_ids(&client).await, ["android_rn-v2:gw2"]);
    assert_eq!(gateway.refused_deletes.load(Ordering::SeqCst), 0);

    // Withdrawn while the gateway is down: owed, and done once it is back,
    // by the next process.
    gateway.down.store(true, Ordering::SeqCst);
    let status = client.withdraw_push_consent().await.unwrap();
    assert_eq!(status.teardowns_pending, 1);
    assert_eq!(gateway.endpoints(), ["https://up.example/push/b"]);
    drop(client);
    gateway.down.store(false, Ordering::SeqCst);
    let restarted = phone.client();
    restarted.restore().await.unwrap().unwrap();
    let status = restarted.sync_push_registration().await.unwrap();
    assert_eq!(status.teardowns_pending, 0);
    assert!(gateway.endpoints().is_empty());
    assert_eq!(gateway.refused_deletes.load(Ordering::SeqCst), 0);
}

/// iOS: the APNs device token goes to the gateway (never to the server)
/// only after consent to platform push; the session carries the gateway's
/// token; a new token replaces the registration; withdrawal deletes it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_apns_token_reaches_only_the_gateway_and_only_after_consent() {
    let server = TestServer::start(ServerConfig::default()).await.unwrap();
    let me = server.account(Role::Student);
    let (gateway_url, gateway) = start_gateway().await;
    let client = Phone::new(&gateway_url).client();
    client
        .sign_in_with_password(&server.url(), &me.username, &me.password, None)
        .await
        .unwrap();
    let (first, second) = ("ab".repeat(32), "CD".repeat(32));

    let refused = client.register_apns_token(&first).await;
    assert!(
        matches!(refused, Err(Error::InvalidInput { .. })),
        "{refused:?}"
    );
    client
        .grant_push_consent(Delivery::UnifiedPush, "2026-12")
        .await
        .unwrap();
    assert!(client.register_apns_token(&first).await.is_err());
    client
        .grant_push_consent(Delivery::PlatformPush, "2026-12")
        .await
        .unwrap();
    for hostile in [
        "",
        "zz".repeat(32).as_str(),
        &"ab".repeat(31),
        &"a".repeat(65),
    ] {
        let refused = client.register_apns_token(hostile).await;
        assert!(
            matches!(refused, Err(Error::InvalidInput { .. })),
            "{hostile:?}"
        );
    }
    assert_eq!(gateway.issued.load(Ordering::SeqCst), 0);

    let status = client.register_apns_token(&first).await.unwrap();
    assert!(status.registered.unwrap().attached);
    assert_eq!(gateway.endpoints(), [format!("apns:{first}")]);
    assert_eq!(session_device_ids(&client).await, ["apple_rn-v2:gw1"]);
    client.register_apns_token(&first).await.unwrap();
    assert_eq!(
        gateway.issued.load(Ordering::SeqCst),
        1,
        "a repeated token stands"
    );

    client.register_apns_token(&second).await.unwrap();
    assert_eq!(
        gateway.endpoints(),
        [format!("apns:{}", second.to_lowercase())]
    );
    assert_eq!(session_device_ids(&client).await, ["apple_rn-v2:gw2"]);

    let status = client.withdraw_push_consent().await.unwrap();
    assert_eq!(status.teardowns_pending, 0);
    assert!(gateway.endpoints().is_empty());
    // The session keeps a placeholder nobody serves, never the old token.
    let ids = session_device_ids(&client).await;
    assert!(ids.iter().all(|id| !id.contains("gw")), "{ids:?}");
    assert_eq!(gateway.refused_deletes.load(Ordering::SeqCst), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_out_deletes_the_gateway_registration() {
    let server = TestServer::start(ServerConfig::default()).await.unwrap();
    let (gateway_url, gateway) = start_gateway().await;
    let phone = Phone::new(&gateway_url);
    let client = phone.client();
    sign_in_and_consent(&client, &server).await;
    client.register_unified_push(endpoint("a")).await.unwrap();
    assert_eq!(
        client.push_gateway_vapid_key().await.unwrap(),
        "BPublicVapidKey"
    );
    assert_eq!(gateway.endpoints().len(), 1);

    client.sign_out().await.unwrap();
    assert!(gateway.endpoints().is_empty());
    assert_eq!(gateway.refused_deletes.load(Ordering::SeqCst), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_without_a_gateway_says_so() {
    let server = TestServer::start(ServerConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    // No gateway configured: the core looks below the server address,
    // where this server has none.
    let client = Client::builder(dir.path())
        .secret_store(Arc::new(MemorySecretStore::new()))
        .build()
        .unwrap();
    sign_in_and_consent(&client, &server).await;
    let error = client
        .register_unified_push(endpoint("a"))
        .await
        .unwrap_err();
    let Error::PushGatewayMissing { address } = error else {
        panic!("expected PushGatewayMissing, got {error:?}");
    };
    assert_eq!(address, format!("{}/pausenhof-push/", server.url()));
    assert!(session_device_ids(&client).await.is_empty());
    // The gateway refusing the endpoint is the user's input error.
    let (gateway_url, _gateway) = start_gateway().await;
    let phone = Phone::new(&gateway_url);
    let client = phone.client();
    sign_in_and_consent(&client, &server).await;
    let mut insecure = endpoint("a");
    insecure.url = "http://up.example/push/a".into();
    let error = client.register_unified_push(insecure).await.unwrap_err();
    assert!(
        matches!(&error, Error::InvalidInput { reason } if reason.contains("https")),
        "{error:?}"
    );
}
