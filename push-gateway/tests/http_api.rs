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

    async fn send_push(&self, body: String) -> (u16, Value) {
        let response = self
            .http
            .post(self.url("/api/v1/send_push"))
            .header("content-type", "application/json")
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
        .json(&json!({"id": "a1", "platform": "android", "type": "message"}))
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
