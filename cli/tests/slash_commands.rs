//! `pausenhof send CHANNEL /command` runs the command instead of posting
//! it: `/mute` mutes the channel, `/leave` leaves it.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use pausenhof_testserver::{Dataset, Role, ServerConfig, TestServer};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_pausenhof");

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

fn json(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_mutes_and_leaves_with_slash_commands() {
    let server = TestServer::start(ServerConfig {
        dataset: Dataset::Small,
        seed: 1,
        ..ServerConfig::default()
    })
    .await
    .unwrap();
    let me = server.account(Role::Student);
    let data_dir = tempfile::tempdir().unwrap();
    let mut login = pausenhof(
        data_dir.path(),
        &["--json", "login", &server.url(), "--login-id", &me.username],
    );
    login.env("PAUSENHOF_PASSWORD", &me.password);
    assert!(run(login).await.status.success());
    let off_topic = server.channel_by_name("gsm", "off-topic").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let view = pausenhof_core::Client::builder(tempfile::tempdir().unwrap().keep())
        .secret_store(std::sync::Arc::new(
            pausenhof_core::session::MemorySecretStore::new(),
        ))
        .build()
        .unwrap();
    view.sign_in_with_password(&server.url(), &me.username, &me.password, None)
        .await
        .unwrap();
    let member = || async {
        pausenhof_core::api::channels::my_channel_member(&view.api().unwrap(), &off_topic).await
    };

    let muted = json(
        &run(pausenhof(
            data_dir.path(),
            &["--json", "send", "gsm/off-topic", "/mute"],
        ))
        .await,
    );
    assert_eq!(muted["outcome"], "done");
    assert!(muted["message"].as_str().unwrap().contains("notifications"));
    assert!(member().await.unwrap().notify_props.is_muted());

    let left = json(
        &run(pausenhof(
            data_dir.path(),
            &["--json", "send", "gsm/off-topic", "/leave"],
        ))
        .await,
    );
    assert_eq!(left["outcome"], "open_channel");
    assert!(member().await.is_err());
    // No post "/leave" or "/mute" was made.
    let posts = pausenhof_core::api::posts::channel_posts(
        &view.api().unwrap(),
        &off_topic,
        &pausenhof_core::api::posts::PostsPage::Page {
            page: 0,
            per_page: 200,
        },
        false,
    )
    .await
    .unwrap();
    assert!(!posts.posts.values().any(|p| p.message.starts_with('/')));
    // The channel is gone from the cache: naming it now fails.
    let again = run(pausenhof(
        data_dir.path(),
        &["send", "gsm/off-topic", "/mute"],
    ))
    .await;
    assert_eq!(again.status.code(), Some(6));

    let unknown = run(pausenhof(
        data_dir.path(),
        &["send", "gsm/town-square", "/gibtsnicht"],
    ))
    .await;
    assert!(!unknown.status.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drafts_lists_what_is_unsent() {
    let server = TestServer::start(ServerConfig {
        dataset: Dataset::Small,
        seed: 1,
        ..ServerConfig::default()
    })
    .await
    .unwrap();
    let me = server.account(Role::Student);
    let data_dir = tempfile::tempdir().unwrap();
    let mut login = pausenhof(
        data_dir.path(),
        &["--json", "login", &server.url(), "--login-id", &me.username],
    );
    login.env("PAUSENHOF_PASSWORD", &me.password);
    assert!(run(login).await.status.success());
    let empty = json(&run(pausenhof(data_dir.path(), &["--json", "drafts"])).await);
    assert_eq!(empty, serde_json::json!([]));

    // A draft written on another device of the same user.
    let phone = pausenhof_core::Client::builder(tempfile::tempdir().unwrap().keep())
        .secret_store(std::sync::Arc::new(
            pausenhof_core::session::MemorySecretStore::new(),
        ))
        .build()
        .unwrap();
    phone
        .sign_in_with_password(&server.url(), &me.username, &me.password, None)
        .await
        .unwrap();
    phone.sync().await.unwrap();
    let square = server.channel_by_name("gsm", "town-square").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    phone
        .save_draft(&square, "", "Noch nicht abgeschickt")
        .await
        .unwrap();
    phone.sync_drafts().await.unwrap();

    let listed = json(&run(pausenhof(data_dir.path(), &["--json", "drafts"])).await);
    assert_eq!(listed[0]["message"], "Noch nicht abgeschickt");
    assert_eq!(listed[0]["channel_id"], square.as_str());
    let text = run(pausenhof(data_dir.path(), &["drafts"])).await;
    assert!(String::from_utf8_lossy(&text.stdout).contains("Noch nicht abgeschickt"));
}
