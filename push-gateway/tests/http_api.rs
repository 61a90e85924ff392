//! The gateway's HTTP API as Mattermost and the apps see it (loopback only).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use push_gateway::{Config, Gateway};
use serde_json::{json, Value};
use web_push_native::p256::elliptic_curve::rand_core::OsRng;
use web_push_native::p256::elliptic_curve::sec1::ToEncodedPoint;
use web_push_native::p256::SecretKey;

struct Running {
    gateway: Gateway,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
}

fn http_client() -> reqwest::Client {
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

async fn start() -> Running {
    let dir = tempfile::tempdir().unwrap();
    let config = Config::from_toml(&format!(
        r#"
        listen = "127.0.0.1:0"
        database = "{}"
        vapid_private_key = "{}"
        vapid_subject = "mailto:admin@schule.example"
        allow_loopback_http_endpoints = true
        "#,
        dir.path().join("registrations.sqlite").display(),
        dir.path().join("vapid.pem").display(),
    ))
    .unwrap();
    Running {
        gateway: Gateway::start(config).await.unwrap(),
        http: http_client(),
        _dir: dir,
    }
}

fn app_keys() -> Value {
    let secret = SecretKey::random(&mut OsRng);
    json!({
        "endpoint": "http://127.0.0.1:9/push/device",
        "p256dh": URL_SAFE_NO_PAD.encode(secret.public_key().to_encoded_point(false).as_bytes()),
        "auth": URL_SAFE_NO_PAD.encode([5u8; 16]),
    })
}

impl Running {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.gateway.url())
    }

    async fn register(&self, body: &Value) -> (u16, Value) {
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
    async fn send_push(&self, body: String) -> (u16, Value) {
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

    async fn delete(&self, token: &str, secret: Option<&str>) -> u16 {
        let mut request = self
            .http
            .delete(self.url(&format!("/api/v1/unifiedpush/registrations/{token}")));
        if let Some(secret) = secret {
            request = request.bearer_auth(secret);
        }
        request.send().await.unwrap().status().as_u16()
    }
}

fn push_for(token: &str) -> String {
    json!({
        "platform": "android_rn-v2", "server_id": "93mykbogbjfrbbdqphx3zhze5c",
        "device_id": token, "type": "message", "post_id": "p1p1p1p1p1p1p1p1p1p1p1p1p1",
        "message": "hello", "ack_id": "a1a1a1a1a1a1a1a1a1a1a1a1a1"
    })
    .to_string()
}

#[tokio::test]
async fn health_and_vapid_key() {
    let gw = start().await;
    let health: Value = gw
        .http
        .get(gw.url("/health"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health, json!({"status": "ok"}));
    let vapid: Value = gw
        .http
        .get(gw.url("/api/v1/unifiedpush/vapid"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = URL_SAFE_NO_PAD
        .decode(vapid["public_key"].as_str().unwrap())
        .unwrap();
    assert_eq!(key.len(), 65);
    assert_eq!(key[0], 4);
}

#[tokio::test]
async fn register_then_delete_only_with_the_secret() {
    let gw = start().await;
    let (status, body) = gw.register(&app_keys()).await;
    assert_eq!(status, 201, "{body}");
    let token = body["token"].as_str().unwrap().to_string();
    let secret = body["secret"].as_str().unwrap().to_string();
    assert_eq!(token.len(), 43);

    assert_eq!(gw.delete(&token, None).await, 401);
    // What the Mattermost server knows (the token) does not authorise it.
    assert_eq!(gw.delete(&token, Some(&token)).await, 404);
    assert_eq!(gw.delete(&token, Some("wrong")).await, 404);
    assert_eq!(gw.delete(&token, Some(&secret)).await, 204);
    assert_eq!(gw.delete(&token, Some(&secret)).await, 404);

    // Once deleted, the server is told to forget the device.
    let (status, answer) = gw
        .send_push(push_for(&format!("android_rn-v2:{token}")))
        .await;
    assert_eq!(status, 200);
    assert_eq!(answer, json!({"status": "REMOVE"}));
}

#[tokio::test]
async fn bad_registrations_are_refused_with_reasons() {
    let gw = start().await;
    let mut https_only = app_keys();
    https_only["endpoint"] = json!("http://push.example/x");
    let mut bad_key = app_keys();
    bad_key["p256dh"] = json!("AAAA");
    let mut extra_field = app_keys();
    extra_field["note"] = json!("x");
    for body in [https_only, bad_key, extra_field, json!("nope"), json!({})] {
        let (status, answer) = gw.register(&body).await;
        assert_eq!(status, 400, "{body}");
        assert!(answer["error"].is_string(), "{answer}");
    }
    let huge = json!({"endpoint": "x".repeat(20_000), "p256dh": "", "auth": ""});
    let (status, _) = gw.register(&huge).await;
    assert!(status == 400 || status == 413, "{status}");
}

#[tokio::test]
async fn send_push_answers_like_the_push_proxy() {
    let gw = start().await;
    let (status, answer) = gw.send_push("{not json".into()).await;
    assert_eq!(status, 400);
    assert_eq!(answer["status"], "FAIL");
    let (status, answer) = gw.send_push(json!({"device_id": "x"}).to_string()).await;
    assert_eq!(status, 400);
    assert_eq!(answer["status"], "FAIL");
    assert_eq!(answer["error"], "missing server id");
    let (status, answer) = gw.send_push(push_for("not ours")).await;
    assert_eq!((status, answer), (200, json!({"status": "REMOVE"})));
    let (status, answer) = gw
        .send_push(push_for(
            "pausenhof-withdrawn-0123456789abcdef0123456789abcdef",
        ))
        .await;
    assert_eq!((status, answer), (200, json!({"status": "REMOVE"})));
    let oversized = format!(
        r#"{{"server_id":"s","device_id":"d","type":"message","message":"{}"}}"#,
        "x".repeat(100_000)
    );
    let (status, answer) = gw.send_push(oversized).await;
    assert_eq!(status, 400);
    assert_eq!(answer["status"], "FAIL");

    let ack = gw
        .http
        .post(gw.url("/api/v1/ack"))
        .body(json!({"id": "a1", "platform": "android", "type": "message"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(ack.status().as_u16(), 200);
    assert_eq!(ack.json::<Value>().await.unwrap(), json!({"status": "OK"}));
}

#[tokio::test]
async fn push_to_an_unreachable_endpoint_fails_without_removing() {
    let gw = start().await;
    // Port 9 on loopback: nothing listens, the connection is refused.
    let (_, body) = gw.register(&app_keys()).await;
    let token = body["token"].as_str().unwrap();
    let (status, answer) = gw.send_push(push_for(token)).await;
    assert_eq!(status, 200);
    assert_eq!(answer["status"], "FAIL");
    assert_eq!(answer["error"], "push service unreachable");
    // Still registered: a second push is not answered REMOVE.
    let (_, answer) = gw.send_push(push_for(token)).await;
    assert_eq!(answer["status"], "FAIL");
}

/// A push service on loopback that answers every push with one status.
async fn push_service(
    status: u16,
    headers: &'static [(&'static str, &'static str)],
) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use axum::response::IntoResponse;
    let hits = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = hits.clone();
    let app = axum::Router::new().route(
        "/push/{id}",
        axum::routing::post(move || {
            let counter = counter.clone();
            async move {
                counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
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

async fn register_at(gw: &Running, endpoint: &str) -> String {
    let mut keys = app_keys();
    keys["endpoint"] = json!(endpoint);
    let (status, body) = gw.register(&keys).await;
    assert_eq!(status, 201, "{body}");
    body["token"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_long_rate_limit_is_remembered_and_not_hammered() {
    let gw = start().await;
    let (endpoint, hits) = push_service(429, &[("retry-after", "3600")]).await;
    let token = register_at(&gw, &endpoint).await;
    let (_, answer) = gw.send_push(push_for(&token)).await;
    assert_eq!(
        answer,
        json!({"status": "FAIL", "error": "push service rate limit"})
    );
    // The pause is stored with the registration: the next push is not
    // even tried, and the registration is kept.
    let (_, answer) = gw.send_push(push_for(&token)).await;
    assert_eq!(answer["status"], "FAIL");
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 1);
}

#[tokio::test]
async fn too_large_and_redirects_fail_and_keep_the_registration() {
    let gw = start().await;
    for (status, headers, error) in [
        (413u16, &[][..], "push too large for the push service"),
        (
            301,
            &[("location", "http://127.0.0.1:9/elsewhere")][..],
            "push service redirected",
        ),
        (403, &[][..], "push service refused the push"),
    ] {
        let (endpoint, hits) = push_service(status, headers).await;
        let token = register_at(&gw, &endpoint).await;
        for attempt in 1..=2 {
            let (_, answer) = gw.send_push(push_for(&token)).await;
            assert_eq!(
                answer,
                json!({"status": "FAIL", "error": error}),
                "{status}"
            );
            assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), attempt);
        }
    }
}

#[tokio::test]
async fn gone_endpoints_are_removed_once_and_for_all() {
    let gw = start().await;
    let (endpoint, hits) = push_service(410, &[]).await;
    let token = register_at(&gw, &endpoint).await;
    let (_, answer) = gw.send_push(push_for(&token)).await;
    assert_eq!(answer, json!({"status": "REMOVE"}));
    let (_, answer) = gw.send_push(push_for(&token)).await;
    assert_eq!(answer, json!({"status": "REMOVE"}));
    // The second answer came from the database, not the push service.
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 1);
}

/// Collects log output of the current thread.
#[derive(Clone, Default)]
struct LogBuffer(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for LogBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn logs_name_no_token_secret_endpoint_or_key() {
    use tracing_subscriber::util::SubscriberInitExt;
    let buffer = LogBuffer::default();
    let writer = buffer.clone();
    // Global, with the `log` bridge, so reqwest's and hyper's records at
    // every level are checked too (other tests of this binary add theirs).
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish()
        .try_init()
        .expect("the only subscriber of this test binary");

    let gw = start().await;
    let mut keys = app_keys();
    let (ok_endpoint, _) = push_service(201, &[]).await;
    keys["endpoint"] = json!(ok_endpoint);
    let (_, body) = gw.register(&keys).await;
    let token = body["token"].as_str().unwrap().to_string();
    let secret = body["secret"].as_str().unwrap().to_string();
    assert_eq!(gw.send_push(push_for(&token)).await.1["status"], "OK");
    let (gone_endpoint, _) = push_service(410, &[]).await;
    let gone_token = register_at(&gw, &gone_endpoint).await;
    assert_eq!(
        gw.send_push(push_for(&gone_token)).await.1["status"],
        "REMOVE"
    );
    assert_eq!(gw.delete(&token, Some(&secret)).await, 204);

    let logs = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("push handled"), "logging is captured: {logs}");
    for secret_value in [
        token.as_str(),
        secret.as_str(),
        gone_token.as_str(),
        "/push/device",
        keys["p256dh"].as_str().unwrap(),
        keys["auth"].as_str().unwrap(),
        "hello",
    ] {
        assert!(!logs.contains(secret_value), "logs contain {secret_value}");
    }
}
