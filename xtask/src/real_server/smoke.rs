//! The harness's own end-to-end check of the running server, so that
//! `cargo xtask real-server` proves the server works even without the
//! scenario suite: sign-up with the real verification mail, login, a post
//! seen over REST and the websocket, and a push reaching the push sink.

use std::path::Path;
use std::time::Duration;

use anyhow::{ensure, Context, Result};
use reqwest::Method;
use serde_json::json;

use super::api::Api;
use super::seed::{password_of, School, CLASS};
use super::sinks::{verification_token, wait_for_message};
use super::ws::Socket;

/// Mail and pushes are sent in the background after the API call returns.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(60);

pub async fn check(api: &Api, school: &School, smtp_dir: &Path, push_dir: &Path) -> Result<()> {
    sign_up_with_email_verification(api, smtp_dir).await?;
    post_reaches_websocket(api, school).await?;
    direct_message_reaches_push_proxy(api, school, push_dir).await?;
    Ok(())
}

async fn sign_up_with_email_verification(api: &Api, smtp_dir: &Path) -> Result<()> {
    let email = "smoke.neu@gsm.schule.test";
    let password = password_of("smoke.neu");
    api.anonymous()
        .post(
            "/users",
            json!({"username": "smoke.neu", "email": email, "password": password}),
            201,
        )
        .await
        .context("open sign-up")?;
    let refused = api
        .call(
            Method::POST,
            "/users/login",
            Some(&json!({"login_id": "smoke.neu", "password": password})),
        )
        .await?;
    ensure!(
        refused.body["id"] == "api.user.login.not_verified.app_error",
        "login before verification: expected not_verified, got {} {}",
        refused.status,
        refused.body["id"]
    );
    let mail = wait_for_message(smtp_dir, "verification mail", DELIVERY_TIMEOUT, |mail| {
        mail["to"]
            .as_array()
            .is_some_and(|to| to.iter().any(|a| a == email))
            && mail["text"]
                .as_str()
                .is_some_and(|text| text.contains("token="))
    })
    .await?;
    let token = verification_token(mail["text"].as_str().unwrap_or_default())
        .context("the verification mail has no token= link")?;
    api.anonymous()
        .post("/users/email/verify", json!({"token": token}), 200)
        .await
        .context("verifying the email address with the mailed token")?;
    api.login("smoke.neu", &password)
        .await
        .context("login after verification")?;
    Ok(())
}

async fn post_reaches_websocket(api: &Api, school: &School) -> Result<()> {
    let class = school.channel(CLASS)?;
    let anna = school.session("anna.schulz")?;
    let mut socket = Socket::connect(api.base(), anna.token()).await?;
    let hello = socket.next_event("hello").await?;
    ensure!(hello["seq"] == 0, "hello is not seq 0: {hello}");
    let post = school
        .session("clara.nowak")?
        .post(
            "/posts",
            json!({"channel_id": class, "message": "Smoke: ist jemand da?"}),
            201,
        )
        .await?;
    let post_id = post["id"].as_str().context("post without id")?;
    let posted = socket.next_event("posted").await?;
    socket.close().await;
    let inner: serde_json::Value =
        serde_json::from_str(posted["data"]["post"].as_str().unwrap_or("{}"))
            .context("posted.data.post is not JSON in a string")?;
    ensure!(
        inner["id"] == post_id,
        "posted event for another post: {}",
        inner["id"]
    );
    let page = anna
        .get(&format!("/channels/{class}/posts?page=0&per_page=5"))
        .await?;
    ensure!(
        page["order"][0] == post_id,
        "the new post is not first in the channel"
    );
    Ok(())
}

async fn direct_message_reaches_push_proxy(
    api: &Api,
    school: &School,
    push_dir: &Path,
) -> Result<()> {
    let (clara, _) = api
        .login("clara.nowak", &password_of("clara.nowak"))
        .await?;
    clara
        .expect(
            Method::PUT,
            "/users/sessions/device",
            Some(&json!({"device_id": "android_rn:pausenhof-smoke"})),
            200,
        )
        .await?;
    let teacher = school.session("petra.berger")?;
    let dm = teacher
        .post(
            "/channels/direct",
            json!([
                school.user("petra.berger")?.user_id,
                school.user("clara.nowak")?.user_id
            ]),
            201,
        )
        .await?;
    let post = teacher
        .post(
            "/posts",
            json!({"channel_id": dm["id"], "message": "Smoke: Push?"}),
            201,
        )
        .await?;
    let post_id = post["id"].as_str().context("post without id")?.to_owned();
    let push = wait_for_message(push_dir, "send_push", DELIVERY_TIMEOUT, |push| {
        push["post_id"] == post_id.as_str() && push["device_id"] == "pausenhof-smoke"
    })
    .await?;
    ensure!(
        push["device_id"] == "pausenhof-smoke" && push["platform"] == "android_rn",
        "push went to the wrong device: {} {}",
        push["platform"],
        push["device_id"]
    );
    Ok(())
}
