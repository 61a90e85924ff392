//! Posts: paging, since, dedupe, edits, deletes, threads, reactions, search.

mod common;

use std::time::Duration;

use common::*;
use pausenhof_testserver::{Role, ServerConfig};
use serde_json::{json, Value};

fn order(list: &Value) -> Vec<String> {
    list["order"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

/// A fresh public channel with `n` posts, oldest first.
async fn channel_with_posts(
    server: &pausenhof_testserver::TestServer,
    api: &Api,
    n: usize,
) -> (String, Vec<String>) {
    let team = server.team_by_name("gsm").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let name = format!("paging-{}", rand_suffix());
    let c = api
        .post(
            "/channels",
            json!({"team_id": team, "name": name, "display_name": "Paging", "type": "O"}),
        )
        .await;
    assert_eq!(c.status, 201, "{}", c.text);
    let channel = c.body["id"].as_str().unwrap().to_string();
    let mut ids = Vec::new();
    for i in 0..n {
        let p = api
            .post(
                "/posts",
                json!({"channel_id": channel, "message": format!("Nachricht {i} 🎒")}),
            )
            .await;
        assert_eq!(p.status, 201);
        ids.push(p.body["id"].as_str().unwrap().to_string());
    }
    (channel, ids)
}

fn rand_suffix() -> String {
    format!(
        "{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
            % 1_000_000_007
    )
}

#[tokio::test]
async fn page_before_after_follow_mattermost() {
    let server = start().await;
    let api = login(&server, &server.account(Role::Teacher)).await;
    let (channel, ids) = channel_with_posts(&server, &api, 10).await;
    // The newest post in the channel is the last one we created.
    let page0 = api
        .get(&format!("/channels/{channel}/posts?page=0&per_page=4"))
        .await
        .body;
    assert_eq!(
        order(&page0),
        vec![
            ids[9].clone(),
            ids[8].clone(),
            ids[7].clone(),
            ids[6].clone()
        ]
    );
    assert_eq!(page0["next_post_id"], "");
    assert_eq!(page0["prev_post_id"], ids[5].as_str());
    let page1 = api
        .get(&format!("/channels/{channel}/posts?page=1&per_page=4"))
        .await
        .body;
    assert_eq!(order(&page1)[0], ids[5]);

    let before = api
        .get(&format!(
            "/channels/{channel}/posts?before={}&per_page=3",
            ids[5]
        ))
        .await
        .body;
    assert_eq!(
        order(&before),
        vec![ids[4].clone(), ids[3].clone(), ids[2].clone()]
    );
    assert_eq!(before["next_post_id"], ids[5].as_str());
    assert_eq!(before["prev_post_id"], ids[1].as_str());

    let after = api
        .get(&format!(
            "/channels/{channel}/posts?after={}&per_page=3",
            ids[5]
        ))
        .await
        .body;
    assert_eq!(
        order(&after),
        vec![ids[8].clone(), ids[7].clone(), ids[6].clone()]
    );
    assert_eq!(after["prev_post_id"], ids[5].as_str());
    assert_eq!(after["next_post_id"], ids[9].as_str());

    // A short page at the end: no further cursor.
    let end = api
        .get(&format!(
            "/channels/{channel}/posts?after={}&per_page=3",
            ids[8]
        ))
        .await
        .body;
    assert_eq!(order(&end), vec![ids[9].clone()]);
    assert_eq!(end["next_post_id"], "");

    let bad = api
        .get(&format!("/channels/{channel}/posts?after=nope"))
        .await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.body["id"], "api.context.invalid_param.app_error");
}

#[tokio::test]
async fn since_reports_edits_deletes_and_reactions() {
    let server = start().await;
    let teacher = server.account(Role::Teacher);
    let api = login(&server, &teacher).await;
    let (channel, ids) = channel_with_posts(&server, &api, 5).await;
    let last = api.get(&format!("/posts/{}", ids[4])).await.body;
    let since = last["update_at"].as_i64().unwrap();

    api.put(
        &format!("/posts/{}/patch", ids[0]),
        json!({"message": "bearbeitet ✏️"}),
    )
    .await;
    assert_eq!(api.delete(&format!("/posts/{}", ids[1])).await.status, 200);
    let r = api
        .post(
            "/reactions",
            json!({"user_id": teacher.user_id, "post_id": ids[2], "emoji_name": "tada"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);

    let list = api
        .get(&format!("/channels/{channel}/posts?since={since}"))
        .await
        .body;
    let got = order(&list);
    assert_eq!(
        got,
        vec![ids[2].clone(), ids[1].clone(), ids[0].clone()],
        "newest first"
    );
    assert!(list["posts"][&ids[1]]["delete_at"].as_i64().unwrap() > 0);
    assert_eq!(list["posts"][&ids[0]]["message"], "bearbeitet ✏️");
    assert!(list["posts"][&ids[0]]["edit_at"].as_i64().unwrap() > 0);
    assert_eq!(
        list["posts"][&ids[2]]["metadata"]["reactions"][0]["emoji_name"],
        "tada"
    );
    assert_eq!(list["next_post_id"], "");

    // Deleted posts are gone from normal pages.
    let page = api.get(&format!("/channels/{channel}/posts")).await.body;
    assert!(!order(&page).contains(&ids[1]));
}

#[tokio::test]
async fn replies_bring_their_thread_along() {
    let server = start().await;
    let api = login(&server, &server.account(Role::Teacher)).await;
    let (channel, ids) = channel_with_posts(&server, &api, 3).await;
    let reply = api
        .post(
            "/posts",
            json!({"channel_id": channel, "message": "Antwort", "root_id": ids[0]}),
        )
        .await;
    assert_eq!(reply.status, 201);
    let reply_id = reply.body["id"].as_str().unwrap().to_string();
    let page = api
        .get(&format!("/channels/{channel}/posts?per_page=1"))
        .await
        .body;
    assert_eq!(order(&page), vec![reply_id.clone()]);
    assert!(
        page["posts"].get(&ids[0]).is_some(),
        "the root comes with its reply"
    );
    let thread = api.get(&format!("/posts/{}/thread", ids[0])).await.body;
    // Root first, then the replies oldest first, as the real server answers
    // (tests/recordings/post_thread.json).
    assert_eq!(order(&thread), vec![ids[0].clone(), reply_id]);
    assert_eq!(thread["posts"][&ids[0]]["reply_count"], 1);
    let crt = api
        .get(&format!("/channels/{channel}/posts?collapsedThreads=true"))
        .await
        .body;
    assert_eq!(order(&crt).len(), 3, "only roots with collapsed threads");
}

#[tokio::test]
async fn pending_post_id_dedupes_within_the_window_only() {
    let server = start_with(ServerConfig {
        dedupe_window: Duration::from_millis(300),
        ..ServerConfig::default()
    })
    .await;
    let student = server.account(Role::Student);
    let api = login(&server, &student).await;
    let channel = channel_id(&server, "gsm", "off-topic");
    let body = json!({"channel_id": channel, "message": "einmal", "pending_post_id": "p1", "props": {"pausenhof_key": "k1"}});
    let first = api.post("/posts", body.clone()).await;
    assert_eq!(first.status, 201);
    assert_eq!(first.body["pending_post_id"], "p1");
    assert_eq!(first.body["props"]["pausenhof_key"], "k1");
    let second = api.post("/posts", body.clone()).await;
    assert_eq!(second.status, 201);
    assert_eq!(second.body["id"], first.body["id"]);
    // After the window a retry creates a duplicate, as on the real server.
    tokio::time::sleep(Duration::from_millis(400)).await;
    let third = api.post("/posts", body).await;
    assert_ne!(third.body["id"], first.body["id"]);
    // The client's key can be found again among recent posts.
    let page = api
        .get(&format!("/channels/{channel}/posts?per_page=5"))
        .await
        .body;
    let keyed = page["posts"]
        .as_object()
        .unwrap()
        .values()
        .filter(|p| p["props"]["pausenhof_key"] == "k1")
        .count();
    assert_eq!(keyed, 2);
}

#[tokio::test]
async fn post_as_counts_as_unread_and_mention() {
    let server = start().await;
    let student = server.account(Role::Student);
    let teacher = server.account(Role::Teacher);
    let api = login(&server, &student).await;
    let channel = channel_id(&server, "gsm", "town-square");
    api.post("/channels/members/me/view", json!({"channel_id": channel}))
        .await;
    let before = api
        .get(&format!("/channels/{channel}/members/me"))
        .await
        .body;
    let post = server.post_as(
        &teacher.user_id,
        &channel,
        &format!("Hallo @{} 👋", student.username),
    );
    assert_eq!(post["user_id"], teacher.user_id);
    let chan = api.get(&format!("/channels/{channel}")).await.body;
    let member = api
        .get(&format!("/channels/{channel}/members/me"))
        .await
        .body;
    assert_eq!(member["msg_count"], before["msg_count"]);
    assert_eq!(
        chan["total_msg_count"].as_i64().unwrap() - member["msg_count"].as_i64().unwrap(),
        1
    );
    assert_eq!(member["mention_count"], 1);
    let viewed = api
        .post("/channels/members/me/view", json!({"channel_id": channel}))
        .await;
    assert_eq!(viewed.body["status"], "OK");
    let member = api
        .get(&format!("/channels/{channel}/members/me"))
        .await
        .body;
    assert_eq!(member["mention_count"], 0);
    assert_eq!(member["msg_count"], chan["total_msg_count"]);
}

#[tokio::test]
async fn only_the_author_edits_and_deletes() {
    let server = start().await;
    let student = server.account(Role::Student);
    let teacher = server.account(Role::Teacher);
    let channel = channel_id(&server, "gsm", "town-square");
    let post = server.post_as(&teacher.user_id, &channel, "Nur ich darf das ändern");
    let id = post["id"].as_str().unwrap();
    let api = login(&server, &student).await;
    assert_eq!(
        api.put(&format!("/posts/{id}/patch"), json!({"message": "x"}))
            .await
            .status,
        403
    );
    assert_eq!(api.delete(&format!("/posts/{id}")).await.status, 403);
    assert_eq!(
        api.get(&format!("/posts/{id}")).await.body["message"],
        "Nur ich darf das ändern"
    );
}

#[tokio::test]
async fn reactions_search_and_posts_by_ids() {
    let server = start().await;
    let student = server.account(Role::Student);
    let api = login(&server, &student).await;
    let channel = channel_id(&server, "gsm", "off-topic");
    let p = api
        .post(
            "/posts",
            json!({"channel_id": channel, "message": "Käsespätzle sind lecker 🧀"}),
        )
        .await
        .body;
    let id = p["id"].as_str().unwrap().to_string();
    let r = api
        .post(
            "/reactions",
            json!({"user_id": student.user_id, "post_id": id, "emoji_name": "heart"}),
        )
        .await;
    assert_eq!(r.body["emoji_name"], "heart");
    let reactions = api.get(&format!("/posts/{id}/reactions")).await.body;
    assert_eq!(reactions.as_array().unwrap().len(), 1);
    let del = api
        .delete(&format!("/users/me/posts/{id}/reactions/heart"))
        .await;
    assert_eq!(del.status, 200);
    assert!(api.get(&format!("/posts/{id}")).await.body["metadata"]
        .get("reactions")
        .is_none());
    assert_eq!(
        api.post(
            "/reactions",
            json!({"user_id": student.user_id, "post_id": id, "emoji_name": "bad emoji!"})
        )
        .await
        .status,
        400
    );

    let team = server.team_by_name("gsm").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let found = api
        .post(
            &format!("/teams/{team}/posts/search"),
            json!({"terms": "käsespätzle lecker", "is_or_search": false}),
        )
        .await
        .body;
    assert_eq!(order(&found)[0], id);
    assert_eq!(found["has_next"], false);
    let by_ids = api.post("/posts/ids", json!([id])).await.body;
    assert_eq!(by_ids[0]["id"], id.as_str());
}
