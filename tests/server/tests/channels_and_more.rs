//! Channels, direct and group messages, preferences, commands, files, threads.

mod common;

use common::*;
use pausenhof_testserver::Role;
use serde_json::{json, Value};

fn students(server: &pausenhof_testserver::TestServer) -> Vec<pausenhof_testserver::Account> {
    server
        .accounts()
        .into_iter()
        .filter(|a| a.role == Role::Student)
        .collect()
}

#[tokio::test]
async fn direct_and_group_channels_are_found_again() {
    let server = start().await;
    let s = students(&server);
    let teacher = server.account(Role::Teacher);
    let api = login(&server, &s[0]).await;
    let a = api
        .post("/channels/direct", json!([s[0].user_id, s[3].user_id]))
        .await;
    assert_eq!(a.status, 201);
    assert_eq!(a.body["type"], "D");
    let b = api
        .post("/channels/direct", json!([s[3].user_id, s[0].user_id]))
        .await;
    assert_eq!(a.body["id"], b.body["id"]);
    let g = api
        .post(
            "/channels/group",
            json!([s[2].user_id, s[3].user_id, teacher.user_id]),
        )
        .await;
    assert_eq!(g.status, 201, "{}", g.text);
    assert_eq!(g.body["type"], "G");
    let members = api
        .get(&format!(
            "/channels/{}/members",
            g.body["id"].as_str().unwrap()
        ))
        .await
        .body;
    assert_eq!(members.as_array().unwrap().len(), 4);
    let too_small = api.post("/channels/group", json!([s[3].user_id])).await;
    assert_eq!(too_small.status, 400);
}

#[tokio::test]
async fn join_leave_and_defaults() {
    let server = start().await;
    let s = students(&server);
    let api = login(&server, &s[0]).await;
    let team = server.team_by_name("gsm").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let c = api.post("/channels", json!({"team_id": team, "name": "ag-theater", "display_name": "AG Theater 🎭", "type": "O"})).await.body;
    let cid = c["id"].as_str().unwrap().to_string();
    let dup = api
        .post(
            "/channels",
            json!({"team_id": team, "name": "ag-theater", "display_name": "x", "type": "O"}),
        )
        .await;
    assert_eq!(
        dup.body["id"],
        "store.sql_channel.save_channel.exists.app_error"
    );

    let other = login(&server, &s[3]).await;
    let joined = other
        .post(
            &format!("/channels/{cid}/members"),
            json!({"user_id": s[3].user_id}),
        )
        .await;
    assert_eq!(joined.status, 201);
    let posts = other.get(&format!("/channels/{cid}/posts")).await.body;
    let first = &posts["posts"][posts["order"][0].as_str().unwrap()];
    assert_eq!(first["type"], "system_join_channel");
    assert_eq!(
        other
            .delete(&format!("/channels/{cid}/members/me"))
            .await
            .status,
        200
    );
    assert_eq!(
        other
            .get(&format!("/channels/{cid}/members/me"))
            .await
            .status,
        404
    );

    let town = channel_id(&server, "gsm", "town-square");
    let r = api.delete(&format!("/channels/{town}/members/me")).await;
    assert_eq!(r.body["id"], "api.channel.remove.default.app_error");

    // A private channel cannot be joined by yourself.
    let p = api
        .post(
            "/channels",
            json!({"team_id": team, "name": "geheim", "display_name": "Geheim", "type": "P"}),
        )
        .await
        .body;
    let r = other
        .post(
            &format!("/channels/{}/members", p["id"].as_str().unwrap()),
            json!({"user_id": s[3].user_id}),
        )
        .await;
    assert_eq!(r.status, 403);
}

#[tokio::test]
async fn mute_via_notify_props_and_preferences() {
    let server = start().await;
    let student = server.account(Role::Student);
    let api = login(&server, &student).await;
    let channel = channel_id(&server, "gsm", "off-topic");
    let r = api
        .put(
            &format!("/channels/{channel}/members/me/notify_props"),
            json!({"mark_unread": "mention"}),
        )
        .await;
    assert_eq!(r.status, 200);
    let m = api
        .get(&format!("/channels/{channel}/members/me"))
        .await
        .body;
    assert_eq!(m["notify_props"]["mark_unread"], "mention");
    assert_eq!(
        api.put(
            &format!("/channels/{channel}/members/me/notify_props"),
            json!({"mark_unread": "nope"})
        )
        .await
        .status,
        400
    );

    let prefs = json!([{"user_id": student.user_id, "category": "display_settings", "name": "use_military_time", "value": "true"}]);
    assert_eq!(api.put("/users/me/preferences", prefs).await.status, 200);
    let all = api.get("/users/me/preferences").await.body;
    assert!(all
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["name"] == "use_military_time" && p["value"] == "true"));
}

async fn run(api: &Api, channel: &str, command: &str) -> common::Reply {
    api.post(
        "/commands/execute",
        json!({"channel_id": channel, "command": command}),
    )
    .await
}

#[tokio::test]
async fn slash_commands() {
    let server = start().await;
    let student = server.account(Role::Student);
    let api = login(&server, &student).await;
    let channel = channel_id(&server, "gsm", "off-topic");
    let newest = |list: &Value| list["posts"][list["order"][0].as_str().unwrap()].clone();

    assert_eq!(run(&api, &channel, "/echo Hallo Welt").await.status, 200);
    assert_eq!(
        newest(&api.get(&format!("/channels/{channel}/posts")).await.body)["message"],
        "Hallo Welt"
    );
    run(&api, &channel, "/me tanzt").await;
    let me = newest(&api.get(&format!("/channels/{channel}/posts")).await.body);
    assert_eq!(me["type"], "me");
    run(&api, &channel, "/shrug keine Ahnung").await;
    let shrug = newest(&api.get(&format!("/channels/{channel}/posts")).await.body);
    assert!(shrug["message"].as_str().unwrap().contains("(ツ)"));

    for (cmd, status) in [
        ("/away", "away"),
        ("/dnd", "dnd"),
        ("/offline", "offline"),
        ("/online", "online"),
    ] {
        let r = run(&api, &channel, cmd).await;
        assert_eq!(r.body["response_type"], "ephemeral");
        assert_eq!(api.get("/users/me/status").await.body["status"], status);
    }

    let header = run(&api, &channel, "/header Neuer Kopf 🧢").await;
    assert_eq!(header.status, 200);
    assert_eq!(
        api.get(&format!("/channels/{channel}")).await.body["header"],
        "Neuer Kopf 🧢"
    );
    run(&api, &channel, "/purpose Quatschecke").await;
    assert_eq!(
        api.get(&format!("/channels/{channel}")).await.body["purpose"],
        "Quatschecke"
    );

    run(&api, &channel, "/mute").await;
    let m = api
        .get(&format!("/channels/{channel}/members/me"))
        .await
        .body;
    assert_eq!(m["notify_props"]["mark_unread"], "mention");
    run(&api, &channel, "/mute").await;
    let m = api
        .get(&format!("/channels/{channel}/members/me"))
        .await
        .body;
    assert_eq!(m["notify_props"]["mark_unread"], "all");

    let team = server.team_by_name("gsm").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let teacher = login(&server, &server.account(Role::Teacher)).await;
    teacher
        .post(
            "/channels",
            json!({"team_id": team, "name": "schach", "display_name": "Schach", "type": "O"}),
        )
        .await;
    let join = run(&api, &channel, "/join ~schach").await;
    assert_eq!(join.status, 200, "{}", join.text);
    assert!(join.body["goto_location"]
        .as_str()
        .unwrap()
        .ends_with("/channels/schach"));
    let schach = channel_id(&server, "gsm", "schach");
    assert_eq!(run(&api, &schach, "/leave").await.status, 200);
    assert_eq!(
        api.get(&format!("/channels/{schach}/members/me"))
            .await
            .status,
        404
    );

    let unknown = run(&api, &channel, "/gibtsnicht").await;
    assert_eq!(unknown.status, 404);
    assert_eq!(
        unknown.body["id"],
        "api.command.execute_command.not_found.app_error"
    );
}

#[tokio::test]
async fn files_upload_attach_download_and_thumbnail() {
    let server = start().await;
    let student = server.account(Role::Student);
    let api = login(&server, &student).await;
    let channel = channel_id(&server, "gsm", "off-topic");
    let png: Vec<u8> = {
        let mut v = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        v.extend_from_slice(&2u32.to_be_bytes());
        v.extend_from_slice(&3u32.to_be_bytes());
        v.extend_from_slice(&[0; 16]);
        v
    };
    let form = reqwest::multipart::Form::new()
        .text("channel_id", channel.clone())
        .part(
            "files",
            reqwest::multipart::Part::bytes(png.clone()).file_name("tafel.png"),
        )
        .part(
            "files",
            reqwest::multipart::Part::bytes("Übung".as_bytes().to_vec()).file_name("notiz.txt"),
        );
    let resp = api
        .http
        .post(format!("{}/files", api.base))
        .bearer_auth(token_of(&api))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let body: Value = resp.json().await.unwrap();
    let infos = body["file_infos"].as_array().unwrap();
    assert_eq!(infos.len(), 2);
    assert_eq!(infos[0]["width"], 2);
    assert_eq!(infos[0]["mime_type"], "image/png");
    let image = infos[0]["id"].as_str().unwrap().to_string();
    let text = infos[1]["id"].as_str().unwrap().to_string();

    let post = api
        .post(
            "/posts",
            json!({"channel_id": channel, "message": "Tafelbild", "file_ids": [image, text]}),
        )
        .await;
    assert_eq!(post.status, 201);
    assert_eq!(post.body["metadata"]["files"].as_array().unwrap().len(), 2);
    // A file belongs to one post only.
    let again = api
        .post(
            "/posts",
            json!({"channel_id": channel, "message": "nochmal", "file_ids": [image]}),
        )
        .await;
    assert_eq!(again.status, 400);

    let download = api
        .http
        .get(format!("{}/files/{text}", api.base))
        .bearer_auth(token_of(&api))
        .send()
        .await
        .unwrap();
    assert_eq!(download.bytes().await.unwrap().as_ref(), "Übung".as_bytes());
    let thumb = api
        .http
        .get(format!("{}/files/{image}/thumbnail", api.base))
        .bearer_auth(token_of(&api))
        .send()
        .await
        .unwrap();
    assert_eq!(thumb.status(), 200);
    assert_eq!(
        api.get(&format!("/files/{text}/thumbnail")).await.status,
        400
    );
    assert_eq!(
        api.get(&format!("/files/{image}/info")).await.body["post_id"],
        post.body["id"]
    );

    let outsider = login(&server, &server.account(Role::Teacher)).await;
    let staff = channel_id(&server, "gsm-kollegium", "off-topic");
    let staff_file = outsider
        .http
        .post(format!(
            "{}/files?channel_id={staff}&filename=x.txt",
            outsider.base
        ))
        .bearer_auth(token_of(&outsider))
        .body("intern")
        .send()
        .await
        .unwrap();
    assert_eq!(staff_file.status(), 201);
    let staff_id = staff_file.json::<Value>().await.unwrap()["file_infos"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(api.get(&format!("/files/{staff_id}")).await.status, 403);
}

#[tokio::test]
async fn threads_list_the_users_conversations() {
    let server = start().await;
    let student = server.account(Role::Student);
    let teacher = server.account(Role::Teacher);
    let channel = channel_id(&server, "gsm", "town-square");
    let root = server.post_as(&student.user_id, &channel, "Frage zur Klassenfahrt?");
    server
        .reply_as(
            &teacher.user_id,
            root["id"].as_str().unwrap(),
            "Abfahrt 8 Uhr",
        )
        .unwrap();
    let api = login(&server, &student).await;
    let team = server.team_by_name("gsm").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let threads = api
        .get(&format!("/users/me/teams/{team}/threads"))
        .await
        .body;
    let first = &threads["threads"][0];
    assert_eq!(first["id"], root["id"]);
    assert_eq!(first["reply_count"], 1);
    assert_eq!(first["unread_replies"], 1);
    assert!(threads["total"].as_i64().unwrap() >= 1);

    let root_id = root["id"].as_str().unwrap();
    let now = first["last_reply_at"].as_i64().unwrap();
    let read = api
        .put(
            &format!("/users/me/teams/{team}/threads/{root_id}/read/{now}"),
            json!({}),
        )
        .await;
    assert_eq!(read.status, 200, "{}", read.text);
    assert_eq!(read.body["unread_replies"], 0);
    let single = api
        .get(&format!("/users/me/teams/{team}/threads/{root_id}"))
        .await
        .body;
    assert_eq!(single["last_viewed_at"], now);
    let unknown = api
        .get(&format!(
            "/users/me/teams/{team}/threads/{}",
            teacher.user_id
        ))
        .await;
    assert_eq!(unknown.status, 404);
}

#[tokio::test]
async fn unread_window_is_centred_on_last_viewed() {
    let server = start().await;
    let student = server.account(Role::Student);
    let teacher = server.account(Role::Teacher);
    let api = login(&server, &student).await;
    let channel = channel_id(&server, "gsm", "town-square");
    api.post("/channels/members/me/view", json!({"channel_id": channel}))
        .await;
    let new = server.post_as(&teacher.user_id, &channel, "neu seit dem Lesen");
    let list = api
        .get(&format!(
            "/users/me/channels/{channel}/posts/unread?limit_before=5&limit_after=5"
        ))
        .await
        .body;
    let order = list["order"].as_array().unwrap();
    assert_eq!(order[0], new["id"]);
    assert_eq!(order.len(), 6);
    assert_eq!(
        api.get(&format!(
            "/users/me/channels/{channel}/posts/unread?limit_after=0"
        ))
        .await
        .status,
        400
    );
}

#[tokio::test]
async fn join_every_channel_makes_one_account_see_the_whole_school() {
    let server = start().await;
    let student = server.account(Role::Student);
    let api = login(&server, &student).await;
    let last_viewed = |members: &Value| {
        members
            .as_array()
            .unwrap()
            .iter()
            .max_by_key(|m| m["last_viewed_at"].as_i64().unwrap())
            .map(|m| m["channel_id"].clone())
            .unwrap()
    };
    let viewed_before = last_viewed(&api.get("/users/me/channel_members").await.body);
    let before = api.get("/users/me/channels").await.body;
    let added = server.join_every_channel(&student.user_id, false).unwrap();
    assert!(added > 0);
    let after = api.get("/users/me/channels").await.body;
    assert_eq!(
        after.as_array().unwrap().len(),
        before.as_array().unwrap().len() + added
    );
    // Nothing joined is unread or a mention.
    let members = api.get("/users/me/channel_members").await.body;
    let totals: std::collections::HashMap<&str, i64> = after
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap(),
                c["total_msg_count"].as_i64().unwrap(),
            )
        })
        .collect();
    let joined_before: Vec<&str> = before
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    let unread = |members: &Value| {
        members
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| !joined_before.contains(&m["channel_id"].as_str().unwrap()))
            .filter(|m| {
                let total = totals.get(m["channel_id"].as_str().unwrap()).copied();
                m["mention_count"].as_i64() != Some(0) || total != m["msg_count"].as_i64()
            })
            .count()
    };
    assert_eq!(unread(&members), 0);
    // The channel viewed last is still the same.
    let viewed_after = last_viewed(&api.get("/users/me/channel_members").await.body);
    assert_eq!(viewed_after, viewed_before);
    let channels = after.as_array().unwrap();
    let mine = |c: &&Value| c["name"].as_str().unwrap().contains(&student.user_id);
    assert!(channels
        .iter()
        .filter(|c| c["type"] == "D")
        .all(|c| mine(&c)));
    // Direct messages of others only when asked for; then nothing else is
    // left to join. An unknown user is refused.
    let others = server.join_every_channel(&student.user_id, true).unwrap();
    assert!(others > 0);
    assert_eq!(
        server.join_every_channel(&student.user_id, true).unwrap(),
        0
    );
    assert!(server.join_every_channel("nobody", false).is_err());
}
