//! A hostile server on loopback, byte by byte: redirects to another
//! origin, endless and huge bodies, a slow drip, invalid UTF-8, HTML and
//! gzip where JSON belongs. Every answer is a typed error within bounded
//! time and memory, the store stays as it was, and the session token never
//! reaches another origin, whichever way the client is led there (a
//! redirect of an API call or a file download, an SSO callback, a
//! permalink).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use pausenhof_core::api::files::FileRendition;
use pausenhof_core::net::{HttpLimits, SsoProvider};
use pausenhof_core::session::MemorySecretStore;
use pausenhof_core::{Client, Error, LinkDestination};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const TOKEN: &str = "geheimes-sitzungstoken-0123456789";
const USER_ID: &str = "u7bq3kz1xwr8ndp5mhf2sa6c4e";
const POST_ID: &str = "p1ab2cd3ef4gh5ij6kl7mn8op9";

/// What a request looked like on arrival.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    authorization: Option<String>,
}

/// How the server answers one request.
#[derive(Clone)]
enum Reply {
    /// These bytes, then the connection closes.
    Raw(Vec<u8>),
    /// A chunked 200 that never ends.
    Endless,
    /// Headers that promise `len` bytes, then one byte per `every`.
    Drip { len: usize, every: Duration },
}

type Script = dyn Fn(&str, &str) -> Reply + Send + Sync;

/// A loopback HTTP/1.1 server that answers as `script` says and records
/// what it was sent.
struct Hostile {
    url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    connections: Arc<Mutex<usize>>,
}

impl Hostile {
    async fn start(script: impl Fn(&str, &str) -> Reply + Send + Sync + 'static) -> Hostile {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(Mutex::new(0));
        let script: Arc<Script> = Arc::new(script);
        let (seen_in, connections_in) = (seen.clone(), connections.clone());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                *connections_in.lock().unwrap() += 1;
                tokio::spawn(serve(stream, script.clone(), seen_in.clone()));
            }
        });
        Hostile {
            url,
            seen,
            connections,
        }
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    fn connections(&self) -> usize {
        *self.connections.lock().unwrap()
    }
}

async fn serve(mut stream: TcpStream, script: Arc<Script>, seen: Arc<Mutex<Vec<Seen>>>) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if head.len() > 64 * 1024 || stream.read(&mut byte).await.unwrap_or(0) == 0 {
            return;
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next().unwrap_or("").split(' ');
    let method = request_line.next().unwrap_or("").to_owned();
    let path = request_line.next().unwrap_or("").to_owned();
    let headers: HashMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    // Read the body, so closing does not reset the answer away.
    let length: usize = headers
        .get("content-length")
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; length.min(1 << 20)];
    if stream.read_exact(&mut body).await.is_err() {
        return;
    }
    seen.lock().unwrap().push(Seen {
        method: method.clone(),
        path: path.clone(),
        authorization: headers.get("authorization").cloned(),
    });
    match script(&method, &path) {
        Reply::Raw(bytes) => {
            let _ = stream.write_all(&bytes).await;
        }
        Reply::Endless => {
            let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                        Transfer-Encoding: chunked\r\n\r\n";
            if stream.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            let chunk = format!("10000\r\n{}\r\n", "[".repeat(0x10000));
            while stream.write_all(chunk.as_bytes()).await.is_ok() {}
        }
        Reply::Drip { len, every } => {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len}\r\n\r\n"
            );
            if stream.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            for _ in 0..len {
                tokio::time::sleep(every).await;
                if stream.write_all(b" ").await.is_err() {
                    return;
                }
            }
        }
    }
    let _ = stream.shutdown().await;
}

fn answer(status: &str, content_type: &str, extra: &str, body: &[u8]) -> Reply {
    let mut bytes = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Connection: close\r\n{extra}\r\n",
        body.len()
    )
    .into_bytes();
    bytes.extend_from_slice(body);
    Reply::Raw(bytes)
}

fn json(body: &serde_json::Value) -> Reply {
    answer(
        "200 OK",
        "application/json",
        "",
        body.to_string().as_bytes(),
    )
}

fn me() -> serde_json::Value {
    serde_json::json!({
        "id": USER_ID,
        "username": "anna.schmidt",
        "email": "anna@schule.example",
        "first_name": "Anna",
        "last_name": "Schmidt",
        "roles": "system_user",
        "notify_props": {},
    })
}

fn not_found() -> Reply {
    answer(
        "404 Not Found",
        "application/json",
        "",
        br#"{"id":"api.context.404.app_error","message":"Not found","status_code":404}"#,
    )
}

fn redirect_to(location: &str) -> Reply {
    answer(
        "302 Found",
        "text/html",
        &format!("Location: {location}\r\n"),
        b"",
    )
}

fn client(dir: &std::path::Path, limits: HttpLimits) -> Client {
    Client::builder(dir)
        .secret_store(Arc::new(MemorySecretStore::new()))
        .limits(limits)
        .build()
        .unwrap()
}

/// Tight limits so bounds show within a test's time.
fn tight() -> HttpLimits {
    HttpLimits {
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_secs(2),
        transfer_timeout: Duration::from_secs(3),
        max_response_bytes: 256 * 1024,
        max_file_bytes: 512 * 1024,
        ..HttpLimits::default()
    }
}

/// Every request another origin received carried no token: it received
/// none at all.
fn untouched(elsewhere: &Hostile, what: &str) {
    assert_eq!(
        elsewhere.connections(),
        0,
        "{what}: another origin was contacted: {:?}",
        elsewhere.seen()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirects_of_api_calls_and_files_never_carry_the_token_elsewhere() {
    let elsewhere = Hostile::start(|_, _| json(&me())).await;
    let target = elsewhere.url.clone();
    let hostile = Hostile::start(move |_, path| {
        let path = path.split('?').next().unwrap_or(path);
        match path {
            "/api/v4/users/me" => json(&me()),
            // Every kind of redirect an API call or a download might get.
            "/api/v4/users/me/teams" => redirect_to(&format!("{target}/api/v4/users/me/teams")),
            "/api/v4/files/f1ab2cd3ef4gh5ij6kl7mn8op9" => {
                redirect_to(&format!("{target}/files/f1ab2cd3ef4gh5ij6kl7mn8op9"))
            }
            "/api/v4/files/f1ab2cd3ef4gh5ij6kl7mn8op9/preview" => answer(
                "307 Temporary Redirect",
                "text/plain",
                &format!("Location: {target}/preview\r\n"),
                b"",
            ),
            "/api/v4/users/me/patch" => answer(
                "308 Permanent Redirect",
                "text/plain",
                &format!("Location: {target}/patch\r\n"),
                b"",
            ),
            // A protocol-relative location: the same scheme, another host.
            "/api/v4/posts/p1ab2cd3ef4gh5ij6kl7mn8op9" => {
                redirect_to(&format!("//{}/pl", target.trim_start_matches("http://")))
            }
            _ => not_found(),
        }
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let client = client(dir.path(), tight());
    client
        .sign_in_with_token(&hostile.url, TOKEN)
        .await
        .unwrap();

    let api = client.api().unwrap();
    let teams = pausenhof_core::api::teams::my_teams(&api).await;
    assert!(teams.is_err(), "a redirect is no answer: {teams:?}");
    for rendition in [FileRendition::Original, FileRendition::Preview] {
        let file = client
            .download_file("f1ab2cd3ef4gh5ij6kl7mn8op9", rendition)
            .await;
        assert!(file.is_err(), "{rendition:?}: a redirect is no file");
    }
    let edit = client
        .edit_profile(pausenhof_core::ProfileChanges {
            nickname: Some("Anni".into()),
            ..Default::default()
        })
        .await;
    assert!(edit.is_err(), "{edit:?}");
    let post = pausenhof_core::api::posts::post(&api, POST_ID).await;
    assert!(post.is_err(), "{post:?}");

    untouched(&elsewhere, "redirects");
    let seen = hostile.seen();
    assert!(seen.len() >= 5, "{seen:?}");
    assert!(seen
        .iter()
        .all(|s| s.authorization.as_deref() == Some(&format!("Bearer {TOKEN}"))));
    // Still signed in, the profile as it was.
    assert_eq!(client.current_user().unwrap().nickname, "");
    assert_eq!(client.refresh_current_user().await.unwrap().id, USER_ID);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_permalink_to_another_origin_is_not_fetched() {
    let elsewhere = Hostile::start(|_, _| json(&me())).await;
    let hostile = Hostile::start(|_, path| match path {
        "/api/v4/users/me" => json(&me()),
        _ => not_found(),
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let client = client(dir.path(), tight());
    client
        .sign_in_with_token(&hostile.url, TOKEN)
        .await
        .unwrap();
    let before = hostile.seen().len();

    let other = elsewhere.url.trim_start_matches("http://");
    let own = hostile.url.trim_start_matches("http://");
    for link in [
        format!("http://{other}/gsm/pl/{POST_ID}"),
        format!("http://{other}/_redirect/pl/{POST_ID}"),
        format!("http://{other}/gsm/channels/town-square"),
        format!("http://{other}/gsm/messages/@anna.schmidt"),
        // The signed-in server's address as user name: still the other host.
        format!("http://{own}@{other}/gsm/pl/{POST_ID}"),
    ] {
        // Another server's link, or (with a user name in it) no
        // Mattermost link at all: either way the browser's business.
        let opened = client.open_link(&link).await.unwrap();
        assert!(
            matches!(
                opened,
                LinkDestination::OtherServer { .. } | LinkDestination::External
            ),
            "{link}: {opened:?}"
        );
    }
    untouched(&elsewhere, "permalinks");
    assert_eq!(
        hostile.seen().len(),
        before,
        "nothing to ask the own server"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_sso_callback_naming_another_server_is_refused_before_any_request() {
    let elsewhere = Hostile::start(|_, _| json(&me())).await;
    let hostile = Hostile::start(|method, path| match (method, path) {
        ("GET", "/api/v4/users/me") => json(&me()),
        ("POST", "/api/v4/users/login/sso/code-exchange") => {
            json(&serde_json::json!({"token": TOKEN, "csrf": ""}))
        }
        _ => not_found(),
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let client = client(dir.path(), tight());

    let browser = client
        .start_sso(&hostile.url, SsoProvider::GitLab, "pausenhof://callback")
        .unwrap();
    let state = browser
        .query_pairs()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    let srv = urlencode(&elsewhere.url);
    for callback in [
        format!("pausenhof://callback?MMAUTHTOKEN={TOKEN}&srv={srv}&state={state}"),
        format!("pausenhof://callback?login_code=einmal&srv={srv}&state={state}"),
    ] {
        let refused = client.complete_sso(&callback).await.unwrap_err();
        assert!(
            matches!(refused, Error::InvalidServer { .. }),
            "{refused:?}"
        );
    }
    untouched(&elsewhere, "SSO callbacks");
    assert!(hostile.seen().is_empty(), "{:?}", hostile.seen());

    // The real callback: the token goes to the server that started it.
    let own = urlencode(&hostile.url);
    client
        .complete_sso(&format!(
            "pausenhof://callback?login_code=einmal&srv={own}&state={state}"
        ))
        .await
        .unwrap();
    untouched(&elsewhere, "SSO sign-in");
    let authorised: Vec<Seen> = hostile
        .seen()
        .into_iter()
        .filter(|s| s.authorization.is_some())
        .collect();
    assert!(!authorised.is_empty());
    // The token went only with the own server's API calls.
    assert!(authorised.iter().all(|s| s.authorization.as_deref()
        == Some(&format!("Bearer {TOKEN}"))
        && s.path.starts_with("/api/v4/")
        && matches!(s.method.as_str(), "GET" | "POST" | "PUT" | "DELETE")));
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// Runs `call` and checks it ends in time.
async fn within<T>(limit: Duration, what: &str, call: impl std::future::Future<Output = T>) -> T {
    let started = Instant::now();
    let result = tokio::time::timeout(limit, call)
        .await
        .unwrap_or_else(|_| panic!("{what}: no end within {limit:?}"));
    eprintln!("{what}: {:?}", started.elapsed());
    result
}

/// Runs `call` within `limit`; it must fail with an error `expected` accepts.
async fn fails<T: std::fmt::Debug>(
    limit: Duration,
    what: &str,
    call: impl std::future::Future<Output = Result<T, Error>>,
    expected: impl Fn(&Error) -> bool,
) {
    let result = within(limit, what, call).await;
    assert!(result.as_ref().is_err_and(&expected), "{what}: {result:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_that_never_end_drip_or_lie_are_bounded_typed_errors() {
    let hostile = Hostile::start(|_, path| {
        let path = path.split('?').next().unwrap_or(path);
        match path {
            "/api/v4/users/me" => json(&me()),
            "/api/v4/users/me/teams" => Reply::Endless,
            // Claims a body far past the cap.
            "/api/v4/users/me/channels" => Reply::Raw(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                  Content-Length: 99999999999\r\n\r\n[]"
                    .to_vec(),
            ),
            "/api/v4/users/me/preferences" => Reply::Drip {
                len: 10_000,
                every: Duration::from_millis(100),
            },
            "/api/v4/files/f1ab2cd3ef4gh5ij6kl7mn8op9" => Reply::Endless,
            "/api/v4/files/f1ab2cd3ef4gh5ij6kl7mn8op9/preview" => Reply::Drip {
                len: 10_000,
                every: Duration::from_millis(100),
            },
            // Invalid UTF-8 inside a JSON string.
            "/api/v4/posts/p1ab2cd3ef4gh5ij6kl7mn8op9" => {
                answer("200 OK", "application/json", "", b"{\"id\":\"p1\xff\xfe\"}")
            }
            // A login portal's page where JSON belongs.
            "/api/v4/users/me/teams/members" => answer(
                "200 OK",
                "text/html",
                "",
                b"<html><body>Bitte anmelden</body></html>",
            ),
            // gzip that would inflate to far more (compression is off, so
            // it stays the few bytes it is).
            "/api/v4/users/me/teams/unread" => answer(
                "200 OK",
                "application/json",
                "Content-Encoding: gzip\r\n",
                &[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xed, 0xc1, 1, 1, 0, 0],
            ),
            _ => not_found(),
        }
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let client = client(dir.path(), tight());
    client
        .sign_in_with_token(&hostile.url, TOKEN)
        .await
        .unwrap();
    let api = client.api().unwrap();
    let limit = Duration::from_secs(10);

    use pausenhof_core::api::{channels, posts, preferences, teams};
    let too_large = |e: &Error| matches!(e, Error::ResponseTooLarge { .. });
    let network = |e: &Error| matches!(e, Error::Network { .. });
    let invalid = |e: &Error| matches!(e, Error::InvalidResponse { .. });
    let f1 = "f1ab2cd3ef4gh5ij6kl7mn8op9";
    fails(limit, "endless body", teams::my_teams(&api), too_large).await;
    let huge = channels::my_channels(&api, 0, false);
    fails(limit, "huge declared length", huge, too_large).await;
    fails(
        limit,
        "slow drip",
        preferences::my_preferences(&api),
        network,
    )
    .await;
    let file = client.download_file(f1, FileRendition::Original);
    fails(limit, "endless file", file, too_large).await;
    let dripped = client.download_file(f1, FileRendition::Preview);
    fails(limit, "dripping file", dripped, network).await;
    fails(limit, "invalid UTF-8", posts::post(&api, POST_ID), invalid).await;
    fails(limit, "HTML page", teams::my_team_members(&api), invalid).await;
    fails(limit, "gzip", teams::my_team_unreads(&api), invalid).await;

    // The store is as it was: still signed in, the same user cached.
    assert_eq!(client.current_user().unwrap().id, USER_ID);
    assert_eq!(client.refresh_current_user().await.unwrap().id, USER_ID);
}
