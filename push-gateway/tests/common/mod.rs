//! What the gateway's HTTP tests share: a gateway on loopback, an app's
//! keys, a push service that answers with a fixed status.

#![allow(dead_code)] // each test binary uses its own part

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use push_gateway::egress::{Lookup, SystemLookup};
use push_gateway::{Config, Gateway};
use serde_json::{json, Value};
use web_push_native::p256::elliptic_curve::rand_core::OsRng;
use web_push_native::p256::elliptic_curve::sec1::ToEncodedPoint;
use web_push_native::p256::SecretKey;

pub struct Running {
    pub gateway: Gateway,
    pub http: reqwest::Client,
    pub dir: tempfile::TempDir,
}

pub fn http_client() -> reqwest::Client {
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_no_client_auth();
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .build()
        .unwrap()
}

pub async fn start() -> Running {
    start_with(true, "", Arc::new(SystemLookup)).await
}

/// A gateway that accepts loopback endpoints or not, with `extra` appended
/// to its config (TOML), resolving names through `lookup`.
pub async fn start_with(allow_loopback: bool, extra: &str, lookup: Arc<dyn Lookup>) -> Running {
    let dir = tempfile::tempdir().unwrap();
    let config = Config::from_toml(&format!(
        r#"
        listen = "127.0.0.1:0"
        database = "{}"
        vapid_private_key = "{}"
        vapid_subject = "mailto:admin@schule.example"
        allow_loopback_http_endpoints = {}
        {}
        "#,
        dir.path().join("registrations.sqlite").display(),
        dir.path().join("vapid.pem").display(),
        allow_loopback,
        extra,
    ))
    .unwrap();
    Running {
        gateway: Gateway::start_with_lookup(config, lookup).await.unwrap(),
        http: http_client(),
        dir,
    }
}

pub fn app_keys() -> Value {
    let secret = SecretKey::random(&mut OsRng);
    json!({
        "endpoint": "http://127.0.0.1:9/push/device",
        "p256dh": URL_SAFE_NO_PAD.encode(secret.public_key().to_encoded_point(false).as_bytes()),
        "auth": URL_SAFE_NO_PAD.encode([5u8; 16]),
    })
}

impl Running {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.gateway.url())
    }

    pub async fn register(&self, body: &Value) -> (u16, Value) {
        let response = self
            .http
            .post(self.url("/api/v1/unifiedpush/registrations"))
            .json(body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// As Mattermost sends it: JSON without a `Content-Type` header.
    pub async fn send_push(&self, body: String) -> (u16, Value) {
        let response = self
            .http
            .post(self.url("/api/v1/send_push"))
            .body(body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    pub async fn delete(&self, token: &str, secret: Option<&str>) -> u16 {
        let mut request = self
            .http
            .delete(self.url(&format!("/api/v1/unifiedpush/registrations/{token}")));
        if let Some(secret) = secret {
            request = request.bearer_auth(secret);
        }
        request.send().await.unwrap().status().as_u16()
    }
}

pub fn push_for(token: &str) -> String {
    json!({
        "platform": "android_rn-v2", "server_id": "93mykbogbjfrbbdqphx3zhze5c",
        "device_id": token, "type": "message", "post_id": "p1p1p1p1p1p1p1p1p1p1p1p1p1",
        "message": "hello", "ack_id": "a1a1a1a1a1a1a1a1a1a1a1a1a1"
    })
    .to_string()
}

/// A push service on loopback that answers every push with one status.
pub async fn push_service(
    status: u16,
    headers: &'static [(&'static str, &'static str)],
) -> (String, Arc<AtomicUsize>) {
    use axum::response::IntoResponse;
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let app = axum::Router::new().route(
        "/push/{id}",
        axum::routing::post(move || {
            let counter = counter.clone();
            async move {
                counter.fetch_add(1, Ordering::SeqCst);
                let mut response = axum::http::StatusCode::from_u16(status)
                    .unwrap()
                    .into_response();
                for (name, value) in headers {
                    response.headers_mut().insert(*name, value.parse().unwrap());
                }
                response
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/push/device", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, hits)
}

pub async fn register_at(gw: &Running, endpoint: &str) -> String {
    let mut keys = app_keys();
    keys["endpoint"] = json!(endpoint);
    let (status, body) = gw.register(&keys).await;
    assert_eq!(status, 201, "{body}");
    body["token"].as_str().unwrap().to_string()
}
