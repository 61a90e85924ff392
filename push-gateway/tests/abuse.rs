//! What a stranger can try: aim the gateway into the school's network
//! (by address, by name, by rebinding a name), register in a loop, take
//! over or delete somebody else's registration.

mod common;

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{app_keys, push_for, start, start_with, Running};
use pausenhof_scenarios::push::{AppDevice, Distributor};
use push_gateway::egress::{Lookup, SystemLookup};
use serde_json::{json, Value};

const PATIENCE: Duration = Duration::from_secs(30);

/// Names the test resolves, changeable between calls (a DNS server that
/// rebinds).
#[derive(Default)]
struct TestDns(Mutex<HashMap<String, Vec<IpAddr>>>);

impl TestDns {
    fn set(&self, host: &str, addresses: &[&str]) {
        let parsed = addresses.iter().map(|a| a.parse().unwrap()).collect();
        self.0.lock().unwrap().insert(host.to_owned(), parsed);
    }
}

impl Lookup for TestDns {
    fn lookup(
        &self,
        host: String,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = std::io::Result<Vec<IpAddr>>> + Send>>
    {
        let found = self.0.lock().unwrap().get(&host).cloned();
        Box::pin(async move { found.ok_or_else(|| std::io::Error::other("no such host")) })
    }
}

fn keys_for(endpoint: &str) -> Value {
    let mut keys = app_keys();
    keys["endpoint"] = json!(endpoint);
    keys
}

#[tokio::test]
async fn internal_endpoints_are_refused_by_address_and_by_name() {
    let dns = Arc::new(TestDns::default());
    dns.set("public.test", &["8.8.8.8"]);
    dns.set("intranet.test", &["192.168.1.1"]);
    dns.set("mixed.test", &["8.8.8.8", "fd00::1"]);
    dns.set("metadata.test", &["::ffff:169.254.169.254"]);
    // Refused attempts count against the address's allowance too (each
    // costs a DNS lookup), so this test has a larger one.
    let gw = start_with(false, "[limits]\nregistration_burst = 100\n", dns).await;
    for endpoint in [
        "https://10.0.0.1/up",
        "https://127.0.0.1/up",
        "https://[::1]/up",
        "https://[::ffff:127.0.0.1]/up",
        "https://[fe80::1]/up",
        "https://100.64.0.1/up",
        "https://224.0.0.1/up",
        "https://0.0.0.0/up",
        "https://intranet.test/up",
        "https://mixed.test/up",
        "https://metadata.test/up",
    ] {
        let (status, answer) = gw.register(&keys_for(endpoint)).await;
        assert_eq!(status, 400, "{endpoint}: {answer}");
        assert_eq!(
            answer["error"], "endpoint must not be a private or local address",
            "{endpoint}"
        );
    }
    let (status, answer) = gw.register(&keys_for("https://nowhere.test/up")).await;
    assert_eq!(status, 400);
    assert_eq!(answer["error"], "endpoint host does not resolve");
    let (status, answer) = gw.register(&keys_for("http://127.0.0.1:9/up")).await;
    assert_eq!(status, 400);
    assert_eq!(answer["error"], "endpoint must be https");
    let (status, answer) = gw.register(&keys_for("https://public.test/up")).await;
    assert_eq!(status, 201, "{answer}");
}

#[tokio::test]
async fn localhost_is_refused_through_the_system_resolver() {
    let gw = start_with(false, "", Arc::new(SystemLookup)).await;
    let (status, answer) = gw.register(&keys_for("https://localhost:9/up")).await;
    assert_eq!(status, 400);
    assert_eq!(
        answer["error"],
        "endpoint must not be a private or local address"
    );
}

#[tokio::test]
async fn a_name_rebound_to_loopback_after_registering_gets_no_connection() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let connections = Arc::new(AtomicUsize::new(0));
    let counter = connections.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            drop(stream);
        }
    });
    let dns = Arc::new(TestDns::default());
    dns.set("rebinding.test", &["8.8.8.8"]);
    let gw = start_with(false, "", dns.clone()).await;
    let endpoint = format!("https://rebinding.test:{port}/push/device");
    let (status, answer) = gw.register(&keys_for(&endpoint)).await;
    assert_eq!(status, 201, "{answer}");
    let token = answer["token"].as_str().unwrap().to_owned();

    dns.set("rebinding.test", &["127.0.0.1"]);
    let (status, answer) = gw.send_push(push_for(&token)).await;
    assert_eq!(status, 200);
    assert_eq!(
        answer,
        json!({"status": "FAIL", "error": "push service unreachable"})
    );
    assert_eq!(connections.load(Ordering::SeqCst), 0);
}

impl Running {
    async fn register_from(&self, source: &str, endpoint: &str) -> reqwest::Response {
        self.http
            .post(self.url("/api/v1/unifiedpush/registrations"))
            .header("x-forwarded-for", source)
            .json(&keys_for(endpoint))
            .send()
            .await
            .unwrap()
    }
}

#[tokio::test]
async fn registrations_are_rate_limited_per_source_address() {
    let gw = start_with(
        true,
        "[limits]\nregistration_burst = 2\nregistrations_per_hour = 1\n",
        Arc::new(SystemLookup),
    )
    .await;
    // The test client is on loopback, a trusted proxy by default, so the
    // forwarded address is the one counted.
    for n in 0..2 {
        let endpoint = format!("http://127.0.0.1:9/push/{n}");
        let response = gw.register_from("198.51.100.1", &endpoint).await;
        assert_eq!(response.status().as_u16(), 201);
    }
    let refused = gw
        .register_from("198.51.100.1", "http://127.0.0.1:9/push/x")
        .await;
    assert_eq!(refused.status().as_u16(), 429);
    let wait: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(wait > 0 && wait <= 3600, "{wait}");
    let answer: Value = refused.json().await.unwrap();
    assert!(answer["error"]
        .as_str()
        .unwrap()
        .contains("too many registrations"));
    let elsewhere = gw
        .register_from("198.51.100.2", "http://127.0.0.1:9/push/y")
        .await;
    assert_eq!(elsewhere.status().as_u16(), 201);
}

#[tokio::test]
async fn an_endpoint_takes_a_bounded_number_of_registrations() {
    let gw = start_with(
        true,
        "[limits]\nregistrations_per_endpoint = 2\n",
        Arc::new(SystemLookup),
    )
    .await;
    let endpoint = "http://127.0.0.1:9/push/one-device";
    for _ in 0..2 {
        assert_eq!(gw.register(&keys_for(endpoint)).await.0, 201);
    }
    let (status, answer) = gw.register(&keys_for(endpoint)).await;
    assert_eq!(status, 409);
    assert!(answer["error"]
        .as_str()
        .unwrap()
        .contains("too many registrations"));
    let (status, _) = gw
        .register(&keys_for("http://127.0.0.1:9/push/other"))
        .await;
    assert_eq!(status, 201);
}

#[tokio::test]
async fn one_app_cannot_remove_or_overwrite_anothers_registration() {
    let gw = start().await;
    let mut distributor = Distributor::start().await.unwrap();
    let base = gw.gateway.url();
    let alice_endpoint = distributor.endpoint("alice");
    let alice = AppDevice::register(&gw.http, &base, &alice_endpoint)
        .await
        .unwrap();
    let mallory = AppDevice::register(&gw.http, &base, &distributor.endpoint("mallory"))
        .await
        .unwrap();

    // Deleting needs Alice's own secret: Mallory's, Alice's token (which
    // her Mattermost server knows) and nothing at all are refused alike.
    assert_eq!(gw.delete(&alice.token, Some(&mallory.secret)).await, 404);
    assert_eq!(gw.delete(&alice.token, Some(&alice.token)).await, 404);
    assert_eq!(gw.delete(&alice.token, None).await, 401);

    // Registering Alice's endpoint with Mallory's keys makes a registration
    // of Mallory's; Alice's keeps her keys.
    let copycat = AppDevice::register(&gw.http, &base, &alice_endpoint)
        .await
        .unwrap();
    assert_ne!(copycat.token, alice.token);
    let (_, answer) = gw.send_push(push_for(&alice.token)).await;
    assert_eq!(answer, json!({"status": "OK"}));
    let received = distributor.next(PATIENCE).await.unwrap();
    assert_eq!(received.device, "alice");
    let payload: Value = serde_json::from_slice(&alice.decrypt(&received).unwrap()).unwrap();
    assert_eq!(payload["post_id"], "p1p1p1p1p1p1p1p1p1p1p1p1p1");
    assert!(copycat.decrypt(&received).is_err());

    // Mallory's own registration is hers to delete, and only that one.
    assert_eq!(gw.delete(&mallory.token, Some(&mallory.secret)).await, 204);
    assert!(alice.gateway_still_had(&gw.http, &base).await.unwrap());
}
