//! A slow or dead push service: bounded queues, answers in time, and the
//! other push services unaffected.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::{push_for, push_service, register_at, start_with, Running};
use push_gateway::egress::SystemLookup;
use serde_json::{json, Value};
use tokio::sync::Notify;

/// Only guards against a hang; nothing asserts on time.
const PATIENCE: Duration = Duration::from_secs(30);

/// A push service that takes every push and answers only when released.
struct StuckService {
    base: String,
    arrived: Arc<AtomicUsize>,
    release: Arc<Notify>,
}

async fn stuck_service() -> StuckService {
    let arrived = Arc::new(AtomicUsize::new(0));
    let release = Arc::new(Notify::new());
    let (counter, gate) = (arrived.clone(), release.clone());
    let app = axum::Router::new().route(
        "/push/{id}",
        axum::routing::post(move || {
            let (counter, gate) = (counter.clone(), gate.clone());
            async move {
                let released = gate.notified();
                counter.fetch_add(1, Ordering::SeqCst);
                released.await;
                axum::http::StatusCode::CREATED
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    StuckService {
        base,
        arrived,
        release,
    }
}

impl StuckService {
    async fn until_arrived(&self, count: usize) {
        tokio::time::timeout(PATIENCE, async {
            while self.arrived.load(Ordering::SeqCst) < count {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
        .await
        .expect("pushes reach the stuck service");
    }
}

async fn queue_depth(gw: &Running) -> u64 {
    let text = gw
        .http
        .get(gw.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .find_map(|line| line.strip_prefix("push_gateway_queue_depth "))
        .unwrap()
        .parse()
        .unwrap()
}

fn spawn_push(gw: &Running, token: &str) -> tokio::task::JoinHandle<Value> {
    let http = gw.http.clone();
    let url = gw.url("/api/v1/send_push");
    let body = push_for(token);
    tokio::spawn(async move {
        http.post(url)
            .body(body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    })
}

#[tokio::test]
async fn a_stuck_push_service_fills_its_own_lane_and_nobody_elses() {
    let gw = start_with(
        true,
        "[delivery]\nanswer_within_seconds = 300\nrequest_timeout_seconds = 300\n\
         max_in_flight_per_push_service = 2\nmax_queued_per_push_service = 4\n",
        Arc::new(SystemLookup),
    )
    .await;
    let stuck = stuck_service().await;
    let mut stuck_tokens = Vec::new();
    for n in 0..6 {
        stuck_tokens.push(register_at(&gw, &format!("{}/push/{n}", stuck.base)).await);
    }
    let (fast_endpoint, fast_hits) = push_service(201, &[]).await;
    let fast = register_at(&gw, &fast_endpoint).await;

    let mut waiting = Vec::new();
    for token in &stuck_tokens[..4] {
        waiting.push(spawn_push(&gw, token));
    }
    stuck.until_arrived(2).await;
    tokio::time::timeout(PATIENCE, async {
        while queue_depth(&gw).await < 4 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .expect("four pushes queued");
    // The lane is full: more pushes to that service are refused at once.
    for token in &stuck_tokens[4..] {
        let (_, answer) = gw.send_push(push_for(token)).await;
        assert_eq!(
            answer,
            json!({"status": "FAIL", "error": "push service busy"})
        );
    }
    // Another push service is served while the stuck one holds its lane.
    for _ in 0..3 {
        let (_, answer) = gw.send_push(push_for(&fast)).await;
        assert_eq!(answer, json!({"status": "OK"}));
    }
    assert_eq!(fast_hits.load(Ordering::SeqCst), 3);
    assert!(waiting.iter().all(|task| !task.is_finished()));
    assert_eq!(queue_depth(&gw).await, 4);
    assert_eq!(stuck.arrived.load(Ordering::SeqCst), 2);

    // Once the service answers, the waiting pushes go out in turn.
    let releaser = tokio::spawn({
        let release = stuck.release.clone();
        async move {
            loop {
                release.notify_waiters();
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }
    });
    for task in waiting {
        let answer = tokio::time::timeout(PATIENCE, task).await.unwrap().unwrap();
        assert_eq!(answer, json!({"status": "OK"}));
    }
    releaser.abort();
    assert_eq!(stuck.arrived.load(Ordering::SeqCst), 4);
    assert_eq!(queue_depth(&gw).await, 0);
}

#[tokio::test]
async fn a_push_that_cannot_go_out_in_time_is_answered_fail() {
    let gw = start_with(
        true,
        "[delivery]\nanswer_within_seconds = 1\nrequest_timeout_seconds = 300\n",
        Arc::new(SystemLookup),
    )
    .await;
    let stuck = stuck_service().await;
    let token = register_at(&gw, &format!("{}/push/dead", stuck.base)).await;
    let answer = tokio::time::timeout(PATIENCE, spawn_push(&gw, &token))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        answer,
        json!({"status": "FAIL", "error": "push not delivered in time"})
    );
    assert_eq!(queue_depth(&gw).await, 0);
    // Not a reason to forget the device: the next push is tried again.
    let again = tokio::time::timeout(PATIENCE, spawn_push(&gw, &token))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again["status"], "FAIL");
    assert_eq!(stuck.arrived.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_full_gateway_answers_busy_at_once() {
    let gw = start_with(
        true,
        "[delivery]\nanswer_within_seconds = 300\nrequest_timeout_seconds = 300\nmax_queued = 1\n",
        Arc::new(SystemLookup),
    )
    .await;
    let stuck = stuck_service().await;
    let held = register_at(&gw, &format!("{}/push/held", stuck.base)).await;
    let (fast_endpoint, fast_hits) = push_service(201, &[]).await;
    let fast = register_at(&gw, &fast_endpoint).await;
    let waiting = spawn_push(&gw, &held);
    stuck.until_arrived(1).await;
    let (_, answer) = gw.send_push(push_for(&fast)).await;
    assert_eq!(answer, json!({"status": "FAIL", "error": "gateway busy"}));
    assert_eq!(fast_hits.load(Ordering::SeqCst), 0);
    stuck.release.notify_waiters();
    assert_eq!(
        tokio::time::timeout(PATIENCE, waiting)
            .await
            .unwrap()
            .unwrap(),
        json!({"status": "OK"})
    );
    let (_, answer) = gw.send_push(push_for(&fast)).await;
    assert_eq!(answer, json!({"status": "OK"}));
}
