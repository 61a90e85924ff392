//! APNs delivery against a loopback APNs: HTTP/2 without TLS (h2c), the
//! same requests the gateway sends to Apple, answered from a script.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Version};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use common::Running;
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use p256::elliptic_curve::rand_core::OsRng;
use p256::pkcs8::{EncodePrivateKey, LineEnding};
use push_gateway::egress::SystemLookup;
use serde_json::{json, Value};

const KEY_ID: &str = "ABC123DEFG";
const TEAM_ID: &str = "TEAM123456";
const TOPIC: &str = "de.pausenhof.app";

type Answer = (u16, &'static str, Option<&'static str>);

struct Seen {
    at: Instant,
    version: Version,
    device: String,
    headers: HeaderMap,
    body: Vec<u8>,
}

#[derive(Clone, Default)]
struct Script {
    /// (status, reason, Retry-After) answered in order; then 200.
    answers: Arc<Mutex<Vec<Answer>>>,
    seen: Arc<Mutex<Vec<Seen>>>,
    /// Every answer waits this long first (a slow APNs).
    delay: Arc<Mutex<Duration>>,
}

async fn device(
    State(script): State<Script>,
    Path(device): Path<String>,
    version: Version,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    script.seen.lock().unwrap().push(Seen {
        at: Instant::now(),
        version,
        device,
        headers,
        body: body.to_vec(),
    });
    let delay = *script.delay.lock().unwrap();
    tokio::time::sleep(delay).await;
    let next = {
        let mut answers = script.answers.lock().unwrap();
        (!answers.is_empty()).then(|| answers.remove(0))
    };
    match next {
        None => StatusCode::OK.into_response(),
        Some((status, reason, retry_after)) => {
            let mut response = (
                StatusCode::from_u16(status).unwrap(),
                axum::Json(json!({ "reason": reason })),
            )
                .into_response();
            if let Some(seconds) = retry_after {
                response
                    .headers_mut()
                    .insert("retry-after", seconds.parse().unwrap());
            }
            response
        }
    }
}

struct Apns {
    script: Script,
    base: String,
    key: SigningKey,
}

impl Apns {
    async fn start() -> Apns {
        let script = Script::default();
        let app = axum::Router::new()
            .route("/3/device/{device}", axum::routing::post(device))
            .with_state(script.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Apns {
            script,
            base,
            key: SigningKey::random(&mut OsRng),
        }
    }

    fn answer(&self, status: u16, reason: &'static str) {
        self.script
            .answers
            .lock()
            .unwrap()
            .push((status, reason, None));
    }

    fn requests(&self) -> usize {
        self.script.seen.lock().unwrap().len()
    }

    /// A gateway whose `[apns]` points here, with `delivery` settings.
    async fn gateway(&self, delivery: &str) -> Running {
        let key_dir = tempfile::tempdir().unwrap();
        let key_path = key_dir.path().join(format!("AuthKey_{KEY_ID}.p8"));
        let pem = self.key.to_pkcs8_pem(LineEnding::LF).unwrap();
        std::fs::write(&key_path, pem.as_bytes()).unwrap();
        let extra = format!(
            "[delivery]\n{delivery}\n\
             [apns]\nkey = \"{}\"\nkey_id = \"{KEY_ID}\"\nteam_id = \"{TEAM_ID}\"\n\
             topic = \"{TOPIC}\"\nbase_url = \"{}\"\n",
            key_path.display(),
            self.base
        );
        let running = common::start_with(true, &extra, Arc::new(SystemLookup)).await;
        // The key is read at start; the gateway keeps no path to it open.
        drop(key_dir);
        running
    }
}

fn device_token(n: u8) -> String {
    format!("{n:02x}").repeat(32)
}

async fn register_apns(gw: &Running, body: Value) -> (u16, Value) {
    let response = gw
        .http
        .post(gw.url("/api/v1/apns/registrations"))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn registered(gw: &Running, n: u8) -> String {
    let (status, body) = register_apns(gw, json!({ "device_token": device_token(n) })).await;
    assert_eq!(status, 201, "{body}");
    body["token"].as_str().unwrap().to_owned()
}

/// What Mattermost sends with "full message contents" on.
fn message_push(token: &str) -> String {
    json!({
        "platform": "apple_rn-v2", "server_id": "93mykbogbjfrbbdqphx3zhze5c",
        "device_id": format!("apple_rn-v2:{token}"), "type": "message",
        "post_id": "p1p1p1p1p1p1p1p1p1p1p1p1p1", "channel_id": "c1c1c1c1c1c1c1c1c1c1c1c1c1",
        "team_id": "t1t1t1t1t1t1t1t1t1t1t1t1t1", "ack_id": "a1a1a1a1a1a1a1a1a1a1a1a1a1",
        "message": "Die Mathearbeit wird verschoben", "sender_name": "Frau Schulz",
        "channel_name": "Klasse 7b", "sender_id": "s1s1s1s1s1s1s1s1s1s1s1s1s1",
        "badge": 2, "version": "v2"
    })
    .to_string()
}

fn decode(part: &str) -> Value {
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

#[tokio::test]
async fn a_message_reaches_apns_as_a_mutable_alert_with_ids_only() {
    let apns = Apns::start().await;
    let gw = apns.gateway("").await;
    let token = registered(&gw, 1).await;
    let before = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let (status, answer) = gw.send_push(message_push(&token)).await;
    assert_eq!((status, answer), (200, json!({"status": "OK"})));

    {
        let seen = apns.script.seen.lock().unwrap();
        let request = &seen[0];
        assert_eq!(request.version, Version::HTTP_2);
        assert_eq!(request.device, device_token(1));
        let headers = &request.headers;
        assert_eq!(headers["apns-push-type"], "alert");
        assert_eq!(headers["apns-topic"], TOPIC);
        assert_eq!(headers["apns-priority"], "10");
        let expiration: u64 = headers["apns-expiration"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(
            expiration >= before + 86_000,
            "a day to reach an offline iPad"
        );

        // The provider token: ES256 by the publisher's key, kid and iss as
        // configured, issued now.
        let authorization = headers["authorization"].to_str().unwrap();
        let jwt = authorization.strip_prefix("bearer ").unwrap();
        let parts: Vec<&str> = jwt.split('.').collect();
        assert_eq!(decode(parts[0]), json!({"alg": "ES256", "kid": KEY_ID}));
        let claims = decode(parts[1]);
        assert_eq!(claims["iss"], TEAM_ID);
        let iat = claims["iat"].as_u64().unwrap();
        assert!(
            (before.saturating_sub(5)..=before + 5).contains(&iat),
            "{iat}"
        );
        assert_eq!(claims.as_object().unwrap().len(), 2);
        let signature = Signature::from_slice(&URL_SAFE_NO_PAD.decode(parts[2]).unwrap()).unwrap();
        VerifyingKey::from(&apns.key)
            .verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &signature)
            .expect("signed with the publisher's key");

        let text = String::from_utf8(request.body.clone()).unwrap();
        for leaked in [
            "Mathearbeit",
            "Schulz",
            "Klasse",
            "s1s1s1",
            "apple_rn",
            &token,
        ] {
            assert!(!text.contains(leaked), "{leaked} in {text}");
        }
        let body: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            body,
            json!({
                "aps": {
                    "alert": {"loc-key": "notification_new_message"},
                    "mutable-content": 1,
                    "sound": "default",
                    "badge": 2
                },
                "type": "message",
                "version": "v2",
                "server_id": "93mykbogbjfrbbdqphx3zhze5c",
                "ack_id": "a1a1a1a1a1a1a1a1a1a1a1a1a1",
                "team_id": "t1t1t1t1t1t1t1t1t1t1t1t1t1",
                "channel_id": "c1c1c1c1c1c1c1c1c1c1c1c1c1",
                "post_id": "p1p1p1p1p1p1p1p1p1p1p1p1p1",
                "badge": 2
            })
        );
    }

    // The next push reuses the provider token (Apple refuses renewals
    // more often than every 20 minutes).
    let (_, answer) = gw.send_push(message_push(&token)).await;
    assert_eq!(answer, json!({"status": "OK"}));
    let seen = apns.script.seen.lock().unwrap();
    assert_eq!(
        seen[1].headers["authorization"],
        seen[0].headers["authorization"]
    );
}

#[tokio::test]
async fn unregistered_and_bad_device_tokens_remove_the_registration() {
    let apns = Apns::start().await;
    let gw = apns.gateway("").await;
    for (status, reason) in [(410, "Unregistered"), (400, "BadDeviceToken")] {
        let token = registered(&gw, 2).await;
        apns.answer(status, reason);
        let (_, answer) = gw.send_push(message_push(&token)).await;
        assert_eq!(answer, json!({"status": "REMOVE"}), "{reason}");
        let hits = apns.requests();
        // Gone from the store: Mattermost is told REMOVE without asking Apple.
        let (_, answer) = gw.send_push(message_push(&token)).await;
        assert_eq!(answer, json!({"status": "REMOVE"}));
        assert_eq!(apns.requests(), hits);
    }
    // Any other refusal leaves the registration alone.
    let token = registered(&gw, 3).await;
    apns.answer(400, "DeviceTokenNotForTopic");
    let (_, answer) = gw.send_push(message_push(&token)).await;
    assert_eq!(answer["status"], "FAIL");
    let (_, answer) = gw.send_push(message_push(&token)).await;
    assert_eq!(answer, json!({"status": "OK"}));
}

#[tokio::test]
async fn too_many_requests_and_server_errors_are_retried_with_backoff() {
    let apns = Apns::start().await;
    let gw = apns
        .gateway("max_attempts = 3\nmax_retry_wait_seconds = 5")
        .await;
    let token = registered(&gw, 4).await;
    apns.answer(429, "TooManyRequests");
    apns.answer(503, "ServiceUnavailable");
    let (_, answer) = gw.send_push(message_push(&token)).await;
    assert_eq!(answer, json!({"status": "OK"}));
    {
        let seen = apns.script.seen.lock().unwrap();
        assert_eq!(seen.len(), 3);
        // 250 ms, then 500 ms: the backoff doubles.
        assert!(seen[1].at - seen[0].at >= Duration::from_millis(240));
        assert!(seen[2].at - seen[1].at >= Duration::from_millis(490));
    }

    // Still refusing after the budget: FAIL, the device stays.
    for _ in 0..3 {
        apns.answer(429, "TooManyRequests");
    }
    let (_, answer) = gw.send_push(message_push(&token)).await;
    assert_eq!(
        answer,
        json!({"status": "FAIL", "error": "push service rate limit"})
    );
    assert_eq!(apns.requests(), 6);

    // A pause longer than the budget is not waited for: that device is
    // left alone until then instead of asked again at once.
    let paused = registered(&gw, 5).await;
    apns.script
        .answers
        .lock()
        .unwrap()
        .push((429, "TooManyRequests", Some("3600")));
    let (_, answer) = gw.send_push(message_push(&paused)).await;
    assert_eq!(answer["status"], "FAIL");
    assert_eq!(apns.requests(), 7);
    let (_, answer) = gw.send_push(message_push(&paused)).await;
    assert_eq!(answer["status"], "FAIL");
    assert_eq!(apns.requests(), 7);
}

async fn queue_depth(gw: &Running) -> u64 {
    let metrics = gw
        .http
        .get(gw.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    metrics
        .lines()
        .find_map(|line| line.strip_prefix("push_gateway_queue_depth "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0)
}

#[tokio::test]
async fn a_slow_apns_does_not_stall_other_deliveries() {
    let apns = Apns::start().await;
    *apns.script.delay.lock().unwrap() = Duration::from_secs(30);
    let gw = Arc::new(
        apns.gateway(
            "answer_within_seconds = 3\nmax_in_flight_per_push_service = 2\n\
             max_queued_per_push_service = 4",
        )
        .await,
    );
    let (web_push_endpoint, web_push_hits) = common::push_service(201, &[]).await;
    let web_token = common::register_at(&gw, &web_push_endpoint).await;
    let mut stuck = Vec::new();
    for n in 0..4 {
        let token = registered(&gw, 10 + n).await;
        let gw = gw.clone();
        stuck.push(tokio::spawn(async move {
            gw.send_push(message_push(&token)).await.1
        }));
    }
    // Two in flight at the slow APNs, two waiting in its lane.
    while apns.requests() < 2 || queue_depth(&gw).await < 4 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // APNs' lane is full: another APNs push is refused at once...
    let extra = registered(&gw, 20).await;
    let started = Instant::now();
    let (_, answer) = gw.send_push(message_push(&extra)).await;
    assert_eq!(
        answer,
        json!({"status": "FAIL", "error": "push service busy"})
    );
    // ...and a Web Push goes out past it.
    let (_, answer) = gw.send_push(common::push_for(&web_token)).await;
    assert_eq!(answer, json!({"status": "OK"}));
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(web_push_hits.load(std::sync::atomic::Ordering::SeqCst), 1);
    // Only two requests at once reached the slow APNs.
    assert_eq!(apns.requests(), 2);
    for task in stuck {
        let answer = task.await.unwrap();
        assert_eq!(
            answer,
            json!({"status": "FAIL", "error": "push not delivered in time"})
        );
    }
}

#[tokio::test]
async fn apns_registrations_are_checked_and_deleted_with_their_secret() {
    let apns = Apns::start().await;
    let gw = apns.gateway("").await;
    let info: Value = gw
        .http
        .get(gw.url("/pausenhof-push/api/v1/apns"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(info, json!({"environment": "production", "topic": TOPIC}));

    let (status, _) = register_apns(&gw, json!({"device_token": "not hex"})).await;
    assert_eq!(status, 400);
    let (status, body) = register_apns(
        &gw,
        json!({"device_token": device_token(5), "environment": "sandbox"}),
    )
    .await;
    assert_eq!(status, 400);
    assert!(body["error"].as_str().unwrap().contains("production"));
    let (status, _) =
        register_apns(&gw, json!({"device_token": device_token(5), "extra": 1})).await;
    assert_eq!(status, 400);

    let (status, body) = register_apns(
        &gw,
        json!({"device_token": device_token(5).to_uppercase(), "environment": "production"}),
    )
    .await;
    assert_eq!(status, 201);
    let token = body["token"].as_str().unwrap();
    let secret = body["secret"].as_str().unwrap();
    let delete = |secret: &str| {
        gw.http
            .delete(gw.url(&format!("/api/v1/apns/registrations/{token}")))
            .bearer_auth(secret)
            .send()
    };
    // The token (what Mattermost knows) does not delete it.
    assert_eq!(delete(token).await.unwrap().status(), 404);
    let (_, answer) = gw.send_push(message_push(token)).await;
    assert_eq!(answer, json!({"status": "OK"}));
    assert_eq!(
        apns.script.seen.lock().unwrap()[0].device,
        device_token(5),
        "stored in lowercase, as APNs writes it"
    );
    assert_eq!(delete(secret).await.unwrap().status(), 204);
    let (_, answer) = gw.send_push(message_push(token)).await;
    assert_eq!(answer, json!({"status": "REMOVE"}));
}

#[tokio::test]
async fn a_gateway_without_apns_refuses_apns_registrations() {
    let gw = common::start().await;
    let (status, body) = register_apns(&gw, json!({"device_token": device_token(6)})).await;
    assert_eq!(status, 501);
    assert!(body["error"].as_str().unwrap().contains("APNs"));
    let status = gw
        .http
        .get(gw.url("/api/v1/apns"))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 501);
}
