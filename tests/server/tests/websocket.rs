//! The websocket: auth, hello, seq, resume, broadcasting rules, actions.

mod common;

use common::*;
use pausenhof_testserver::Role;
use serde_json::{json, Value};

#[tokio::test]
async fn bearer_socket_gets_hello_then_numbered_posted_events() {
    let server = start().await;
    let student = server.account(Role::Student);
    let teacher = server.account(Role::Teacher);
    let api = login(&server, &student).await;
    let mut ws = ws_connect(&server, Some(&token_of(&api)), "").await;
    let hello = ws_next(&mut ws).await.unwrap();
    assert_eq!(hello["event"], "hello");
    assert_eq!(hello["seq"], 0);
    assert!(hello["data"]["connection_id"].as_str().unwrap().len() == 26);
    assert_eq!(hello["data"]["server_version"], "10.11.0");

    let channel = channel_id(&server, "gsm", "town-square");
    server.post_as(&teacher.user_id, &channel, "Guten Morgen ☀️");
    let posted = ws_event(&mut ws, "posted").await;
    assert_eq!(posted["seq"], 1);
    assert_eq!(posted["broadcast"]["channel_id"], channel.as_str());
    // The post is JSON inside a string.
    let post: Value = serde_json::from_str(posted["data"]["post"].as_str().unwrap()).unwrap();
    assert_eq!(post["message"], "Guten Morgen ☀️");
    assert_eq!(posted["data"]["channel_type"], "O");
}

#[tokio::test]
async fn authentication_challenge_works_and_bad_tokens_fail() {
    let server = start().await;
    let api = login(&server, &server.account(Role::Student)).await;
    let mut ws = ws_connect(&server, None, "").await;
    ws_send(
        &mut ws,
        json!({"seq": 1, "action": "authentication_challenge", "data": {"token": "wrong"}}),
    )
    .await;
    let reply = ws_next(&mut ws).await.unwrap();
    assert_eq!(reply["status"], "FAIL");
    assert_eq!(reply["seq_reply"], 1);
    ws_send(
        &mut ws,
        json!({"seq": 2, "action": "authentication_challenge", "data": {"token": token_of(&api)}}),
    )
    .await;
    // As on the real server, `hello` comes before the OK.
    assert_eq!(ws_next(&mut ws).await.unwrap()["event"], "hello");
    let reply = ws_next(&mut ws).await.unwrap();
    assert_eq!(reply, json!({"status": "OK", "seq_reply": 2}));
}

#[tokio::test]
async fn resume_replays_missed_events_without_hello() {
    let server = start().await;
    let student = server.account(Role::Student);
    let teacher = server.account(Role::Teacher);
    let api = login(&server, &student).await;
    let token = token_of(&api);
    let channel = channel_id(&server, "gsm", "town-square");
    let mut ws = ws_connect(&server, Some(&token), "").await;
    let hello = ws_next(&mut ws).await.unwrap();
    let connection_id = hello["data"]["connection_id"].as_str().unwrap().to_string();
    server.post_as(&teacher.user_id, &channel, "eins");
    assert_eq!(ws_event(&mut ws, "posted").await["seq"], 1);

    server.faults().drop_websockets();
    assert!(ws_next(&mut ws).await.is_none(), "socket was cut");
    server.post_as(&teacher.user_id, &channel, "zwei");
    server.post_as(&teacher.user_id, &channel, "drei");

    let mut ws = ws_connect(
        &server,
        Some(&token),
        &format!("?connection_id={connection_id}&sequence_number=2"),
    )
    .await;
    let first = ws_next(&mut ws).await.unwrap();
    assert_eq!(first["event"], "posted", "no hello on resume");
    assert_eq!(first["seq"], 2);
    let second = ws_next(&mut ws).await.unwrap();
    assert_eq!(second["seq"], 3);
    let post: Value = serde_json::from_str(second["data"]["post"].as_str().unwrap()).unwrap();
    assert_eq!(post["message"], "drei");
}

#[tokio::test]
async fn lost_sequence_and_restart_give_a_new_hello() {
    let server = start().await;
    let api = login(&server, &server.account(Role::Student)).await;
    let token = token_of(&api);
    let mut ws = ws_connect(&server, Some(&token), "").await;
    let id = ws_next(&mut ws).await.unwrap()["data"]["connection_id"]
        .as_str()
        .unwrap()
        .to_string();
    drop(ws);
    // A sequence number the server never sent.
    let mut ws = ws_connect(
        &server,
        Some(&token),
        &format!("?connection_id={id}&sequence_number=50"),
    )
    .await;
    let hello = ws_next(&mut ws).await.unwrap();
    assert_eq!(hello["event"], "hello");
    let new_id = hello["data"]["connection_id"].as_str().unwrap().to_string();
    assert_ne!(new_id, id);

    server.restart().await;
    assert!(ws_next(&mut ws).await.is_none(), "restart cuts sockets");
    let mut ws = ws_connect(
        &server,
        Some(&token),
        &format!("?connection_id={new_id}&sequence_number=1"),
    )
    .await;
    let hello = ws_next(&mut ws).await.unwrap();
    assert_eq!(
        hello["event"], "hello",
        "dead queues do not survive a restart"
    );
    // Sessions do.
    assert_eq!(api.get("/users/me").await.status, 200);
}

#[tokio::test]
async fn events_reach_only_channel_members_and_typing_skips_the_typist() {
    let server = start().await;
    let student = server.account(Role::Student);
    let teacher = server.account(Role::Teacher);
    let s_api = login(&server, &student).await;
    let t_api = login(&server, &teacher).await;
    let mut s_ws = ws_connect(&server, Some(&token_of(&s_api)), "").await;
    let mut t_ws = ws_connect(&server, Some(&token_of(&t_api)), "").await;
    ws_next(&mut s_ws).await;
    ws_next(&mut t_ws).await;

    // A staff-only channel: the student must not see the post.
    let staff = channel_id(&server, "gsm-kollegium", "town-square");
    server.post_as(&teacher.user_id, &staff, "Konferenz um 14 Uhr");
    let shared = channel_id(&server, "gsm", "town-square");
    ws_send(
        &mut t_ws,
        json!({"seq": 1, "action": "user_typing", "data": {"channel_id": shared, "parent_id": ""}}),
    )
    .await;
    let typing = ws_event(&mut s_ws, "typing").await;
    assert_eq!(typing["data"]["user_id"], teacher.user_id);
    assert_eq!(typing["seq"], 1, "the staff post never reached the student");
    assert_eq!(typing["broadcast"]["omit_users"][&teacher.user_id], true);

    // The typist gets only the reply (before or after its own staff post,
    // which raced it), then the next real event.
    let mut own_post_seen = false;
    let reply = loop {
        let message = ws_next(&mut t_ws).await.unwrap();
        if message["event"] == "posted" && !own_post_seen {
            own_post_seen = true;
            continue;
        }
        break message;
    };
    assert_eq!(reply["seq_reply"], 1);
    server.post_as(&student.user_id, &shared, "Hallo!");
    let mut next = ws_event(&mut t_ws, "posted").await;
    if !own_post_seen && next["data"]["post"].as_str().unwrap().contains("Konferenz") {
        next = ws_event(&mut t_ws, "posted").await;
    }
    let post: Value = serde_json::from_str(next["data"]["post"].as_str().unwrap()).unwrap();
    assert_eq!(post["message"], "Hallo!");
}

#[tokio::test]
async fn viewing_edits_reactions_and_membership_are_broadcast() {
    let server = start().await;
    let student = server.account(Role::Student);
    let api = login(&server, &student).await;
    let token = token_of(&api);
    let mut ws = ws_connect(&server, Some(&token), "").await;
    ws_next(&mut ws).await;
    let channel = channel_id(&server, "gsm", "off-topic");
    api.post("/channels/members/me/view", json!({"channel_id": channel}))
        .await;
    let viewed = ws_event(&mut ws, "multiple_channels_viewed").await;
    assert!(viewed["data"]["channel_times"][&channel].is_i64());

    let p = api
        .post(
            "/posts",
            json!({"channel_id": channel, "message": "vorher"}),
        )
        .await
        .body;
    let id = p["id"].as_str().unwrap();
    ws_event(&mut ws, "posted").await;
    api.put(&format!("/posts/{id}/patch"), json!({"message": "nachher"}))
        .await;
    let edited = ws_event(&mut ws, "post_edited").await;
    let post: Value = serde_json::from_str(edited["data"]["post"].as_str().unwrap()).unwrap();
    assert_eq!(post["message"], "nachher");
    api.post(
        "/reactions",
        json!({"user_id": student.user_id, "post_id": id, "emoji_name": "smile"}),
    )
    .await;
    let added = ws_event(&mut ws, "reaction_added").await;
    let reaction: Value =
        serde_json::from_str(added["data"]["reaction"].as_str().unwrap()).unwrap();
    assert_eq!(reaction["emoji_name"], "smile");
    api.delete(&format!("/posts/{id}")).await;
    let deleted = ws_event(&mut ws, "post_deleted").await;
    assert!(deleted["data"]["post"].is_string());

    let team = server.team_by_name("gsm").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let created = api.post("/channels", json!({"team_id": team, "name": "lerngruppe", "display_name": "Lerngruppe", "type": "P"})).await.body;
    let created_event = ws_event(&mut ws, "channel_created").await;
    assert_eq!(created_event["data"]["channel_id"], created["id"]);
    let other = server
        .accounts()
        .into_iter()
        .find(|a| a.role == Role::Student && a.user_id != student.user_id)
        .unwrap();
    let cid = created["id"].as_str().unwrap();
    assert_eq!(
        api.post(
            &format!("/channels/{cid}/members"),
            json!({"user_id": other.user_id})
        )
        .await
        .status,
        201
    );
    let added = ws_event(&mut ws, "user_added").await;
    assert_eq!(added["data"]["user_id"], other.user_id);
    assert_eq!(
        api.delete(&format!("/channels/{cid}/members/{}", other.user_id))
            .await
            .status,
        200
    );
    let removed = ws_event(&mut ws, "user_removed").await;
    assert_eq!(removed["data"]["user_id"], other.user_id);
}

#[tokio::test]
async fn ping_action_and_statuses() {
    let server = start().await;
    let student = server.account(Role::Student);
    let api = login(&server, &student).await;
    let mut ws = ws_connect(&server, Some(&token_of(&api)), "").await;
    ws_next(&mut ws).await;
    ws_send(&mut ws, json!({"seq": 5, "action": "ping"})).await;
    let pong = ws_next(&mut ws).await.unwrap();
    assert_eq!(pong["seq_reply"], 5);
    assert_eq!(pong["data"]["text"], "pong");
    ws_send(
        &mut ws,
        json!({"seq": 6, "action": "get_statuses_by_ids", "data": {"user_ids": [student.user_id]}}),
    )
    .await;
    let statuses = ws_next(&mut ws).await.unwrap();
    assert_eq!(
        statuses["data"][&student.user_id], "online",
        "connecting makes the user online"
    );
    ws_send(&mut ws, json!({"seq": 7, "action": "no_such_action"})).await;
    assert_eq!(ws_next(&mut ws).await.unwrap()["status"], "FAIL");
    ws_send(&mut ws, json!("not an object")).await;
    ws_send(&mut ws, json!({"seq": 8, "action": "ping"})).await;
    assert_eq!(
        ws_next(&mut ws).await.unwrap()["seq_reply"],
        8,
        "garbage does not kill the socket"
    );
}

#[tokio::test]
async fn unauthenticated_sockets_are_closed() {
    let server = start_with(pausenhof_testserver::ServerConfig {
        websocket_auth_timeout: std::time::Duration::from_millis(100),
        ..Default::default()
    })
    .await;
    let mut ws = ws_connect(&server, None, "").await;
    assert!(ws_next(&mut ws).await.is_none(), "closed without a hello");
    let mut ws = ws_connect(&server, Some("not-a-session"), "").await;
    assert!(
        ws_next(&mut ws).await.is_none(),
        "a bad Bearer token needs the challenge too"
    );
}
