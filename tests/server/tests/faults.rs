//! Every fault mode, seen from a raw HTTP client.

mod common;

use std::time::Duration;

use common::*;
use pausenhof_testserver::{Corruption, Role};
use serde_json::json;

#[tokio::test]
async fn down_refuses_connections_and_up_listens_on_the_same_port() {
    let server = start().await;
    let api = login(&server, &server.account(Role::Student)).await;
    let mut ws = ws_connect(&server, Some(&token_of(&api)), "").await;
    ws_next(&mut ws).await;
    let faults = server.faults();
    faults.set_down(true);
    assert!(faults.is_down());
    assert!(ws_next(&mut ws).await.is_none(), "open sockets are cut");
    let err = api
        .http
        .get(format!("{}/system/ping", api.base))
        .send()
        .await
        .expect_err("server is down");
    assert!(err.is_connect() || err.is_request(), "{err:?}");
    faults.set_down(false);
    assert_eq!(api.get("/system/ping").await.status, 200);
    assert_eq!(api.get("/users/me").await.status, 200, "sessions survive");
}

#[tokio::test]
async fn restart_keeps_data_and_port() {
    let server = start().await;
    let student = server.account(Role::Student);
    let api = login(&server, &student).await;
    let channel = channel_id(&server, "gsm", "off-topic");
    let post = api
        .post(
            "/posts",
            json!({"channel_id": channel, "message": "vor dem Neustart"}),
        )
        .await
        .body;
    let url = server.url();
    server.restart().await;
    assert_eq!(server.url(), url);
    let again = api
        .get(&format!("/posts/{}", post["id"].as_str().unwrap()))
        .await;
    assert_eq!(again.status, 200);
    assert_eq!(again.body["message"], "vor dem Neustart");
}

#[tokio::test]
async fn fail_next_fails_n_requests_without_running_the_handler() {
    let server = start().await;
    let api = login(&server, &server.account(Role::Student)).await;
    let channel = channel_id(&server, "gsm", "off-topic");
    let before = api.get(&format!("/channels/{channel}")).await.body["total_msg_count"]
        .as_i64()
        .unwrap();
    server.faults().fail_next("POST", "/api/v4/posts", 2, 503);
    for _ in 0..2 {
        let r = api
            .post("/posts", json!({"channel_id": channel, "message": "x"}))
            .await;
        assert_eq!(r.status, 503);
        assert_eq!(r.body["status_code"], 503);
        assert!(r.body["id"].is_string() && r.body["request_id"].is_string());
    }
    // Other routes and methods are untouched.
    assert_eq!(api.get(&format!("/channels/{channel}")).await.status, 200);
    let after = api.get(&format!("/channels/{channel}")).await.body["total_msg_count"]
        .as_i64()
        .unwrap();
    assert_eq!(after, before, "the handler did not run");
    assert_eq!(
        api.post("/posts", json!({"channel_id": channel, "message": "x"}))
            .await
            .status,
        201
    );
}

#[tokio::test]
async fn corrupt_next_truncates_or_garbles_the_body() {
    let server = start().await;
    let api = login(&server, &server.account(Role::Student)).await;
    let faults = server.faults();
    faults.corrupt_next("GET", "/users/me", 1, Corruption::Truncate);
    let resp = api
        .http
        .get(format!("{}/users/me/teams", api.base))
        .bearer_auth(token_of(&api))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "the status line is intact");
    assert!(resp.bytes().await.is_err(), "the body ends early");

    faults.corrupt_next("*", "/users/me", 1, Corruption::Garbage);
    let r = api.get("/users/me").await;
    assert_eq!(r.status, 200);
    assert!(serde_json::from_str::<serde_json::Value>(&r.text).is_err());
    assert_eq!(
        api.get("/users/me").await.body["id"]
            .as_str()
            .unwrap()
            .len(),
        26
    );
}

#[tokio::test]
async fn rate_limit_answers_plain_text_429_with_retry_after() {
    let server = start().await;
    let api = Api::new(&server);
    server.faults().rate_limit("/api/v4/system", 1, 7);
    let r = api.get("/system/ping").await;
    assert_eq!(r.status, 429);
    assert_eq!(r.headers.get("Retry-After").unwrap(), "7");
    assert!(r.headers.get("X-RateLimit-Limit").is_some());
    assert!(r
        .headers
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    assert!(serde_json::from_str::<serde_json::Value>(&r.text).is_err());
    assert_eq!(api.get("/system/ping").await.status, 200);
}

#[tokio::test]
async fn dropped_response_still_commits_the_post() {
    let server = start().await;
    let api = login(&server, &server.account(Role::Student)).await;
    let channel = channel_id(&server, "gsm", "off-topic");
    server.faults().drop_response_next("POST", "/posts", 1);
    let err = api
        .http
        .post(format!("{}/posts", api.base))
        .bearer_auth(token_of(&api))
        .json(&json!({"channel_id": channel, "message": "ungewiss 🤔", "pending_post_id": "u1"}))
        .send()
        .await
        .expect_err("no response");
    assert!(!err.is_timeout(), "{err:?}");
    let page = api
        .get(&format!("/channels/{channel}/posts?per_page=1"))
        .await
        .body;
    let id = page["order"][0].as_str().unwrap();
    assert_eq!(page["posts"][id]["message"], "ungewiss 🤔");
    assert_eq!(server.request_log().last().unwrap().status, 200);
}

#[tokio::test]
async fn latency_delays_responses_and_clear_removes_it() {
    let server = start().await;
    let faults = server.faults();
    faults.set_latency(Duration::from_secs(30));
    let http = client();
    let err = http
        .get(format!("{}/api/v4/system/ping", server.url()))
        .timeout(Duration::from_millis(200))
        .send()
        .await
        .expect_err("slower than the client waits");
    assert!(err.is_timeout());
    faults.fail_next("*", "/", 5, 500);
    faults.clear();
    let ok = http
        .get(format!("{}/api/v4/system/ping", server.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
}
