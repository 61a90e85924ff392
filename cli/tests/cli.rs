//! Drives the `pausenhof` binary as a subprocess against the test server,
//! as a script or a school admin would.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use pausenhof_core::api::posts::{channel_posts, PostsPage};
use pausenhof_testserver::{Account, Corruption, Dataset, Role, ServerConfig, TestServer};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};

const BIN: &str = env!("CARGO_BIN_EXE_pausenhof");

async fn school() -> TestServer {
    TestServer::start(ServerConfig {
        dataset: Dataset::Small,
        seed: 1,
        ..ServerConfig::default()
    })
    .await
    .unwrap()
}

fn pausenhof(data_dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(BIN);
    command
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .stdin(Stdio::null())
        .env_remove("PAUSENHOF_PASSWORD")
        .env("NO_COLOR", "1");
    command
}

/// Runs the command off the async threads (the test server lives on them).
async fn run(mut command: Command) -> Output {
    tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn json(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(output)))
}

async fn login(server: &TestServer, data_dir: &Path, account: &Account) -> Output {
    let mut command = pausenhof(
        data_dir,
        &[
            "--json",
            "login",
            &server.url(),
            "--login-id",
            &account.username,
        ],
    );
    command.env("PAUSENHOF_PASSWORD", &account.password);
    run(command).await
}

/// How often `message` is in the town square on the server, asked over
/// the REST API as `account`.
async fn copies(server: &TestServer, account: &Account, message: &str) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let client = pausenhof_core::Client::builder(dir.path())
        .secret_store(std::sync::Arc::new(
            pausenhof_core::session::MemorySecretStore::new(),
        ))
        .build()
        .unwrap();
    client
        .sign_in_with_password(&server.url(), &account.username, &account.password, None)
        .await
        .unwrap();
    let channel = server.channel_by_name("gsm", "town-square").unwrap();
    let page = PostsPage::Page {
        page: 0,
        per_page: 200,
    };
    let posts = channel_posts(
        &client.api().unwrap(),
        channel["id"].as_str().unwrap(),
        &page,
        false,
    )
    .await
    .unwrap();
    posts
        .posts
        .values()
        .filter(|post| post.message == message && post.delete_at == 0)
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_tours_and_ends_when_stdin_is_not_a_terminal() {
    let data_dir = tempfile::tempdir().unwrap();
    let output = run(pausenhof(data_dir.path(), &["demo"])).await;
    let text = stdout(&output);
    assert!(
        output.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(text.contains("arrives over the websocket"), "{text}");
    assert!(text.contains("the server has it 1 time(s)"), "{text}");
    assert!(text.contains("Tour complete."), "{text}");
    assert!(!text.contains('\x1b'), "colours in piped output");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_session_from_login_to_logout() {
    let server = school().await;
    let student = server.account(Role::Student);
    let data_dir = tempfile::tempdir().unwrap();
    let dir = data_dir.path();

    let signed_in = json(&login(&server, dir, &student).await);
    assert_eq!(signed_in["username"], student.username.as_str());
    let status = json(&run(pausenhof(dir, &["--json", "status"])).await);
    assert_eq!(status["signed_in"], true);

    let teams = json(&run(pausenhof(dir, &["--json", "teams"])).await);
    assert!(
        teams.as_array().unwrap().iter().any(|t| t["name"] == "gsm"),
        "{teams}"
    );
    let channels = json(&run(pausenhof(dir, &["--json", "channels", "--team", "gsm"])).await);
    assert!(channels.to_string().contains("town-square"), "{channels}");

    let message = "Hausaufgaben: Übung 7 bis Freitag";
    let sent = json(
        &run(pausenhof(
            dir,
            &["--json", "send", "gsm/town-square", message],
        ))
        .await,
    );
    assert_eq!(sent["delivered"], true);
    assert_eq!(copies(&server, &student, message).await, 1);

    let read = json(&run(pausenhof(dir, &["--json", "read", "gsm/town-square"])).await);
    assert!(
        read["timeline"]["posts"].to_string().contains(message),
        "{read}"
    );

    // A permalink of the post sent opens where it was sent.
    let post_id = read["timeline"]["posts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["message"] == message)
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .unwrap();
    let link = format!("{}/gsm/pl/{post_id}", server.url());
    let opened = json(&run(pausenhof(dir, &["--json", "open", &link])).await);
    assert_eq!(opened["kind"], "conversation", "{opened}");
    assert_eq!(opened["post_id"], post_id.as_str());
    assert_eq!(opened["channel_name"], "Town Square");
    let elsewhere = json(
        &run(pausenhof(
            dir,
            &[
                "--json",
                "open",
                "https://chat.other.example/gsm/channels/town-square",
            ],
        ))
        .await,
    );
    assert_eq!(elsewhere["kind"], "other_server");

    // Online search asks the server, with its modifiers.
    let from = format!("from:{}", student.username);
    let hits = json(
        &run(pausenhof(
            dir,
            &["--json", "search", &from, "übung", "-zebra"],
        ))
        .await,
    );
    assert!(hits.to_string().contains(message), "{hits}");
    let hits = json(&run(pausenhof(dir, &["--json", "search", "übung", "-freitag"])).await);
    assert!(!hits.to_string().contains(message), "{hits}");

    // Offline search: the server is down, the cache still answers.
    server.faults().set_down(true);
    let hits = json(&run(pausenhof(dir, &["--json", "search", "--offline", "übung"])).await);
    assert!(hits.to_string().contains(message), "{hits}");
    server.faults().set_down(false);

    let export_file = dir.join("export.json");
    let export_path = export_file.to_str().unwrap();
    let summary = json(
        &run(pausenhof(
            dir,
            &["--json", "export", "--output", export_path],
        ))
        .await,
    );
    assert_eq!(summary["complete"], true);
    let export: Value = serde_json::from_slice(&std::fs::read(&export_file).unwrap()).unwrap();
    assert_eq!(export["profile"]["username"], student.username.as_str());
    let posts = export["posts"].as_array().unwrap();
    assert!(posts.iter().any(|p| p["message"] == message));
    let others = posts
        .iter()
        .filter(|p| {
            p["message"]
                .as_str()
                .is_some_and(|m| m.contains("Elternabend"))
        })
        .count();
    assert_eq!(others, 0, "someone else's posts in the export");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&export_file)
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "export readable by others: {mode:o}");
    }

    let out = json(&run(pausenhof(dir, &["--json", "logout"])).await);
    assert_eq!(out["signed_out"], true);
    assert!(!dir
        .join("accounts")
        .read_dir()
        .is_ok_and(|mut d| d.next().is_some()));
    let after = run(pausenhof(dir, &["teams"])).await;
    assert_eq!(
        after.status.code(),
        Some(3),
        "not signed in has its own exit code"
    );
    assert!(String::from_utf8_lossy(&after.stderr).contains("pausenhof login"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_is_refused_with_its_exit_code() {
    let server = school().await;
    let mut student = server.account(Role::Student);
    student.password = "falsch-123".into();
    let data_dir = tempfile::tempdir().unwrap();
    let output = login(&server, data_dir.path(), &student).await;
    assert_eq!(output.status.code(), Some(5));
    assert!(!String::from_utf8_lossy(&output.stderr).contains("falsch-123"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tail_prints_another_users_post_as_a_json_line() {
    let server = school().await;
    let student = server.account(Role::Student);
    let data_dir = tempfile::tempdir().unwrap();
    assert!(login(&server, data_dir.path(), &student)
        .await
        .status
        .success());

    let mut child = tokio::process::Command::from(pausenhof(data_dir.path(), &["--json", "tail"]))
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let classmate = server
        .accounts()
        .into_iter()
        .find(|a| a.role == Role::Student && a.mfa_secret.is_none() && a.user_id != student.user_id)
        .unwrap();
    let square = server.channel_by_name("gsm", "town-square").unwrap();
    let message = "Wer kommt mit zur Mensa?";
    let found = tokio::time::timeout(Duration::from_secs(30), async {
        let mut posted = false;
        while let Some(line) = lines.next_line().await.unwrap() {
            eprintln!("tail: {line}");
            let event: Value = serde_json::from_str(&line).unwrap();
            if event["event"] == "connection" && event["state"] == "connected" && !posted {
                server.post_as(&classmate.user_id, square["id"].as_str().unwrap(), message);
                posted = true;
            }
            if event["event"] == "posted" && event["post"]["message"] == message {
                return event;
            }
        }
        panic!("tail ended");
    })
    .await
    .expect("the post was not printed");
    assert_eq!(found["channel_id"], square["id"]);
    child.kill().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_while_offline_exits_4_with_one_json_document_and_stays_queued() {
    let server = school().await;
    let student = server.account(Role::Student);
    let dir_holder = tempfile::tempdir().unwrap();
    let dir = dir_holder.path();
    json(&login(&server, dir, &student).await);
    json(&run(pausenhof(dir, &["--json", "teams"])).await);

    server.faults().set_down(true);
    let message = "Im Tunnel geschrieben";
    let offline = run(pausenhof(
        dir,
        &["--json", "send", "gsm/town-square", message],
    ))
    .await;
    assert_eq!(
        offline.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&offline.stderr)
    );
    // Exactly one document: parsing the whole output as one value works.
    let document: Value = serde_json::from_slice(&offline.stdout)
        .unwrap_or_else(|e| panic!("not one JSON document ({e}): {}", stdout(&offline)));
    assert_eq!(document["exit_code"], 4);
    assert_eq!(document["delivered"], false);
    assert!(!document["client_key"].as_str().unwrap().is_empty());

    // Online again: the next send takes the queued message along, once.
    server.faults().set_down(false);
    let sent = json(
        &run(pausenhof(
            dir,
            &["--json", "send", "gsm/town-square", "Wieder draußen"],
        ))
        .await,
    );
    assert_eq!(sent["delivered"], true);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while copies(&server, &student, message).await != 1 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "queued message never sent"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The signed-in student's memberships and status as the server has them.
async fn server_view(server: &TestServer, account: &Account) -> pausenhof_core::Client {
    let dir = tempfile::tempdir().unwrap().keep();
    let client = pausenhof_core::Client::builder(dir)
        .secret_store(std::sync::Arc::new(
            pausenhof_core::session::MemorySecretStore::new(),
        ))
        .build()
        .unwrap();
    client
        .sign_in_with_password(&server.url(), &account.username, &account.password, None)
        .await
        .unwrap();
    client
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn join_leave_dm_and_status_dnd_for_an_hour() {
    let server = school().await;
    let me = server.account(Role::Student);
    let teacher = server.account(Role::Teacher);
    let data_dir = tempfile::tempdir().unwrap();
    assert!(login(&server, data_dir.path(), &me).await.status.success());
    let off_topic = server.channel_by_name("gsm", "off-topic").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let view = server_view(&server, &me).await;
    let is_member = |client: pausenhof_core::Client, channel: String| async move {
        pausenhof_core::api::channels::my_channel_member(&client.api().unwrap(), &channel)
            .await
            .is_ok()
    };

    let left = json(
        &run(pausenhof(
            data_dir.path(),
            &["--json", "leave", "gsm/off-topic"],
        ))
        .await,
    );
    assert_eq!(left["left"], true);
    assert!(!is_member(view.clone(), off_topic.clone()).await);
    let joined = json(
        &run(pausenhof(
            data_dir.path(),
            &["--json", "join", "gsm/off-topic"],
        ))
        .await,
    );
    assert_eq!(joined["id"], off_topic.as_str());
    assert!(is_member(view.clone(), off_topic.clone()).await);
    let unknown = run(pausenhof(data_dir.path(), &["join", "gsm/gibt-es-nicht"])).await;
    assert_eq!(unknown.status.code(), Some(6));

    let dm_ref = format!("@{}", teacher.username);
    let opened = json(&run(pausenhof(data_dir.path(), &["--json", "dm", &dm_ref])).await);
    let channel_id = opened["channel_id"].as_str().unwrap().to_owned();
    assert!(is_member(view.clone(), channel_id).await);
    let sent = run(pausenhof(data_dir.path(), &["send", &dm_ref, "Hallo!"])).await;
    assert!(
        sent.status.success(),
        "{}",
        String::from_utf8_lossy(&sent.stderr)
    );

    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let status = json(
        &run(pausenhof(
            data_dir.path(),
            &["--json", "status", "dnd", "1h"],
        ))
        .await,
    );
    assert_eq!(status["status"], "dnd");
    let statuses = pausenhof_core::api::users::statuses_by_ids(
        &view.api().unwrap(),
        std::slice::from_ref(&me.user_id),
    )
    .await
    .unwrap();
    assert_eq!(statuses[0].status, "dnd");
    let end = statuses[0].dnd_end_time;
    assert!(
        end >= before + 3600 - 60 && end <= before + 3600 + 60,
        "{end}"
    );
    let bad = run(pausenhof(data_dir.path(), &["status", "away", "1h"])).await;
    assert!(!bad.status.success());
    let bad = run(pausenhof(data_dir.path(), &["status", "dnd", "bald"])).await;
    assert!(String::from_utf8_lossy(&bad.stderr).contains("30m"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn profile_shows_and_changes_the_own_profile() {
    let server = school().await;
    let me = server.account(Role::Teacher);
    let data_dir = tempfile::tempdir().unwrap();
    assert!(login(&server, data_dir.path(), &me).await.status.success());

    let shown = json(&run(pausenhof(data_dir.path(), &["--json", "profile"])).await);
    assert_eq!(shown["username"], me.username.as_str());
    let changed = json(
        &run(pausenhof(
            data_dir.path(),
            &["--json", "profile", "--position", "Klassenlehrerin 7b"],
        ))
        .await,
    );
    assert_eq!(changed["position"], "Klassenlehrerin 7b");
    let view = server_view(&server, &me).await;
    let on_server = pausenhof_core::api::users::me(&view.api().unwrap())
        .await
        .unwrap();
    assert_eq!(on_server.position, "Klassenlehrerin 7b");
    assert_eq!(on_server.first_name, shown["first_name"].as_str().unwrap());

    let refused = run(pausenhof(data_dir.path(), &["profile", "--last-name", " "])).await;
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("last name"));
}

/// 09:00 Berlin time yesterday, in ms.
fn yesterday_morning_in_berlin() -> i64 {
    let berlin = jiff::tz::TimeZone::get("Europe/Berlin").unwrap();
    let today = jiff::Timestamp::now().to_zoned(berlin).date();
    today
        .yesterday()
        .unwrap()
        .at(9, 0, 0, 0)
        .in_tz("Europe/Berlin")
        .unwrap()
        .timestamp()
        .as_millisecond()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_prints_days_system_posts_reactions_and_markdown_as_text() {
    let server = school().await;
    let me = server.account(Role::Student);
    let teacher = server.account(Role::Teacher);
    let data_dir = tempfile::tempdir().unwrap();
    let dir = data_dir.path();
    assert!(login(&server, dir, &me).await.status.success());
    let off_topic = server.channel_by_name("gsm", "off-topic").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let teacher_view = server_view(&server, &teacher).await;
    teacher_view.sync().await.unwrap();
    teacher_view.join_channel(&off_topic).await.unwrap();
    let post = server.post_as_at(
        &teacher.user_id,
        &off_topic,
        "**Mathe** fällt ~~morgen~~ aus :tada:",
        yesterday_morning_in_berlin(),
    );
    let post_id = post["id"].as_str().unwrap().to_owned();
    pausenhof_core::api::posts::add_reaction(
        &teacher_view.api().unwrap(),
        &teacher.user_id,
        &post_id,
        "thumbsup",
    )
    .await
    .unwrap();
    // Leaving and joining again makes two system posts today.
    assert!(run(pausenhof(dir, &["leave", "gsm/off-topic"]))
        .await
        .status
        .success());
    assert!(run(pausenhof(dir, &["join", "gsm/off-topic"]))
        .await
        .status
        .success());

    let mut read = pausenhof(dir, &["read", "gsm/off-topic"]);
    read.env("LANG", "de_DE.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("TZ", "Europe/Berlin");
    let output = run(read).await;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = stdout(&output);
    let line_of = |needle: &str| {
        text.lines()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no line with {needle:?} in:\n{text}"))
    };
    let yesterday = line_of("── Gestern ──");
    let today = line_of("── Heute ──");
    let lesson = line_of("Mathe fällt morgen aus 🎉 👍 1");
    let left = line_of("hat den Kanal verlassen.");
    let joined = line_of("ist dem Kanal beigetreten.");
    assert!(yesterday < lesson && lesson < today, "{text}");
    assert!(today < left && left < joined, "{text}");
    assert!(!text.contains("**"), "Markdown shown as text:\n{text}");

    let json = json(&run(pausenhof(dir, &["--json", "read", "gsm/off-topic"])).await);
    let kinds: Vec<&str> = json["items"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["kind"]["kind"].as_str())
        .collect();
    assert!(
        kinds.contains(&"day_separator") && kinds.contains(&"system"),
        "{kinds:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_accounts_side_by_side_chosen_with_account() {
    let school_a = school().await;
    let school_b = TestServer::start(ServerConfig {
        dataset: Dataset::Small,
        seed: 2,
        ..ServerConfig::default()
    })
    .await
    .unwrap();
    let (student_a, student_b) = (
        school_a.account(Role::Student),
        school_b.account(Role::Student),
    );
    let data_dir = tempfile::tempdir().unwrap();
    let dir = data_dir.path();
    json(&login(&school_a, dir, &student_a).await);
    json(&login(&school_b, dir, &student_b).await);

    let accounts = json(&run(pausenhof(dir, &["--json", "accounts"])).await);
    let accounts = accounts.as_array().unwrap();
    assert_eq!(accounts.len(), 2, "{accounts:?}");
    let active: Vec<&Value> = accounts.iter().filter(|a| a["active"] == true).collect();
    assert_eq!(active.len(), 1);
    assert_eq!(active[0]["username"], student_b.username.as_str());

    // Send as A while B was signed in last: the message reaches A's server only.
    let a_url = school_a.url();
    let message = "Nur für Schule A";
    let sent = json(
        &run(pausenhof(
            dir,
            &[
                "--json",
                "--account",
                &a_url,
                "send",
                "gsm/town-square",
                message,
            ],
        ))
        .await,
    );
    assert_eq!(sent["delivered"], true);
    assert_eq!(copies(&school_a, &student_a, message).await, 1);
    assert_eq!(copies(&school_b, &student_b, message).await, 0);

    let chosen = format!("{}@{}", student_b.username, school_b.url());
    let status = json(&run(pausenhof(dir, &["--json", "--account", &chosen, "status"])).await);
    assert_eq!(status["username"], student_b.username.as_str());
    assert!(status["server"]
        .as_str()
        .unwrap()
        .starts_with(school_b.url().trim_end_matches('/')));

    let unknown = run(pausenhof(dir, &["--account", "nobody", "teams"])).await;
    assert_eq!(unknown.status.code(), Some(6), "not found has its own code");
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("pausenhof accounts"));

    // Signing out of A leaves B signed in.
    json(&run(pausenhof(dir, &["--json", "--account", &a_url, "logout"])).await);
    let left = json(&run(pausenhof(dir, &["--json", "accounts"])).await);
    let left = left.as_array().unwrap();
    assert_eq!(left.len(), 1, "{left:?}");
    assert_eq!(left[0]["username"], student_b.username.as_str());
    let teams = json(&run(pausenhof(dir, &["--json", "teams"])).await);
    assert!(teams.to_string().contains("gsm"), "{teams}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn threads_lists_followed_threads_with_unread_replies_per_team() {
    let server = school().await;
    let student = server.account(Role::Student);
    let lena = server.create_user("lena", "lena@schule.example", "Passwort-123!");
    server.add_to_team(&lena.user_id, "gsm").unwrap();
    let channel = server.channel_by_name("gsm", "town-square").unwrap();
    let question = "Welche Seiten für Freitag?";
    let root = server.post_as(&student.user_id, channel["id"].as_str().unwrap(), question);
    let root_id = root["id"].as_str().unwrap();
    server.reply_as(&lena.user_id, root_id, "Seite 42").unwrap();
    server
        .reply_as(
            &lena.user_id,
            root_id,
            &format!("@{} und 43", student.username),
        )
        .unwrap();
    let data_dir = tempfile::tempdir().unwrap();
    let dir = data_dir.path();
    json(&login(&server, dir, &student).await);

    let listed = json(&run(pausenhof(dir, &["--json", "threads", "--team", "gsm"])).await);
    let threads = &listed[0]["threads"]["threads"];
    let ours = threads
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["root"]["id"] == root_id)
        .unwrap_or_else(|| panic!("not listed: {listed}"));
    assert_eq!(ours["reply_count"], 2, "{ours}");
    assert_eq!(ours["unread_replies"], 2, "{ours}");
    assert_eq!(ours["unread_mentions"], 1, "{ours}");

    let text = stdout(&run(pausenhof(dir, &["threads", "--team", "gsm"])).await);
    let line = text
        .lines()
        .find(|l| l.contains(question))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        line.contains("Town Square") && line.contains("(2 replies) @1"),
        "{line}"
    );

    let unknown = run(pausenhof(dir, &["threads", "--team", "nirgendwo"])).await;
    assert!(!unknown.status.success());
    assert!(
        String::from_utf8_lossy(&unknown.stderr).contains("not in a team named `nirgendwo`"),
        "{}",
        String::from_utf8_lossy(&unknown.stderr)
    );
}

/// The one JSON document a `--json` command printed, whatever its status:
/// parsing the whole of stdout as one value fails on a second document.
fn one_document(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not exactly one JSON document ({e}): {}\nstderr: {}",
            stdout(output),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// A failed `--json` command: its exit status, the same number in its one
/// document, and a line on stderr for the person at the terminal.
fn failed_with(output: &Output, code: i32, what: &str) -> Value {
    assert_eq!(
        output.status.code(),
        Some(code),
        "{what}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let document = one_document(output);
    assert_eq!(document["exit_code"], code, "{what}: {document}");
    assert!(document["error"].as_str().is_some_and(|e| !e.is_empty()));
    assert!(!output.stderr.is_empty(), "{what}: nothing on stderr");
    document
}

/// Every exit status the README documents, provoked as a user would meet
/// it (4, offline, has its own test above).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_documented_exit_code_with_one_json_document() {
    let server = school().await;
    let student = server.account(Role::Student);
    let data_dir = tempfile::tempdir().unwrap();
    let dir = &data_dir.path().join("pausenhof");

    // 2: a usage mistake, still one document under --json.
    let usage = run(pausenhof(dir, &["--json", "send", "gsm/town-square"])).await;
    failed_with(&usage, 2, "missing message");
    let usage = run(pausenhof(dir, &["--json", "frobnicate"])).await;
    failed_with(&usage, 2, "unknown command");
    let help = run(pausenhof(dir, &["--help"])).await;
    assert_eq!(help.status.code(), Some(0), "help is no error");

    // 3: nothing signed in yet.
    let teams = run(pausenhof(dir, &["--json", "teams"])).await;
    failed_with(&teams, 3, "not signed in");

    // 5: the server refuses the password.
    let mut wrong = student.clone();
    wrong.password = "falsch-123".into();
    failed_with(&login(&server, dir, &wrong).await, 5, "wrong password");

    // 0, and the folder the session secret lives in is the user's alone.
    json(&login(&server, dir, &student).await);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(dir), 0o700, "the data directory");
        assert_eq!(mode(&dir.join("secrets.json")), 0o600, "the session secret");
    }

    // 1: a plain mistake in an argument the parser cannot judge.
    let bad = run(pausenhof(dir, &["--json", "status", "dnd", "bald"])).await;
    failed_with(&bad, 1, "bad duration");

    // 6: no such channel.
    let unknown = run(pausenhof(dir, &["--json", "read", "gsm/gibt-es-nicht"])).await;
    failed_with(&unknown, 6, "unknown channel");

    // 7: the server fails.
    server.faults().fail_next("GET", "/users/me", 10, 500);
    let broken = run(pausenhof(dir, &["--json", "profile"])).await;
    failed_with(&broken, 7, "server error");
    server.faults().clear();
    json(&run(pausenhof(dir, &["--json", "profile"])).await);

    // 8: local storage: the data directory cannot be made.
    let not_a_folder = data_dir.path().join("a-file");
    std::fs::write(&not_a_folder, b"").unwrap();
    let storage = run(pausenhof(&not_a_folder, &["--json", "teams"])).await;
    failed_with(&storage, 8, "data directory is a file");
    // ... and the export file cannot be written.
    let unwritable = data_dir.path().join("no-such-folder/export.json");
    let export = run(pausenhof(
        dir,
        &["--json", "export", "-o", unwritable.to_str().unwrap()],
    ))
    .await;
    failed_with(&export, 8, "export file in a missing folder");

    // Every other command prints exactly one document too.
    for args in [
        &["--json", "accounts"][..],
        &["--json", "channels"],
        &["--json", "drafts"],
        &["--json", "threads"],
        &["--json", "search", "--offline", "hallo"],
        &["--json", "status"],
        &["--json", "read", "gsm/town-square", "--limit", "3"],
    ] {
        json(&run(pausenhof(dir, args)).await);
    }
}

/// Runs `pausenhof` with every log of every crate at TRACE and returns its
/// stdout and its stderr.
async fn traced(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (Output, String) {
    let mut command = pausenhof(dir, args);
    command.env("RUST_LOG", "trace");
    for (key, value) in env {
        command.env(key, value);
    }
    let output = run(command).await;
    let log = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        output.status.success(),
        "{args:?}: {}",
        // The command's own words, not the logs.
        log.lines()
            .filter(|l| l.starts_with("pausenhof") || l.starts_with("  "))
            .collect::<Vec<_>>()
            .join("\n")
    );
    (output, log)
}

/// A command run with every log on, failing or not: its standard error,
/// which holds the logs and the error it reports (standard output is what
/// the user asked to see).
async fn traced_any(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let mut command = pausenhof(dir, args);
    command.env("RUST_LOG", "trace");
    let output = run(command).await;
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn hex(text: &str) -> String {
    text.bytes().map(|b| format!("{b:02x}")).collect()
}

/// Logs are shared (bug reports, support): at any level, none may show what
/// people wrote or who they are. A whole session runs with every crate at
/// TRACE, then every name, email and message of the school is looked for
/// in the logs, as text and as the hex a frame dump would show.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trace_logs_of_a_whole_session_hold_no_personal_data() {
    let server = school().await;
    let student = server.account(Role::Student);
    let classmate = server
        .accounts()
        .into_iter()
        .find(|a| a.role == Role::Student && a.mfa_secret.is_none() && a.user_id != student.user_id)
        .unwrap();
    let data_dir = tempfile::tempdir().unwrap();
    let dir = data_dir.path();
    let square = server.channel_by_name("gsm", "town-square").unwrap();
    let square_id = square["id"].as_str().unwrap();
    let mine = "Geheimnis der Klassenfahrt nach Vlotho";
    let theirs = "Lenas Telefonnummer ist vertraulich";
    let live = "Treffpunkt Bushaltestelle Kuckucksweg";
    let mut logs = String::new();

    let (_, log) = traced(
        dir,
        &["login", &server.url(), "--login-id", &student.username],
        &[("PAUSENHOF_PASSWORD", &student.password)],
    )
    .await;
    logs += &log;
    server.post_as(&classmate.user_id, square_id, theirs);
    let dm = format!("@{}", classmate.username);
    for args in [
        &["teams"][..],
        &["channels"],
        &["send", "gsm/town-square", mine],
        &["dm", &dm],
        &["send", &dm, mine],
        &["read", "gsm/town-square"],
        &["search", "Klassenfahrt"],
        &["search", "--offline", "Telefonnummer"],
        &["threads"],
        &["drafts"],
        &["status"],
        &["profile"],
    ] {
        logs += &traced(dir, args, &[]).await.1;
    }
    let export = dir.join("export.json");
    logs += &traced(dir, &["export", "-o", export.to_str().unwrap()], &[])
        .await
        .1;

    // Failures speak too: what the server refused, what it garbled, and
    // what could not reach it, in the logs and in what the user is told.
    server.faults().fail_next("POST", "/api/v4/posts", 3, 500);
    logs += &traced_any(dir, &["send", "gsm/town-square", mine]).await.1;
    server
        .faults()
        .corrupt_next("GET", "/api/v4/users", 1, Corruption::Garbage);
    logs += &traced_any(dir, &["dm", &dm]).await.1;
    server.faults().fail_next("POST", "/api/v4/teams/", 1, 403);
    let (refused, log) = traced_any(dir, &["search", "Vlotho"]).await;
    assert_ne!(refused, Some(0), "a refused search failed: {log}");
    logs += &log;
    server.faults().set_down(true);
    let (offline, log) = traced_any(dir, &["send", &dm, mine]).await;
    assert_eq!(offline, Some(4), "queued while offline: {log}");
    logs += &log;
    logs += &traced_any(dir, &["read", &dm]).await.1;
    server.faults().set_down(false);
    server.faults().clear();

    // A live post arrives over the websocket while `tail` listens.
    let mut tail = pausenhof(dir, &["--json", "tail"]);
    tail.env("RUST_LOG", "trace");
    let mut child = tokio::process::Command::from(tail)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut stderr = child.stderr.take().unwrap();
    let collect = tokio::spawn(async move {
        let mut text = Vec::new();
        let _ = tokio::io::AsyncReadExt::read_to_end(&mut stderr, &mut text).await;
        text
    });
    tokio::time::timeout(Duration::from_secs(30), async {
        let mut posted = false;
        while let Some(line) = lines.next_line().await.unwrap() {
            let event: Value = serde_json::from_str(&line).unwrap();
            if event["event"] == "connection" && event["state"] == "connected" && !posted {
                server.post_as(&classmate.user_id, square_id, live);
                posted = true;
            }
            if event["event"] == "posted" && event["post"]["message"] == live {
                return;
            }
        }
        panic!("tail ended");
    })
    .await
    .expect("the live post never came");
    child.kill().await.unwrap();
    logs += &String::from_utf8_lossy(&collect.await.unwrap());
    logs += &traced(dir, &["logout"], &[]).await.1;

    // Who and what the school holds, as the server has it.
    let view = server_view(&server, &student).await;
    view.sync().await.unwrap();
    let mut secrets: Vec<String> = vec![
        mine.into(),
        theirs.into(),
        live.into(),
        student.password.clone(),
    ];
    for account in server.accounts() {
        secrets.push(account.username.clone());
        secrets.push(account.email.clone());
    }
    let api = view.api().unwrap();
    let ids: Vec<String> = server.accounts().into_iter().map(|a| a.user_id).collect();
    for user in pausenhof_core::api::users::users_by_ids(&api, &ids)
        .await
        .unwrap()
    {
        secrets.extend([user.first_name, user.last_name]);
    }
    for team in view.teams().await.unwrap() {
        for section in view.channel_list(&team.id).await.unwrap() {
            for channel in section.channels {
                secrets.extend([channel.display_name, channel.name]);
            }
        }
        secrets.push(team.display_name);
    }
    // Short words would match by chance (hex, ids); the school's short
    // names are covered by the longer ones they are part of.
    secrets.retain(|s| s.chars().count() >= 5);
    secrets.sort();
    secrets.dedup();
    assert!(
        logs.lines().count() > 1_000,
        "TRACE logs expected: {} lines",
        logs.lines().count()
    );

    let mut found = Vec::new();
    for secret in &secrets {
        if let Some(line) = logs.lines().find(|l| l.contains(secret.as_str())) {
            found.push(format!("{secret:?} in: {line:.300}"));
        }
    }
    for message in [mine, theirs, live] {
        let dumped = hex(&message[..12]);
        if let Some(line) = logs.lines().find(|l| l.contains(&dumped)) {
            found.push(format!("{message:?} as hex in: {line:.300}"));
        }
    }
    assert!(
        found.is_empty(),
        "{} of {} secrets in the logs:\n{}",
        found.len(),
        secrets.len(),
        found.join("\n")
    );
}
