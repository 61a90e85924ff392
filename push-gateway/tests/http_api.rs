//! The gateway's HTTP API as Mattermost and the apps see it (loopback only).

mod common;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use common::{app_keys, push_for, push_service, register_at, start};
use serde_json::{json, Value};

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
    let (status, answer) = gw.register(&huge).await;
    assert_eq!(status, 413);
    assert_eq!(answer["error"], "request body too large");
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
    assert_eq!(status, 413);
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

#[tokio::test]
async fn metrics_count_outcomes_in_prometheus_text() {
    let gw = start().await;
    let (ok_endpoint, _) = push_service(201, &[]).await;
    let ok = register_at(&gw, &ok_endpoint).await;
    let (gone_endpoint, _) = push_service(410, &[]).await;
    let gone = register_at(&gw, &gone_endpoint).await;
    let (busy_endpoint, _) = push_service(403, &[]).await;
    let refused = register_at(&gw, &busy_endpoint).await;
    for token in [&ok, &ok, &gone, &refused, &"not-ours".to_string()] {
        gw.send_push(push_for(token)).await;
    }
    let response = gw.http.get(gw.url("/metrics")).send().await.unwrap();
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    let text = response.text().await.unwrap();
    let value = |series: &str| -> u64 {
        text.lines()
            .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
            .unwrap_or_else(|| panic!("{series} missing in\n{text}"))
            .parse()
            .unwrap()
    };
    assert_eq!(value("push_gateway_deliveries_total"), 2);
    assert_eq!(value("push_gateway_removals_total{reason=\"gone\"}"), 1);
    assert_eq!(value("push_gateway_removals_total{reason=\"unknown\"}"), 1);
    assert_eq!(
        value("push_gateway_delivery_failures_total{reason=\"rejected\"}"),
        1
    );
    assert_eq!(value("push_gateway_registrations_total"), 3);
    assert_eq!(value("push_gateway_queue_depth"), 0);
    assert!(!text.contains(&ok), "no tokens in metrics");
}

#[tokio::test]
async fn the_registration_api_also_answers_under_the_public_prefix() {
    let gw = start().await;
    let vapid = gw
        .http
        .get(gw.url("/pausenhof-push/api/v1/unifiedpush/vapid"))
        .send()
        .await
        .unwrap();
    assert_eq!(vapid.status().as_u16(), 200);
    let response = gw
        .http
        .post(gw.url("/pausenhof-push/api/v1/unifiedpush/registrations"))
        .json(&app_keys())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
    let body: Value = response.json().await.unwrap();
    let token = body["token"].as_str().unwrap();
    let secret = body["secret"].as_str().unwrap();
    let deleted = gw
        .http
        .delete(gw.url(&format!(
            "/pausenhof-push/api/v1/unifiedpush/registrations/{token}"
        )))
        .bearer_auth(secret)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status().as_u16(), 204);
    // Mattermost's side and monitoring are not part of the public tree.
    for path in ["/api/v1/send_push", "/api/v1/ack", "/health", "/metrics"] {
        let response = gw
            .http
            .post(gw.url(&format!("/pausenhof-push{path}")))
            .body(push_for(token))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 404, "{path}");
    }
}
