//! Records the real server's answers to a fixed list of requests, scrubbed,
//! as one JSON file per request (format: `tests/recordings/README.md`).
//! The test server's differential test compares its own answers with them.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result};
use reqwest::Method;
use serde_json::{json, Map, Value};

use super::api::{Api, Reply};
use super::scrub::{contains_raw_id, Scrubber};
use super::seed::{password_of, Account, School, CLASS};
use super::sinks::wait_for_message;
use super::ws::Socket;

/// Response headers worth comparing; the rest vary by deployment.
const RECORDED_HEADERS: [&str; 5] = [
    "content-type",
    "token",
    "etag",
    "x-version-id",
    "retry-after",
];

/// Recordings of lists whose order the server leaves to chance (ordered by
/// random ids); stored sorted and marked `"unordered": true`.
const UNORDERED: [&str; 8] = [
    "users_me_teams",
    "users_me_teams_members",
    "users_me_teams_unread",
    "users_me_channels",
    "users_me_channel_members",
    "team_channels_for_user",
    "team_channel_members_for_user",
    "users_by_ids",
];

pub struct Recording {
    pub name: String,
    pub content: Value,
}

struct Recorder<'a> {
    base: Api,
    school: &'a School,
    scrubber: Scrubber,
    recordings: Vec<Recording>,
}

impl Recorder<'_> {
    fn api_for(&self, who: &str) -> Result<Api> {
        if who == "anonymous" {
            return Ok(self.base.anonymous());
        }
        self.school.session(who).cloned()
    }

    /// Sends one request as `who` (a seeded username or "anonymous"),
    /// records it under `name` and returns the unscrubbed reply.
    async fn http(
        &mut self,
        name: &str,
        description: &str,
        who: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Reply> {
        let api = self.api_for(who)?;
        self.http_with(name, description, who, &api, method, path, body)
            .await
    }

    #[allow(clippy::too_many_arguments)]
    async fn http_with(
        &mut self,
        name: &str,
        description: &str,
        who: &str,
        api: &Api,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Reply> {
        let reply = api
            .call(method.clone(), path, body.as_ref())
            .await
            .with_context(|| format!("recording {name}"))?;
        if let Some(token) = reply.headers.get("token").and_then(|v| v.to_str().ok()) {
            self.scrubber.secret(token, "token");
        }
        self.scrubber.begin_recording();
        let mut request = Map::new();
        request.insert("method".into(), json!(method.as_str()));
        request.insert(
            "path".into(),
            json!(format!("/api/v4{}", self.scrubber.scrub_text(path))),
        );
        request.insert("as".into(), json!(who));
        if let Some(body) = &body {
            request.insert("body".into(), self.scrubber.scrub(body));
        }
        let mut headers = Map::new();
        for header in RECORDED_HEADERS {
            if let Some(value) = reply.headers.get(header).and_then(|v| v.to_str().ok()) {
                let shown = match header {
                    "token" => "<token>".to_owned(),
                    "etag" => "<etag>".to_owned(),
                    "x-version-id" => "<version_id>".to_owned(),
                    _ => value.to_owned(),
                };
                headers.insert(header.into(), json!(shown));
            }
        }
        let mut body = self.scrubber.scrub(&reply.body);
        let unordered = UNORDERED.contains(&name);
        if let (true, Value::Array(items)) = (unordered, &mut body) {
            items.sort_by_cached_key(|item| item.to_string());
        }
        let mut response = json!({"status": reply.status, "headers": headers, "body": body});
        if unordered {
            response["unordered"] = json!(true);
        }
        let content = json!({
            "name": name,
            "description": description,
            "request": request,
            "response": response,
        });
        self.recordings.push(Recording {
            name: name.to_owned(),
            content,
        });
        Ok(reply)
    }

    /// Names an id that first appeared in the answer just recorded (such
    /// as a new post's), there and in every later recording.
    fn label_new(&mut self, id: &str, label: &str) -> Result<()> {
        if let (Some(numbered), Some(last)) =
            (self.scrubber.numbered(id), self.recordings.last_mut())
        {
            let text = last
                .content
                .to_string()
                .replace(&format!("\"{numbered}\""), &format!("\"<{label}>\""));
            last.content = serde_json::from_str(&text)?;
        }
        self.scrubber.label(id, label);
        Ok(())
    }

    fn other(&mut self, name: &str, description: &str, request: Value, frames: Vec<Value>) {
        self.scrubber.begin_recording();
        let frames: Vec<Value> = frames
            .iter()
            .map(|frame| self.scrubber.scrub(frame))
            .collect();
        self.recordings.push(Recording {
            name: name.to_owned(),
            content: json!({
                "name": name,
                "description": description,
                "request": request,
                "frames": frames,
            }),
        });
    }
}

pub struct RecordInputs<'a> {
    pub api: &'a Api,
    pub school: &'a School,
    pub push_dir: &'a Path,
}

pub async fn record_all(inputs: &RecordInputs<'_>) -> Result<Vec<Recording>> {
    let school = inputs.school;
    let mut r = Recorder {
        base: inputs.api.anonymous(),
        school,
        scrubber: school_scrubber(inputs.api, school),
        recordings: Vec::new(),
    };
    let class = school.channel(CLASS)?.to_owned();
    let gsm = school.teams["gsm"].clone();
    let anna = school.user("anna.schulz")?.clone();

    record_public(&mut r).await?;
    let anna_fresh = record_logins(&mut r, inputs.api, &anna).await?;
    record_mfa(&mut r).await?;
    record_signup_and_verification(&mut r).await?;
    record_no_session(&mut r, inputs.api).await?;
    record_first_sync(&mut r, &gsm, &anna).await?;
    record_reading_posts(&mut r, &class).await?;
    record_writing_posts(&mut r, &class, &anna).await?;
    record_errors(&mut r).await?;
    record_viewing_and_devices(&mut r, &class, &anna_fresh).await?;
    record_websocket(&mut r, inputs.api, &class).await?;
    record_push(&mut r, inputs.api, inputs.push_dir).await?;
    Ok(r.recordings)
}

/// A scrubber that knows the school: its passwords and MFA secrets as
/// secrets, its users, teams, channels and posts by name.
fn school_scrubber(api: &Api, school: &School) -> Scrubber {
    let mut scrubber = Scrubber::new(api.base());
    for account in &school.accounts {
        scrubber.secret(&account.password, "password");
        if let Some(secret) = &account.mfa_secret {
            scrubber.secret(secret, "mfa_secret");
        }
    }
    label_school(&mut scrubber, school);
    scrubber
}

/// What a client asks before anyone signs in.
async fn record_public(r: &mut Recorder<'_>) -> Result<()> {
    r.http(
        "system_ping",
        "Server reachable, no session.",
        "anonymous",
        Method::GET,
        "/system/ping",
        None,
    )
    .await?;
    r.http(
        "config_client_old",
        "Client configuration as strings, no session.",
        "anonymous",
        Method::GET,
        "/config/client?format=old",
        None,
    )
    .await?;
    r.http(
        "license_client_old",
        "License summary of a server without license.",
        "anonymous",
        Method::GET,
        "/license/client?format=old",
        None,
    )
    .await?;
    Ok(())
}

/// Password logins that fail and succeed; returns a session of Anna's own,
/// made by the successful login, for the device registrations.
async fn record_logins(r: &mut Recorder<'_>, api: &Api, anna: &Account) -> Result<Api> {
    let login =
        |login_id: &str, password: &str| json!({"login_id": login_id, "password": password});
    r.http(
        "login_wrong_password",
        "Existing user, wrong password.",
        "anonymous",
        Method::POST,
        "/users/login",
        Some(login("anna.schulz", "falsches-Passwort1!")),
    )
    .await?;
    r.http(
        "login_unknown_user",
        "No such user.",
        "anonymous",
        Method::POST,
        "/users/login",
        Some(login("niemand", "Unbekannt-Passwort1")),
    )
    .await?;
    let logged_in = r
        .http(
            "login_success",
            "Login by username; the session token is in the Token header.",
            "anonymous",
            Method::POST,
            "/users/login",
            Some(login("anna.schulz", &anna.password)),
        )
        .await?;
    let token = logged_in
        .headers
        .get("token")
        .and_then(|v| v.to_str().ok())
        .context("login without token")?;
    let anna_fresh = api.with_token(token);
    r.http(
        "login_by_email",
        "Login by email address.",
        "anonymous",
        Method::POST,
        "/users/login",
        Some(login(&anna.email, &anna.password)),
    )
    .await?;
    Ok(anna_fresh)
}

/// `/users/me` with an unknown token and with none.
async fn record_no_session(r: &mut Recorder<'_>, api: &Api) -> Result<()> {
    let mut bad = api.with_token("abcdefghijklmnopqrstuvwxyz");
    r.http_with(
        "users_me_invalid_token",
        "A token the server does not know.",
        "invalid-token",
        &bad,
        Method::GET,
        "/users/me",
        None,
    )
    .await?;
    bad = api.anonymous();
    r.http_with(
        "users_me_no_session",
        "No Authorization header.",
        "anonymous",
        &bad,
        Method::GET,
        "/users/me",
        None,
    )
    .await?;
    Ok(())
}

/// The reads of a first sync: the user, teams, channels, members,
/// categories, profiles.
async fn record_first_sync(r: &mut Recorder<'_>, gsm: &str, anna: &Account) -> Result<()> {
    r.http(
        "users_me",
        "The signed-in user.",
        "anna.schulz",
        Method::GET,
        "/users/me",
        None,
    )
    .await?;
    r.http(
        "users_me_teams",
        "Teams of the user.",
        "anna.schulz",
        Method::GET,
        "/users/me/teams",
        None,
    )
    .await?;
    r.http(
        "users_me_teams_members",
        "Team memberships of the user.",
        "anna.schulz",
        Method::GET,
        "/users/me/teams/members",
        None,
    )
    .await?;
    r.http(
        "users_me_teams_unread",
        "Unread counts per team.",
        "anna.schulz",
        Method::GET,
        "/users/me/teams/unread",
        None,
    )
    .await?;
    r.http(
        "users_me_channels",
        "Channels of all teams at once.",
        "anna.schulz",
        Method::GET,
        "/users/me/channels",
        None,
    )
    .await?;
    r.http(
        "users_me_channel_members",
        "Channel memberships of all teams.",
        "anna.schulz",
        Method::GET,
        "/users/me/channel_members?page=0&per_page=200",
        None,
    )
    .await?;
    r.http(
        "team_channels_for_user",
        "Channels of one team.",
        "anna.schulz",
        Method::GET,
        &format!("/users/me/teams/{gsm}/channels"),
        None,
    )
    .await?;
    r.http(
        "team_channel_members_for_user",
        "Channel memberships in one team.",
        "anna.schulz",
        Method::GET,
        &format!("/users/me/teams/{gsm}/channels/members"),
        None,
    )
    .await?;
    r.http(
        "team_channel_categories",
        "Sidebar categories of one team.",
        "anna.schulz",
        Method::GET,
        &format!("/users/me/teams/{gsm}/channels/categories"),
        None,
    )
    .await?;
    r.http(
        "users_by_ids",
        "Profiles by id.",
        "anna.schulz",
        Method::POST,
        "/users/ids",
        Some(json!([
            anna.user_id,
            r.school.user("petra.berger")?.user_id
        ])),
    )
    .await?;
    Ok(())
}

/// Channel pages (by page, before, after, since) and a thread.
async fn record_reading_posts(r: &mut Recorder<'_>, class: &str) -> Result<()> {
    let posts = &r.school.class_posts;
    r.http(
        "channel_posts_page",
        "First page of a channel, newest first.",
        "anna.schulz",
        Method::GET,
        &format!("/channels/{class}/posts?page=0&per_page=3"),
        None,
    )
    .await?;
    r.http(
        "channel_posts_before",
        "Posts before a post.",
        "anna.schulz",
        Method::GET,
        &format!("/channels/{class}/posts?before={}&per_page=2", posts[4]),
        None,
    )
    .await?;
    r.http(
        "channel_posts_after",
        "Posts after a post.",
        "anna.schulz",
        Method::GET,
        &format!("/channels/{class}/posts?after={}&per_page=2", posts[4]),
        None,
    )
    .await?;
    let anchor = r
        .api_for("anna.schulz")?
        .get(&format!("/posts/{}", posts[6]))
        .await?;
    let since = anchor["create_at"]
        .as_i64()
        .context("post without create_at")?
        - 1;
    r.http(
        "channel_posts_since",
        "Posts changed since a time (create_at of the 7th class post minus 1 ms).",
        "anna.schulz",
        Method::GET,
        &format!("/channels/{class}/posts?since={since}"),
        None,
    )
    .await?;
    if let Some(recording) = r.recordings.last_mut() {
        recording.content["request"]["path"] = json!(format!(
            "/api/v4/channels/<channel:gsm/klasse-5a>/posts?since=<time>"
        ));
    }
    r.http(
        "post_thread",
        "A thread: root and reply.",
        "anna.schulz",
        Method::GET,
        &format!("/posts/{}/thread", posts[0]),
        None,
    )
    .await?;
    Ok(())
}

/// Creating (twice with one pending_post_id), editing, reacting to and
/// deleting posts, and editing someone else's.
async fn record_writing_posts(r: &mut Recorder<'_>, class: &str, anna: &Account) -> Result<()> {
    let posts = &r.school.class_posts;
    let new_post = json!({"channel_id": class, "message": "Ich bringe morgen das Buch mit.", "pending_post_id": "pausenhof-recording-1"});
    let created = r
        .http(
            "create_post",
            "A new post with a pending_post_id.",
            "anna.schulz",
            Method::POST,
            "/posts",
            Some(new_post.clone()),
        )
        .await?;
    let created_id = created.body["id"]
        .as_str()
        .context("created post without id")?
        .to_owned();
    r.label_new(&created_id, "post:created")?;
    r.http(
        "create_post_same_pending_id",
        "The same pending_post_id again, at once.",
        "anna.schulz",
        Method::POST,
        "/posts",
        Some(new_post),
    )
    .await?;
    r.http(
        "patch_post",
        "Editing the message.",
        "anna.schulz",
        Method::PUT,
        &format!("/posts/{created_id}/patch"),
        Some(json!({"message": "Ich bringe morgen beide Bücher mit."})),
    )
    .await?;
    r.http(
        "add_reaction",
        "A reaction on a post.",
        "anna.schulz",
        Method::POST,
        "/reactions",
        Some(json!({"user_id": anna.user_id, "post_id": posts[0], "emoji_name": "thumbsup"})),
    )
    .await?;
    r.http(
        "patch_post_of_other_user",
        "Editing someone else's post.",
        "anna.schulz",
        Method::PUT,
        &format!("/posts/{}/patch", posts[0]),
        Some(json!({"message": "nicht meins"})),
    )
    .await?;
    r.http(
        "delete_post",
        "Deleting one's own post.",
        "anna.schulz",
        Method::DELETE,
        &format!("/posts/{created_id}"),
        None,
    )
    .await?;
    r.http(
        "get_deleted_post",
        "A deleted post by id.",
        "anna.schulz",
        Method::GET,
        &format!("/posts/{created_id}"),
        None,
    )
    .await?;
    Ok(())
}

/// Error answers: missing and malformed ids, a forbidden channel, an
/// unknown route, a body that is not JSON.
async fn record_errors(r: &mut Recorder<'_>) -> Result<()> {
    let missing = "xq3kf9wzdjbymtn8cu4p6hg1ra";
    r.http(
        "post_not_found",
        "A well-formed id of no post.",
        "anna.schulz",
        Method::GET,
        &format!("/posts/{missing}"),
        None,
    )
    .await?;
    r.http(
        "post_malformed_id",
        "An id that is not an id.",
        "anna.schulz",
        Method::GET,
        "/posts/not-an-id",
        None,
    )
    .await?;
    r.http(
        "channel_not_found",
        "A well-formed id of no channel.",
        "anna.schulz",
        Method::GET,
        &format!("/channels/{missing}"),
        None,
    )
    .await?;
    r.http(
        "private_channel_forbidden",
        "A private channel the user is not in.",
        "deniz.kaya",
        Method::GET,
        &format!("/channels/{}", r.school.channel("gsm/mathe-5a")?),
        None,
    )
    .await?;
    r.http(
        "unknown_route",
        "A path the API does not have.",
        "anna.schulz",
        Method::GET,
        "/no-such-route",
        None,
    )
    .await?;
    r.http(
        "post_invalid_json",
        "A body that is not JSON.",
        "anna.schulz",
        Method::POST,
        "/posts",
        Some(json!("not an object")),
    )
    .await?;
    Ok(())
}

/// Marking a channel viewed and registering a device for push.
async fn record_viewing_and_devices(
    r: &mut Recorder<'_>,
    class: &str,
    anna_fresh: &Api,
) -> Result<()> {
    r.http(
        "view_channel",
        "Marking a channel viewed.",
        "anna.schulz",
        Method::POST,
        "/channels/members/me/view",
        Some(json!({"channel_id": class, "prev_channel_id": ""})),
    )
    .await?;
    r.http_with(
        "register_device_bad_platform",
        "A device id with an unknown platform.",
        "anna.schulz (fresh session)",
        anna_fresh,
        Method::PUT,
        "/users/sessions/device",
        Some(json!({"device_id": "fcm:pausenhof-recording"})),
    )
    .await?;
    r.http_with(
        "register_device",
        "A device id for Android push.",
        "anna.schulz (fresh session)",
        anna_fresh,
        Method::PUT,
        "/users/sessions/device",
        Some(json!({"device_id": "android_rn:pausenhof-recording"})),
    )
    .await?;
    Ok(())
}

fn label_school(scrubber: &mut Scrubber, school: &School) {
    for account in &school.accounts {
        scrubber.label(&account.user_id, &format!("user:{}", account.username));
    }
    for (name, id) in &school.teams {
        scrubber.label(id, &format!("team:{name}"));
    }
    for (name, id) in &school.channels {
        scrubber.label(id, &format!("channel:{name}"));
    }
    for (index, id) in school.class_posts.iter().enumerate() {
        scrubber.label(id, &format!("post:{CLASS}/{}", index + 1));
    }
    scrubber.label(&school.thread_reply, &format!("post:{CLASS}/reply"));
    scrubber.label(
        &school.direct_channel,
        "channel:dm/petra.berger__anna.schulz",
    );
    for session in school.sessions.values() {
        if let Some(token) = session.token() {
            scrubber.secret(token, "token");
        }
    }
}

/// The error shapes of a login that needs an MFA code.
async fn record_mfa(r: &mut Recorder<'_>) -> Result<()> {
    let account = r
        .school
        .accounts
        .iter()
        .find(|account| account.mfa_secret.is_some())
        .context("no seeded account with MFA")?
        .clone();
    let login = |token: Option<&str>| {
        let mut body = json!({"login_id": account.username, "password": account.password});
        if let Some(token) = token {
            body["token"] = json!(token);
        }
        body
    };
    r.http(
        "login_mfa_required",
        "Right password, MFA active, no code.",
        "anonymous",
        Method::POST,
        "/users/login",
        Some(login(None)),
    )
    .await?;
    r.http(
        "login_mfa_wrong_code",
        "Right password, wrong MFA code.",
        "anonymous",
        Method::POST,
        "/users/login",
        Some(login(Some("000000"))),
    )
    .await?;
    Ok(())
}

async fn record_signup_and_verification(r: &mut Recorder<'_>) -> Result<()> {
    let password = password_of("neu.angemeldet");
    r.scrubber.secret(&password, "password");
    let signup = json!({"username": "neu.angemeldet", "email": "neu.angemeldet@gsm.schule.test", "password": password});
    let created = r
        .http(
            "signup_open_server",
            "Sign-up by anyone on an open server.",
            "anonymous",
            Method::POST,
            "/users",
            Some(signup),
        )
        .await?;
    if let Some(id) = created.body["id"].as_str() {
        r.label_new(id, "user:neu.angemeldet")?;
    }
    r.http(
        "login_not_verified",
        "Login before the email address is verified.",
        "anonymous",
        Method::POST,
        "/users/login",
        Some(json!({"login_id": "neu.angemeldet", "password": password})),
    )
    .await?;
    r.http(
        "verify_email_bad_token",
        "Verification with a token the server never sent.",
        "anonymous",
        Method::POST,
        "/users/email/verify",
        Some(json!({"token": "kein-gueltiges-token"})),
    )
    .await?;
    r.http(
        "verify_email_send",
        "Asking for the verification mail again.",
        "anonymous",
        Method::POST,
        "/users/email/verify/send",
        Some(json!({"email": "neu.angemeldet@gsm.schule.test"})),
    )
    .await?;
    Ok(())
}

async fn record_websocket(r: &mut Recorder<'_>, api: &Api, class: &str) -> Result<()> {
    let anna = r.school.session("anna.schulz")?.clone();
    let mut socket = Socket::connect(api.base(), anna.token()).await?;
    let hello = socket.next_event("hello").await?;
    let post = r
        .school
        .session("petra.berger")?
        .post(
            "/posts",
            json!({"channel_id": class, "message": "Morgen fällt die erste Stunde aus!"}),
            201,
        )
        .await?;
    if let Some(id) = post["id"].as_str() {
        r.scrubber.label(id, "post:websocket");
    }
    let posted = socket.next_event("posted").await?;
    socket.close().await;
    r.other(
        "websocket_hello_and_posted",
        "Bearer header on the upgrade: hello, then the posted event of a post by petra.berger in gsm/klasse-5a. Other events in between are left out.",
        json!({"websocket": "/api/v4/websocket", "as": "anna.schulz", "auth": "header"}),
        vec![hello, posted],
    );

    let mut socket = Socket::connect(api.base(), None).await?;
    let challenge =
        json!({"seq": 1, "action": "authentication_challenge", "data": {"token": anna.token()}});
    socket.send(&challenge).await?;
    let mut frames = Vec::new();
    for _ in 0..2 {
        frames.push(socket.next_json().await?);
    }
    socket.close().await;
    let sent = r.scrubber.scrub(&challenge);
    r.other(
        "websocket_authentication_challenge",
        "No header; authentication_challenge as the first message. The first two frames.",
        json!({"websocket": "/api/v4/websocket", "as": "anna.schulz", "auth": "challenge", "send": sent}),
        frames,
    );
    Ok(())
}

async fn record_push(r: &mut Recorder<'_>, api: &Api, push_dir: &Path) -> Result<()> {
    let (deniz, _) = api.login("deniz.kaya", &password_of("deniz.kaya")).await?;
    deniz
        .expect(
            Method::PUT,
            "/users/sessions/device",
            Some(&json!({"device_id": "android_rn:pausenhof-push-recording"})),
            200,
        )
        .await?;
    let teacher = r.school.session("jonas.wagner")?.clone();
    let deniz_id = r.school.user("deniz.kaya")?.user_id.clone();
    let dm = teacher
        .post(
            "/channels/direct",
            json!([r.school.user("jonas.wagner")?.user_id, deniz_id]),
            201,
        )
        .await?;
    let dm_id = dm["id"]
        .as_str()
        .context("direct channel without id")?
        .to_owned();
    r.scrubber
        .label(&dm_id, "channel:dm/jonas.wagner__deniz.kaya");
    let post = teacher
        .post(
            "/posts",
            json!({"channel_id": dm_id, "message": "Bitte bring dein Heft mit."}),
            201,
        )
        .await?;
    let post_id = post["id"].as_str().context("post without id")?.to_owned();
    r.scrubber.label(&post_id, "post:push");
    let push = wait_for_message(
        push_dir,
        "send_push for the direct message",
        Duration::from_secs(60),
        |push| push["post_id"] == post_id.as_str() && push["type"] == "message",
    )
    .await?;
    r.other(
        "push_send_push",
        "What the server POSTs to the push proxy's /api/v1/send_push when jonas.wagner sends deniz.kaya (device android_rn registered) a direct message; contents `full`.",
        json!({"push_proxy": "/api/v1/send_push", "to": "deniz.kaya"}),
        vec![push],
    );
    Ok(())
}

/// Every string in a JSON value, object keys included.
fn strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(text) => out.push(text.clone()),
        Value::Array(items) => items.iter().for_each(|item| strings(item, out)),
        Value::Object(map) => {
            for (key, item) in map {
                out.push(key.clone());
                strings(item, out);
            }
        }
        _ => {}
    }
}

/// Fails when a recording still holds something the scrubber should have
/// replaced: a recording with live ids would make the differential test
/// compare run-specific values.
fn check_scrubbed(recording: &Recording) -> Result<()> {
    let mut texts = Vec::new();
    strings(&recording.content, &mut texts);
    for text in texts {
        anyhow::ensure!(
            !contains_raw_id(&text) && !text.contains("-Pw1!") && !text.contains("127.0.0.1"),
            "recording {} is not fully scrubbed: {text:?}",
            recording.name
        );
    }
    Ok(())
}

/// Writes the recordings as `<name>.json`, replacing older recordings.
pub fn write_recordings(dir: &Path, recordings: &[Recording]) -> Result<()> {
    for recording in recordings {
        check_scrubbed(recording)?;
    }
    std::fs::create_dir_all(dir)?;
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|ext| ext == "json") {
            std::fs::remove_file(&path)?;
        }
    }
    for recording in recordings {
        let mut text = serde_json::to_string_pretty(&recording.content)?;
        text.push('\n');
        std::fs::write(dir.join(format!("{}.json", recording.name)), text)?;
    }
    Ok(())
}

/// Names of recordings whose content differs from the files in `dir`.
pub fn compare_with(dir: &Path, recordings: &[Recording]) -> Vec<String> {
    recordings
        .iter()
        .filter(|recording| {
            let stored = std::fs::read(dir.join(format!("{}.json", recording.name)))
                .ok()
                .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok());
            stored.as_ref() != Some(&recording.content)
        })
        .map(|recording| recording.name.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The committed recordings are what the test server's differential
    /// test reads, also where Go is missing: they must be well-formed and
    /// free of raw ids, tokens and passwords.
    #[test]
    fn committed_recordings_are_well_formed_and_scrubbed() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/recordings");
        let mut count = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|ext| ext != "json") {
                continue;
            }
            count += 1;
            let recording: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
            let stem = path.file_stem().unwrap().to_str().unwrap();
            assert_eq!(recording["name"], stem, "{}", path.display());
            assert!(recording["request"].is_object(), "{stem}: no request");
            assert!(
                recording["response"]["status"].is_u64() || recording["frames"].is_array(),
                "{stem}: neither a response status nor frames"
            );
            let mut texts = Vec::new();
            strings(&recording, &mut texts);
            for text in texts {
                assert!(!contains_raw_id(&text), "{stem}: unscrubbed id in {text:?}");
                assert!(!text.contains("-Pw1!"), "{stem}: password in {text:?}");
                assert!(!text.contains("127.0.0.1"), "{stem}: address in {text:?}");
            }
        }
        assert!(count >= 40, "only {count} recordings in {}", dir.display());
    }
}
