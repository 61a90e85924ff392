//! Sign-up, email verification, personal access tokens, SSO codes, profile.

mod common;

use common::*;
use pausenhof_testserver::{Dataset, Role, ServerConfig};
use serde_json::json;

#[tokio::test]
async fn first_sign_up_on_an_empty_server_is_admin_and_later_ones_are_not() {
    let server = start_with(ServerConfig {
        dataset: Dataset::Empty,
        ..ServerConfig::default()
    })
    .await;
    assert!(server.accounts().is_empty());
    let api = Api::new(&server);
    let first = api
        .post(
            "/users",
            json!({"email": "chefin@schule.test", "username": "chefin", "password": "sicher-123"}),
        )
        .await;
    assert_eq!(first.status, 201, "{}", first.text);
    assert!(first.body["roles"]
        .as_str()
        .unwrap()
        .contains("system_admin"));
    let second = api
        .post(
            "/users",
            json!({"email": "kind@schule.test", "username": "kind", "password": "sicher-123"}),
        )
        .await;
    assert_eq!(second.body["roles"], "system_user");
    let dup = api
        .post(
            "/users",
            json!({"email": "x@schule.test", "username": "kind", "password": "sicher-123"}),
        )
        .await;
    assert_eq!(dup.body["id"], "app.user.save.username_exists.app_error");
    let bad = api
        .post(
            "/users",
            json!({"email": "y@schule.test", "username": "Ä!", "password": "sicher-123"}),
        )
        .await;
    assert_eq!(bad.body["id"], "model.user.is_valid.username.app_error");
    let short = api
        .post(
            "/users",
            json!({"email": "z@schule.test", "username": "zett", "password": "kurz"}),
        )
        .await;
    assert_eq!(short.status, 400);
}

#[tokio::test]
async fn closed_server_refuses_sign_up() {
    let server = start_with(ServerConfig {
        open_server: false,
        ..ServerConfig::default()
    })
    .await;
    let r = Api::new(&server)
        .post(
            "/users",
            json!({"email": "neu@schule.test", "username": "neu", "password": "sicher-123"}),
        )
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(r.body["id"], "api.user.create_user.no_open_server");
}

#[tokio::test]
async fn email_verification_blocks_login_until_the_token_is_used() {
    let server = start_with(ServerConfig {
        require_email_verification: true,
        ..ServerConfig::default()
    })
    .await;
    let api = Api::new(&server);
    let r = api.post("/users", json!({"email": "Lena@Schule.test", "username": "lena", "password": "sicher-123", "first_name": "Lena", "last_name": "Groß"})).await;
    assert_eq!(r.status, 201);
    let login_body = json!({"login_id": "lena", "password": "sicher-123"});
    let refused = api.post("/users/login", login_body.clone()).await;
    assert_eq!(refused.status, 401);
    assert_eq!(refused.body["id"], "api.user.login.not_verified.app_error");
    assert_eq!(
        api.post(
            "/users/email/verify/send",
            json!({"email": "nobody@x.test"})
        )
        .await
        .status,
        200
    );
    assert_eq!(
        api.post("/users/email/verify", json!({"token": "wrong"}))
            .await
            .status,
        400
    );
    let token = server
        .verification_token("lena@schule.test")
        .expect("a mail was sent");
    // The mailbox tests outside Rust read: the link carries the same token.
    let link = api
        .http
        .get(format!("{}/_mailbox/Lena@Schule.test", server.url()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(link.contains("/do_verify_email?token="), "{link}");
    assert!(link.contains(&token), "{link}");
    let empty = api
        .http
        .get(format!("{}/_mailbox/nobody@x.test", server.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(empty.status(), 404);
    assert_eq!(
        api.post("/users/email/verify", json!({"token": token}))
            .await
            .status,
        200
    );
    assert_eq!(api.post("/users/login", login_body).await.status, 200);
}

#[tokio::test]
async fn personal_access_tokens_work_as_bearer_tokens() {
    let server = start().await;
    let teacher = server.account(Role::Teacher);
    let api = login(&server, &teacher).await;
    let r = api
        .post(
            &format!("/users/{}/tokens", teacher.user_id),
            json!({"description": "cli"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let mut pat = Api::new(&server);
    pat.token = Some(r.body["token"].as_str().unwrap().to_string());
    assert_eq!(pat.get("/users/me").await.body["id"], teacher.user_id);
}

#[tokio::test]
async fn sso_login_code_exchanges_once_for_a_session() {
    let server = start().await;
    let student = server.account(Role::Student);
    let code = server.mint_login_code(&student.user_id).unwrap();
    let api = Api::new(&server);
    let r = api
        .post(
            "/users/login/sso/code-exchange",
            json!({"login_code": code, "code_verifier": "v", "state": "s"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let mut session = Api::new(&server);
    session.token = Some(r.body["token"].as_str().unwrap().to_string());
    assert_eq!(session.get("/users/me").await.body["id"], student.user_id);
    let again = api
        .post(
            "/users/login/sso/code-exchange",
            json!({"login_code": code}),
        )
        .await;
    assert_eq!(again.status, 400, "codes are single use");

    let minted = server.mint_session(&student.user_id).unwrap();
    session.token = Some(minted);
    assert_eq!(session.get("/users/me").await.status, 200);
}

#[tokio::test]
async fn the_nameless_account_can_set_its_full_name() {
    let server = start().await;
    let nameless = server
        .accounts()
        .into_iter()
        .find(|a| {
            a.role == Role::Student
                && a.mfa_secret.is_none()
                && a.user_id != server.account(Role::Student).user_id
        })
        .unwrap();
    let api = login(&server, &nameless).await;
    let me = api.get("/users/me").await.body;
    assert_eq!(me["first_name"], "");
    assert_eq!(me["last_name"], "");
    let patched = api
        .put(
            "/users/me/patch",
            json!({"first_name": "Jürgen", "last_name": "Weiß"}),
        )
        .await;
    assert_eq!(patched.status, 200);
    assert_eq!(api.get("/users/me").await.body["last_name"], "Weiß");
    let other = server.account(Role::Teacher);
    assert_eq!(
        api.put(
            &format!("/users/{}/patch", other.user_id),
            json!({"first_name": "x"})
        )
        .await
        .status,
        403
    );
}

#[tokio::test]
async fn created_users_can_log_in() {
    let server = start().await;
    let account = server.create_user("neue.schuelerin", "neue@gsm.schule.test", "passwort-123");
    server.add_to_team(&account.user_id, "gsm").unwrap();
    let api = login(&server, &account).await;
    let teams = api.get("/users/me/teams").await.body;
    assert_eq!(teams[0]["name"], "gsm");
    assert!(server
        .accounts()
        .iter()
        .any(|a| a.username == "neue.schuelerin"));
}
