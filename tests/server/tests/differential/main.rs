//! The differential test: replays the requests recorded against a real
//! Mattermost server (`tests/recordings/`, made by `cargo xtask real-server
//! --record`) against the test server, seeded with the same school
//! (`Dataset::Miniature`), and compares status, recorded headers and body
//! field by field after scrubbing both alike. Every difference is a
//! test-server bug unless [`ALLOWED`] names it with a reason.

#[path = "../common/mod.rs"]
mod common;
mod compare;
// The recorder's own scrubber, so recordings and the test server's answers
// are scrubbed by the same rules; only part of it is used here.
#[allow(dead_code)]
#[path = "../../../../xtask/src/real_server/scrub.rs"]
mod scrub;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use pausenhof_testserver::{Dataset, ServerConfig, TestServer};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

use compare::{compare, Difference};
use scrub::Scrubber;

/// The recordings in the order the recorder made them: later requests see
/// the effects of earlier ones (the created post is edited, then deleted).
const ORDER: &[&str] = &[
    "system_ping",
    "config_client_old",
    "license_client_old",
    "login_wrong_password",
    "login_unknown_user",
    "login_success",
    "login_by_email",
    "login_mfa_required",
    "login_mfa_wrong_code",
    "signup_open_server",
    "login_not_verified",
    "verify_email_bad_token",
    "verify_email_send",
    "users_me_invalid_token",
    "users_me_no_session",
    "users_me",
    "users_me_teams",
    "users_me_teams_members",
    "users_me_teams_unread",
    "users_me_channels",
    "users_me_channel_members",
    "team_channels_for_user",
    "team_channel_members_for_user",
    "team_channel_categories",
    "users_by_ids",
    "channel_posts_page",
    "channel_posts_before",
    "channel_posts_after",
    "channel_posts_since",
    "post_thread",
    "create_post",
    "create_post_same_pending_id",
    "patch_post",
    "add_reaction",
    "patch_post_of_other_user",
    "delete_post",
    "get_deleted_post",
    "post_not_found",
    "post_malformed_id",
    "channel_not_found",
    "private_channel_forbidden",
    "unknown_route",
    "post_invalid_json",
    "view_channel",
    "register_device_bad_platform",
    "register_device",
    "websocket_hello_and_posted",
    "websocket_authentication_challenge",
    "push_send_push",
];

/// Differences we keep on purpose: (recording or `*`, path with `*` for one
/// segment, why). A stale entry (one that matches nothing) fails the test,
/// so this list only ever shrinks with the differences it excuses.
const ALLOWED: &[(&str, &str, &str)] = &[
    // The test server is set up as a German school's server
    // (LocalizationSettings.DefaultClientLocale = de); the recorded server
    // runs Mattermost's default, en. Seeded accounts say en in both.
    (
        "config_client_old",
        "body.DefaultClientLocale",
        "configured locale",
    ),
    ("signup_open_server", "body.locale", "configured locale"),
    // Names of the deployment, not behaviour: the test server reports its
    // own site name and version (ServerConfig::site_name, ::version).
    ("config_client_old", "body.SiteName", "deployment name"),
    ("config_client_old", "body.Version", "server version"),
];

const RECORDED_HEADERS: [&str; 5] = [
    "content-type",
    "token",
    "etag",
    "x-version-id",
    "retry-after",
];

const CHANNELS: &[&str] = &[
    "gsm/town-square",
    "gsm/off-topic",
    "gsm/klasse-5a",
    "gsm/mathe-5a",
    "gsm/klasse-5b",
    "gsm/deutsch-5b",
    "gsm-kollegium/town-square",
    "gsm-kollegium/off-topic",
    "gsm-kollegium/fachschaft-mathe",
    "gsm-kollegium/fachschaft-deutsch",
    "koop/town-square",
    "koop/off-topic",
    "koop/projekt-1",
    "koop-lehrer/town-square",
    "koop-lehrer/off-topic",
];

const CLASS: &str = "gsm/klasse-5a";

fn recordings_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../recordings")
}

struct Replay {
    server: TestServer,
    http: reqwest::Client,
    scrubber: Scrubber,
    /// `as` of a recording -> session token.
    sessions: HashMap<String, String>,
    /// login id (username or email) -> password.
    passwords: HashMap<String, String>,
    differences: Vec<(String, Difference)>,
}

struct Reply {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

impl Replay {
    async fn start() -> Replay {
        let server = TestServer::start(ServerConfig {
            dataset: Dataset::Miniature,
            require_email_verification: true,
            ..ServerConfig::default()
        })
        .await
        .expect("the test server starts");
        let mut scrubber = Scrubber::new(&server.url());
        let mut passwords = HashMap::new();
        for account in server.accounts() {
            scrubber.label(&account.user_id, &format!("user:{}", account.username));
            scrubber.secret(&account.password, "password");
            if let Some(secret) = &account.mfa_secret {
                scrubber.secret(secret, "mfa_secret");
            }
            passwords.insert(account.username.clone(), account.password.clone());
            passwords.insert(account.email.clone(), account.password.clone());
        }
        for team in ["gsm", "gsm-kollegium", "koop", "koop-lehrer"] {
            let id = server
                .team_by_name(team)
                .unwrap_or_else(|| panic!("no team {team}"))["id"]
                .as_str()
                .unwrap()
                .to_owned();
            scrubber.label(&id, &format!("team:{team}"));
        }
        for key in CHANNELS {
            let (team, name) = key.split_once('/').unwrap();
            let channel = server
                .channel_by_name(team, name)
                .unwrap_or_else(|| panic!("no channel {key}"));
            scrubber.label(channel["id"].as_str().unwrap(), &format!("channel:{key}"));
        }
        let mut replay = Replay {
            server,
            http: common::client(),
            scrubber,
            sessions: HashMap::new(),
            passwords,
            differences: Vec::new(),
        };
        for account in replay.server.accounts() {
            if account.mfa_secret.is_none() {
                let token = replay.login(&account.username).await;
                replay.sessions.insert(account.username.clone(), token);
            }
        }
        replay.label_seeded_posts().await;
        replay
    }

    async fn login(&mut self, username: &str) -> String {
        let reply = self
            .call(
                "POST",
                "/api/v4/users/login",
                None,
                Some(json!({"login_id": username, "password": self.passwords[username]})),
            )
            .await;
        assert_eq!(reply.status, 200, "login of {username}: {}", reply.body);
        let token = reply.headers["token"].to_str().unwrap().to_owned();
        self.scrubber.secret(&token, "token");
        token
    }

    fn id(&self, label: &str) -> String {
        self.scrubber
            .id_of(label)
            .unwrap_or_else(|| panic!("nothing is labelled {label}"))
            .to_owned()
    }

    /// The class posts (oldest first), the reply and the direct channel,
    /// as the recorder labels them.
    async fn label_seeded_posts(&mut self) {
        let class = self.id(&format!("channel:{CLASS}"));
        let petra = self.sessions["petra.berger"].clone();
        let page = self
            .call(
                "GET",
                &format!("/api/v4/channels/{class}/posts?per_page=200"),
                Some(&petra),
                None,
            )
            .await
            .body;
        let mut posts: Vec<&Value> = page["posts"]
            .as_object()
            .unwrap()
            .values()
            .filter(|p| p["type"] == "")
            .collect();
        posts.sort_by_key(|p| p["create_at"].as_i64());
        let mut number = 0;
        for post in posts {
            let id = post["id"].as_str().unwrap();
            if post["root_id"] == "" {
                number += 1;
                self.scrubber.label(id, &format!("post:{CLASS}/{number}"));
            } else {
                self.scrubber.label(id, &format!("post:{CLASS}/reply"));
            }
        }
        assert_eq!(number, 8, "the class channel has 8 seeded posts");
        let ids = json!([self.id("user:petra.berger"), self.id("user:anna.schulz")]);
        let direct = self
            .call("POST", "/api/v4/channels/direct", Some(&petra), Some(ids))
            .await
            .body;
        self.scrubber.label(
            direct["id"].as_str().unwrap(),
            "channel:dm/petra.berger__anna.schulz",
        );
    }

    async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let url = format!("{}{path}", self.server.url());
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = self.http.request(method, url);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = &body {
            request = request.json(body);
        }
        let response = request.send().await.expect("the test server answers");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.unwrap_or_default();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        Reply {
            status,
            headers,
            body,
        }
    }

    fn token_for(&self, who: &str) -> Option<String> {
        match who {
            "anonymous" => None,
            "invalid-token" => Some("abcdefghijklmnopqrstuvwxyz".into()),
            _ => Some(
                self.sessions
                    .get(who)
                    .unwrap_or_else(|| panic!("no session for {who}"))
                    .clone(),
            ),
        }
    }

    /// A recorded request body with its placeholders filled in.
    fn resolve_body(&self, body: &Value) -> Value {
        match body {
            Value::Object(map) => {
                let login = map
                    .get("login_id")
                    .or_else(|| map.get("username"))
                    .and_then(Value::as_str)
                    .map(|l| self.scrubber.resolve(l));
                let mut out = serde_json::Map::new();
                for (key, value) in map {
                    let resolved = match (value.as_str(), &login) {
                        (Some("<password>"), Some(login)) => Value::String(
                            self.passwords
                                .get(login)
                                .cloned()
                                .unwrap_or_else(|| format!("{login}-Pw1!")),
                        ),
                        (Some("<token>"), _) => json!(self.sessions["anna.schulz"]),
                        _ => self.resolve_body(value),
                    };
                    out.insert(key.clone(), resolved);
                }
                Value::Object(out)
            }
            Value::Array(items) => items.iter().map(|v| self.resolve_body(v)).collect(),
            Value::String(text) => Value::String(self.scrubber.resolve(text)),
            other => other.clone(),
        }
    }

    async fn replay_http(&mut self, name: &str, recording: &Value) {
        let request = &recording["request"];
        let who = request["as"].as_str().unwrap();
        let mut path = self.scrubber.resolve(request["path"].as_str().unwrap());
        // An id the recorder did not know (a made-up one) was numbered; any
        // fresh id stands in for it.
        while let Some(start) = path.find("<id:") {
            let end = start + path[start..].find('>').unwrap();
            path.replace_range(start..=end, "xq3kf9wzdjbymtn8cu4p6hg1ra");
        }
        if path.contains("<time>") {
            let anchor = self.id(&format!("post:{CLASS}/7"));
            let token = self.sessions["anna.schulz"].clone();
            let post = self
                .call(
                    "GET",
                    &format!("/api/v4/posts/{anchor}"),
                    Some(&token),
                    None,
                )
                .await
                .body;
            let since = post["create_at"].as_i64().unwrap() - 1;
            path = path.replace("<time>", &since.to_string());
        }
        let body = request.get("body").map(|b| self.resolve_body(b));
        let token = self.token_for(who);
        let reply = self
            .call(
                request["method"].as_str().unwrap(),
                &path,
                token.as_deref(),
                body,
            )
            .await;

        if let Some(token) = reply.headers.get("token").and_then(|v| v.to_str().ok()) {
            self.scrubber.secret(token, "token");
            if name == "login_success" {
                self.sessions
                    .insert("anna.schulz (fresh session)".into(), token.to_owned());
            }
        }
        match name {
            "signup_open_server" => {
                if let Some(id) = reply.body["id"].as_str() {
                    self.scrubber.label(id, "user:neu.angemeldet");
                }
                self.scrubber.secret("neu.angemeldet-Pw1!", "password");
            }
            "create_post" => {
                if let Some(id) = reply.body["id"].as_str() {
                    self.scrubber.label(id, "post:created");
                }
            }
            _ => {}
        }

        self.scrubber.begin_recording();
        let mut headers = serde_json::Map::new();
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
        let expected = &recording["response"];
        if expected["unordered"] == true {
            if let Value::Array(items) = &mut body {
                items.sort_by_cached_key(|item| item.to_string());
            }
        }
        let mut found = Vec::new();
        compare(
            &expected["status"],
            &json!(reply.status),
            "status",
            &mut found,
        );
        compare(
            &expected["headers"],
            &Value::Object(headers),
            "headers",
            &mut found,
        );
        compare(&expected["body"], &body, "body", &mut found);
        self.note(name, found);
    }

    fn note(&mut self, name: &str, found: Vec<Difference>) {
        self.differences
            .extend(found.into_iter().map(|d| (name.to_owned(), d)));
    }

    fn compare_frames(&mut self, name: &str, recording: &Value, frames: &[Value]) {
        self.scrubber.begin_recording();
        let scrubbed: Vec<Value> = frames.iter().map(|f| self.scrubber.scrub(f)).collect();
        let mut found = Vec::new();
        compare(&recording["frames"], &json!(scrubbed), "frames", &mut found);
        self.note(name, found);
    }

    async fn replay_websocket_hello_and_posted(&mut self, recording: &Value) {
        let anna = self.sessions["anna.schulz"].clone();
        let mut socket = Socket::connect(&self.server.url(), Some(&anna)).await;
        let hello = socket.next_event("hello").await;
        let class = self.id(&format!("channel:{CLASS}"));
        let petra = self.sessions["petra.berger"].clone();
        let post = self
            .call(
                "POST",
                "/api/v4/posts",
                Some(&petra),
                Some(json!({"channel_id": class, "message": "Morgen fällt die erste Stunde aus!"})),
            )
            .await
            .body;
        self.scrubber
            .label(post["id"].as_str().unwrap(), "post:websocket");
        let posted = socket.next_event("posted").await;
        self.compare_frames("websocket_hello_and_posted", recording, &[hello, posted]);
    }

    async fn replay_websocket_challenge(&mut self, recording: &Value) {
        let mut socket = Socket::connect(&self.server.url(), None).await;
        let challenge = self.resolve_body(&recording["request"]["send"]);
        socket.send(&challenge).await;
        let frames = [socket.next_json().await, socket.next_json().await];
        self.compare_frames("websocket_authentication_challenge", recording, &frames);
    }

    async fn replay_push(&mut self, recording: &Value) {
        let deniz = self.login("deniz.kaya").await;
        let device = self
            .call(
                "PUT",
                "/api/v4/users/sessions/device",
                Some(&deniz),
                Some(json!({"device_id": "android_rn:pausenhof-push-recording"})),
            )
            .await;
        assert_eq!(device.status, 200, "{}", device.body);
        let jonas = self.sessions["jonas.wagner"].clone();
        let ids = json!([self.id("user:jonas.wagner"), self.id("user:deniz.kaya")]);
        let direct = self
            .call("POST", "/api/v4/channels/direct", Some(&jonas), Some(ids))
            .await
            .body;
        let direct = direct["id"].as_str().unwrap().to_owned();
        self.scrubber
            .label(&direct, "channel:dm/jonas.wagner__deniz.kaya");
        let post = self
            .call(
                "POST",
                "/api/v4/posts",
                Some(&jonas),
                Some(json!({"channel_id": direct, "message": "Bitte bring dein Heft mit."})),
            )
            .await
            .body;
        let post_id = post["id"].as_str().unwrap().to_owned();
        self.scrubber.label(&post_id, "post:push");
        let push = self
            .server
            .sent_pushes()
            .into_iter()
            .find(|p| p["post_id"] == post_id.as_str() && p["type"] == "message");
        match push {
            Some(push) => self.compare_frames("push_send_push", recording, &[push]),
            None => self.note(
                "push_send_push",
                vec![Difference {
                    path: "frames".into(),
                    what: "the test server sent no push for the direct message".into(),
                }],
            ),
        }
    }
}

struct Socket {
    stream: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
}

impl Socket {
    async fn connect(base: &str, token: Option<&str>) -> Socket {
        let url = format!("{}/api/v4/websocket", base.replacen("http", "ws", 1));
        let mut request = url.as_str().into_client_request().unwrap();
        if let Some(token) = token {
            request
                .headers_mut()
                .insert("Authorization", format!("Bearer {token}").parse().unwrap());
        }
        let (stream, _) = tokio_tungstenite::connect_async(request)
            .await
            .expect("websocket connects");
        Socket { stream }
    }

    async fn send(&mut self, message: &Value) {
        self.stream
            .send(Message::text(message.to_string()))
            .await
            .expect("websocket send");
    }

    async fn next_json(&mut self) -> Value {
        loop {
            let frame = tokio::time::timeout(Duration::from_secs(10), self.stream.next())
                .await
                .expect("a websocket frame in time");
            match frame {
                Some(Ok(Message::Text(text))) => {
                    return serde_json::from_str(text.as_str()).expect("frame is JSON")
                }
                Some(Ok(Message::Close(_))) | None => panic!("the websocket closed"),
                Some(Ok(_)) => continue,
                Some(Err(error)) => panic!("websocket read failed: {error}"),
            }
        }
    }

    async fn next_event(&mut self, event: &str) -> Value {
        loop {
            let frame = self.next_json().await;
            if frame["event"] == event {
                return frame;
            }
        }
    }
}

fn glob_matches(pattern: &str, path: &str) -> bool {
    let pattern: Vec<&str> = pattern.split('.').collect();
    let path: Vec<&str> = path.split('.').collect();
    pattern.len() == path.len() && pattern.iter().zip(&path).all(|(p, s)| *p == "*" || p == s)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_test_server_answers_like_the_recorded_real_server() {
    let dir = recordings_dir();
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| {
            let path = e.ok()?.path();
            (path.extension()? == "json").then(|| path.file_stem()?.to_str().map(str::to_owned))?
        })
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = ORDER.iter().map(|s| s.to_string()).collect();
    listed.sort();
    assert_eq!(
        on_disk, listed,
        "every recording must be replayed: add new ones to ORDER in the recorder's order"
    );

    let mut replay = Replay::start().await;
    for name in ORDER {
        let recording: Value =
            serde_json::from_slice(&std::fs::read(dir.join(format!("{name}.json"))).unwrap())
                .unwrap();
        match *name {
            "websocket_hello_and_posted" => {
                replay.replay_websocket_hello_and_posted(&recording).await
            }
            "websocket_authentication_challenge" => {
                replay.replay_websocket_challenge(&recording).await
            }
            "push_send_push" => replay.replay_push(&recording).await,
            _ => replay.replay_http(name, &recording).await,
        }
    }

    let mut used = vec![false; ALLOWED.len()];
    let mut unexpected = Vec::new();
    for (name, difference) in &replay.differences {
        let allowed = ALLOWED.iter().position(|(recording, pattern, _)| {
            (*recording == "*" || recording == name) && glob_matches(pattern, &difference.path)
        });
        match allowed {
            Some(index) => used[index] = true,
            None => unexpected.push(format!("{name}: {} {}", difference.path, difference.what)),
        }
    }
    let stale: Vec<String> = ALLOWED
        .iter()
        .zip(&used)
        .filter(|(_, used)| !**used)
        .map(|((recording, pattern, _), _)| format!("{recording}: {pattern}"))
        .collect();
    assert!(
        unexpected.is_empty() && stale.is_empty(),
        "{} differences from the real server:\n{}\nallow-list entries that match nothing (remove them):\n{}",
        unexpected.len(),
        unexpected.join("\n"),
        stale.join("\n")
    );
}

#[test]
fn globs_match_whole_segments() {
    assert!(glob_matches("body.*.id", "body.x.id"));
    assert!(!glob_matches("body.*", "body.x.id"));
    assert!(!glob_matches("body.id", "body.ids"));
}
