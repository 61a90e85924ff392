//! Discovery, login and the sync reads, against the Small school.

mod common;

use common::*;
use pausenhof_testserver::Role;
use serde_json::{json, Value};

#[tokio::test]
async fn ping_config_and_license_need_no_session() {
    let server = start().await;
    let api = Api::new(&server);
    let ping = api.get("/system/ping").await;
    assert_eq!(ping.status, 200);
    assert_eq!(ping.body["status"], "OK");

    let config = api.get("/config/client?format=old").await;
    assert_eq!(config.status, 200);
    let map = config.body.as_object().unwrap();
    assert!(map.values().all(Value::is_string), "all values are strings");
    // Switched off, GitLab is not mentioned before sign-in (as on a real
    // 11.x server); the signed-in set says so.
    assert!(config.body.get("EnableSignUpWithGitLab").is_none());
    assert!(config.body.get("CollapsedThreads").is_none());
    assert!(config.body["Version"].as_str().unwrap().starts_with("10."));

    let new_format = api.get("/config/client").await;
    assert_eq!(new_format.status, 501);

    let license = api.get("/license/client?format=old").await;
    assert_eq!(license.body["IsLicensed"], "false");
}

#[tokio::test]
async fn errors_have_mattermost_shape_and_request_id() {
    let server = start().await;
    let api = Api::new(&server);
    let r = api.get("/users/me").await;
    assert_eq!(r.status, 401);
    assert_eq!(r.body["id"], "api.context.session_expired.app_error");
    assert_eq!(r.body["status_code"], 401);
    assert!(!r.body["request_id"].as_str().unwrap().is_empty());
    assert!(r.body["detailed_error"].is_string());
    assert_eq!(
        r.headers.get("X-Request-Id").unwrap().to_str().unwrap(),
        r.body["request_id"].as_str().unwrap()
    );
    let missing = api.get("/no/such/route").await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.body["id"], "api.context.404.app_error");
}

#[tokio::test]
async fn password_login_gives_token_and_me() {
    let server = start().await;
    let student = server.account(Role::Student);
    let api = login(&server, &student).await;
    let me = api.get("/users/me").await;
    assert_eq!(me.status, 200);
    assert_eq!(me.body["username"], student.username);
    assert_eq!(me.body["id"], student.user_id);

    // Email works as login id too.
    let by_email = Api::new(&server)
        .post(
            "/users/login",
            json!({"login_id": student.email, "password": student.password}),
        )
        .await;
    assert_eq!(by_email.status, 200);

    let logout = api.post("/users/logout", json!({})).await;
    assert_eq!(logout.status, 200);
    assert_eq!(api.get("/users/me").await.status, 401);
}

#[tokio::test]
async fn wrong_password_and_unknown_user_are_invalid_credentials() {
    let server = start().await;
    let student = server.account(Role::Student);
    let api = Api::new(&server);
    for body in [
        json!({"login_id": student.username, "password": "wrong-password"}),
        json!({"login_id": "nobody-here", "password": "whatever1"}),
    ] {
        let r = api.post("/users/login", body).await;
        assert_eq!(r.status, 401);
        assert_eq!(
            r.body["id"],
            "api.user.login.invalid_credentials_email_username"
        );
    }
    // Like the real server, a body that is not a string map counts as empty.
    let malformed = api.send("POST", "/users/login", None).await;
    assert_eq!(malformed.status, 400);
    assert_eq!(malformed.body["id"], "api.user.login.blank_pwd.app_error");
}

#[tokio::test]
async fn with_sso_enabled_failed_logins_are_masked_as_sso() {
    let server = start_with(pausenhof_testserver::ServerConfig {
        enable_sso: true,
        ..Default::default()
    })
    .await;
    let api = Api::new(&server);
    let config = api.get("/config/client?format=old").await;
    assert_eq!(config.body["EnableSignUpWithGitLab"], "true");
    let r = api
        .post(
            "/users/login",
            json!({"login_id": "nobody-here", "password": "whatever1"}),
        )
        .await;
    assert_eq!(r.status, 401);
    assert_eq!(r.body["id"], "api.user.login.invalid_credentials_sso");
}

#[tokio::test]
async fn too_many_failed_logins_lock_the_account() {
    let server = start().await;
    let student = server.account(Role::Student);
    let api = Api::new(&server);
    for _ in 0..10 {
        api.post(
            "/users/login",
            json!({"login_id": student.username, "password": "nope-nope"}),
        )
        .await;
    }
    let r = api
        .post(
            "/users/login",
            json!({"login_id": student.username, "password": student.password}),
        )
        .await;
    assert_eq!(
        r.body["id"],
        "api.user.check_user_login_attempts.too_many.app_error"
    );
}

#[tokio::test]
async fn mfa_login_needs_a_valid_totp_code() {
    let server = start().await;
    let account = server
        .accounts()
        .into_iter()
        .find(|a| a.role == Role::Student && a.mfa_secret.is_some())
        .expect("an MFA student");
    let api = Api::new(&server);
    let without = api
        .post(
            "/users/login",
            json!({"login_id": account.username, "password": account.password}),
        )
        .await;
    assert_eq!(without.status, 401);
    assert_eq!(
        without.body["id"],
        "mfa.validate_token.authenticate.app_error"
    );

    let wrong = api
        .post(
            "/users/login",
            json!({"login_id": account.username, "password": account.password, "token": "000000"}),
        )
        .await;
    // A wrong code can collide with the current code only with probability 1e-6.
    assert_eq!(wrong.status, 401);
    assert_eq!(
        wrong.body["id"],
        "api.user.check_user_mfa.bad_code.app_error"
    );
    let garbled = api
        .post(
            "/users/login",
            json!({"login_id": account.username, "password": account.password, "token": "abc"}),
        )
        .await;
    assert_eq!(
        garbled.body["id"],
        "mfa.validate_token.authenticate.app_error"
    );

    let secret = totp_rs::Secret::Encoded(account.mfa_secret.clone().unwrap())
        .to_bytes()
        .unwrap();
    let totp = totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, 30, secret).unwrap();
    let code = totp.generate_current().unwrap();
    let ok = api
        .post(
            "/users/login",
            json!({"login_id": account.username, "password": account.password, "token": code}),
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert!(ok.headers.get("Token").is_some());
}

#[tokio::test]
async fn expired_sessions_get_session_expired() {
    let server = start().await;
    let student = server.account(Role::Student);
    let api = login(&server, &student).await;
    assert_eq!(api.get("/users/me").await.status, 200);
    server.expire_sessions(&student.user_id);
    let r = api.get("/users/me").await;
    assert_eq!(r.status, 401);
    assert_eq!(r.body["id"], "api.context.session_expired.app_error");
}

#[tokio::test]
async fn users_by_ids_and_usernames() {
    let server = start().await;
    let student = server.account(Role::Student);
    let teacher = server.account(Role::Teacher);
    let api = login(&server, &student).await;
    let r = api
        .post(
            "/users/ids",
            json!([teacher.user_id, "unknownunknownunknownunkno"]),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body.as_array().unwrap().len(), 1);
    assert_eq!(r.body[0]["username"], teacher.username);
    let r = api
        .post("/users/usernames", json!([teacher.username]))
        .await;
    assert_eq!(r.body[0]["id"], teacher.user_id);
    let r = api
        .post("/users/status/ids", json!([teacher.user_id]))
        .await;
    assert_eq!(r.body[0]["user_id"], teacher.user_id);
    assert!(r.body[0]["status"].is_string());
    assert_eq!(
        api.post("/users/ids", json!("not a list")).await.status,
        400
    );
}

#[tokio::test]
async fn users_by_ids_since_returns_only_users_updated_after_it() {
    let server = start().await;
    let student = server.account(Role::Student);
    let teacher = server.account(Role::Teacher);
    let api = login(&server, &student).await;
    let both = json!([teacher.user_id, student.user_id]);
    let all = api.post("/users/ids", both.clone()).await.body;
    let newest = all
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["update_at"].as_i64().unwrap())
        .max()
        .unwrap();
    let none = api
        .post(&format!("/users/ids?since={newest}"), both.clone())
        .await;
    assert_eq!(none.status, 200);
    assert_eq!(none.body, json!([]), "nobody changed since");

    let patched = api
        .put("/users/me/patch", json!({"nickname": "Anni"}))
        .await;
    assert_eq!(patched.status, 200);
    let changed = api
        .post(&format!("/users/ids?since={newest}"), both.clone())
        .await
        .body;
    let changed: Vec<&str> = changed
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap())
        .collect();
    assert_eq!(changed, [student.user_id.as_str()]);
    let bad = api.post("/users/ids?since=gestern", both).await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.body["id"], "api.context.invalid_param.app_error");
}

#[tokio::test]
async fn teams_members_unreads_and_channels() {
    let server = start().await;
    let student = server.account(Role::Student);
    let api = login(&server, &student).await;
    let teams = api.get("/users/me/teams").await;
    let names: Vec<&str> = teams
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"gsm"));
    assert!(names.contains(&"koop"));
    assert!(!names.contains(&"gsm-kollegium"), "students are not staff");

    let members = api.get("/users/me/teams/members").await;
    assert_eq!(members.body.as_array().unwrap().len(), names.len());
    let unread = api.get("/users/me/teams/unread").await;
    assert_eq!(unread.body.as_array().unwrap().len(), names.len());
    assert!(unread.body[0]["msg_count"].is_i64());

    let all = api.get("/users/me/channels").await;
    let all = all.body.as_array().unwrap();
    assert!(all.iter().any(|c| c["type"] == "D"));
    assert!(all.iter().any(|c| c["name"] == "town-square"));
    for field in [
        "total_msg_count",
        "total_msg_count_root",
        "last_post_at",
        "last_root_post_at",
        "team_id",
        "creator_id",
    ] {
        assert!(all[0].get(field).is_some(), "{field}");
    }
    let members = api
        .get("/users/me/channel_members?page=0&per_page=200")
        .await;
    assert_eq!(members.body.as_array().unwrap().len(), all.len());
    let unpaged = api.get("/users/me/channel_members").await;
    assert_eq!(unpaged.body.as_array().unwrap().len(), all.len());
    let one = api.get("/users/me/channel_members?page=1&per_page=1").await;
    assert_eq!(one.body.as_array().unwrap().len(), 1);
    assert!(members
        .body
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["team_name"] == "gsm"));
    let m = &members.body[0];
    for field in [
        "msg_count",
        "msg_count_root",
        "mention_count",
        "mention_count_root",
        "last_viewed_at",
        "last_update_at",
        "roles",
    ] {
        assert!(m.get(field).is_some(), "{field}");
    }
    assert_eq!(m["notify_props"]["mark_unread"], "all");

    let gsm = server.team_by_name("gsm").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let per_team = api.get(&format!("/users/me/teams/{gsm}/channels")).await;
    let per_team = per_team.body.as_array().unwrap();
    assert!(per_team.len() < all.len());
    assert!(per_team
        .iter()
        .all(|c| c["team_id"] == gsm.as_str() || c["team_id"] == ""));
    let per_team_members = api
        .get(&format!("/users/me/teams/{gsm}/channels/members"))
        .await;
    assert_eq!(
        per_team_members.body.as_array().unwrap().len(),
        per_team.len()
    );

    let cats = api
        .get(&format!("/users/me/teams/{gsm}/channels/categories"))
        .await;
    assert_eq!(cats.status, 200);
    let types: Vec<&str> = cats.body["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["favorites", "channels", "direct_messages"]);
    assert_eq!(
        cats.body["categories"][0]["channel_ids"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(cats.body["order"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn reading_a_channel_of_another_team_is_refused() {
    let server = start().await;
    let student = server.account(Role::Student);
    let api = login(&server, &student).await;
    let staff_channel = channel_id(&server, "gsm-kollegium", "town-square");
    let r = api.get(&format!("/channels/{staff_channel}/posts")).await;
    assert_eq!(r.status, 403);
    let r = api.get("/channels/nonexistentnonexistentnone/posts").await;
    assert_eq!(r.status, 404);
    assert_eq!(r.body["id"], "app.channel.get.existing.app_error");
    // Letters and digits of the wrong length reach the handler; anything
    // else is refused by the router.
    let r = api.get("/channels/tooshort/posts").await;
    assert_eq!(r.body["id"], "api.context.invalid_url_param.app_error");
    let r = api.get("/channels/bad!/posts").await;
    assert_eq!(r.status, 404);
    assert_eq!(r.body["id"], "api.context.404.app_error");
}

#[tokio::test]
async fn request_log_counts_requests() {
    let server = start().await;
    let api = Api::new(&server);
    server.reset_request_log();
    api.get("/system/ping").await;
    api.get("/users/me").await;
    assert_eq!(server.request_count(), 2);
    let log = server.request_log();
    assert_eq!(log[0].path, "/api/v4/system/ping");
    assert_eq!(log[0].status, 200);
    assert_eq!(log[1].status, 401);
    server.reset_request_log();
    assert_eq!(server.request_count(), 0);
    assert!(server.request_log().is_empty());
}
