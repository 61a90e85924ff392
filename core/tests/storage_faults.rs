//! Storage faults against the test server: a database locked by someone
//! else, a cache file truncated or zeroed while the app was closed, a full
//! disk and a read-only data folder (on a small tmpfs the test mounts, when
//! it may: CI runs as root). Each gives a typed error, no intent the app
//! acknowledged is lost or sent twice, and everything passes by itself
//! once the fault ends.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use common::within;
use pausenhof_core::api::posts::{channel_posts, PostsPage};
use pausenhof_core::realtime::ConnectionState;
use pausenhof_core::session::MemorySecretStore;
use pausenhof_core::{Client, Error, StorageProblem};
use pausenhof_testserver::{Account, Dataset, Role, ServerConfig, TestServer};

const DELIVERY: Duration = Duration::from_secs(60);

async fn school() -> TestServer {
    TestServer::start(ServerConfig {
        dataset: Dataset::Small,
        ..ServerConfig::default()
    })
    .await
    .unwrap()
}

fn client(dir: &Path, secrets: Arc<MemorySecretStore>) -> Client {
    Client::builder(dir).secret_store(secrets).build().unwrap()
}

async fn town_square(server: &TestServer) -> String {
    server.channel_by_name("gsm", "town-square").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// How often each message is in the channel on the server.
async fn on_server(server: &TestServer, who: &Account, channel: &str) -> HashMap<String, usize> {
    let dir = tempfile::tempdir().unwrap();
    let reader = client(dir.path(), Arc::new(MemorySecretStore::new()));
    reader
        .sign_in_with_password(&server.url(), &who.username, &who.password, None)
        .await
        .unwrap();
    let posts = channel_posts(
        &reader.api().unwrap(),
        channel,
        &PostsPage::Since { since: 0 },
        false,
    )
    .await
    .unwrap();
    let mut counts = HashMap::new();
    for post in posts.posts.values().filter(|p| p.delete_at == 0) {
        *counts.entry(post.message.clone()).or_insert(0) += 1;
    }
    counts
}

/// Waits until every message of `sent` is on the server, then checks each
/// is there exactly once and none of `refused` is.
async fn delivered_once(
    server: &TestServer,
    who: &Account,
    channel: &str,
    sent: &[String],
    refused: &[String],
) {
    let deadline = tokio::time::Instant::now() + DELIVERY;
    loop {
        let counts = on_server(server, who, channel).await;
        let missing = sent.iter().filter(|m| !counts.contains_key(*m)).count();
        if missing == 0 {
            for message in sent {
                assert_eq!(counts[message], 1, "sent twice: {message:.40}");
            }
            for message in refused {
                assert!(
                    !counts.contains_key(message),
                    "refused, yet sent: {message:.40}"
                );
            }
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{missing} of {} acknowledged messages never arrived",
            sent.len()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn go_live(client: &Client) {
    let handle = client.start_realtime().unwrap();
    within(
        Duration::from_secs(20),
        handle.wait_for(|s| *s == ConnectionState::Connected),
    )
    .await;
}

fn storage_problem(error: &Error) -> Option<StorageProblem> {
    match error {
        Error::Storage { problem, .. } => Some(*problem),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_database_refuses_new_intents_and_keeps_the_queued_ones() {
    let server = school().await;
    let me = server.account(Role::Student);
    let channel = town_square(&server).await;
    let dir = tempfile::tempdir().unwrap();
    let app = client(dir.path(), Arc::new(MemorySecretStore::new()));
    app.sign_in_with_password(&server.url(), &me.username, &me.password, None)
        .await
        .unwrap();
    app.sync().await.unwrap();
    go_live(&app).await;

    server.faults().set_down(true);
    let before = "Vor der Sperre geschrieben".to_owned();
    app.send_post(&channel, "", &before).await.unwrap();

    // Another process (a second connection behaves the same to SQLite)
    // holds the write lock.
    let cache = app.account_dir().unwrap().join("store.sqlite");
    let other = rusqlite::Connection::open(&cache).unwrap();
    other.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let during = "Während der Sperre geschrieben".to_owned();
    let refused = app.send_post(&channel, "", &during).await.unwrap_err();
    assert_eq!(
        storage_problem(&refused),
        Some(StorageProblem::Locked),
        "{refused:?}"
    );
    // The worker meets the lock too, and waits it out.
    server.faults().set_down(false);
    tokio::time::sleep(Duration::from_secs(2)).await;
    other.execute_batch("ROLLBACK").unwrap();
    drop(other);

    let after = "Nach der Sperre geschrieben".to_owned();
    app.send_post(&channel, "", &after).await.unwrap();
    delivered_once(&server, &me, &channel, &[before, after], &[during]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queued_intents_outlive_a_cache_truncated_or_zeroed_while_closed() {
    let server = school().await;
    let me = server.account(Role::Student);
    let channel = town_square(&server).await;
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemorySecretStore::new());
    let mut sent = Vec::new();
    for (round, damage) in ["truncated", "zeroed"].into_iter().enumerate() {
        let app = client(dir.path(), secrets.clone());
        if round == 0 {
            app.sign_in_with_password(&server.url(), &me.username, &me.password, None)
                .await
                .unwrap();
        } else {
            app.restore().await.unwrap().unwrap();
        }
        app.sync().await.unwrap();
        // Offline: acknowledged, queued, not sent.
        server.faults().set_down(true);
        for i in 0..3 {
            let message = format!("Offline geschrieben, dann {damage} ({i})");
            app.send_post(&channel, "", &message).await.unwrap();
            sent.push(message);
        }
        let cache = app.account_dir().unwrap().join("store.sqlite");
        drop(app);

        let len = std::fs::metadata(&cache).unwrap().len();
        match damage {
            "truncated" => std::fs::OpenOptions::new()
                .write(true)
                .open(&cache)
                .unwrap()
                .set_len(len / 3)
                .unwrap(),
            _ => std::fs::write(&cache, vec![0u8; len as usize]).unwrap(),
        }
        server.faults().set_down(false);
        let app = client(dir.path(), secrets.clone());
        app.restore().await.unwrap().expect("still signed in");
        // The damage was found and the cache made anew, silently: the
        // queue lives in the records file, so nothing is lost and there
        // is nothing to tell the user; the next sync fills the cache.
        assert!(
            app.store().unwrap().was_rebuilt(),
            "{damage} cache not noticed"
        );
        app.sync().await.unwrap();
        go_live(&app).await;
        delivered_once(&server, &me, &channel, &sent, &[]).await;
        app.stop_realtime();
    }
}

/// A tmpfs mounted for the test, unmounted when dropped.
struct SmallDisk {
    path: PathBuf,
    _dir: tempfile::TempDir,
}

impl SmallDisk {
    /// `None` where the test may not mount (not root): the test then
    /// says so and passes, as the faults cannot be made. As root (CI) a
    /// failed mount fails the test: it must not pass without running.
    fn mount(megabytes: u32) -> Option<SmallDisk> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("disk");
        std::fs::create_dir(&path).unwrap();
        let mounted = std::process::Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={megabytes}m,mode=0700"),
                "tmpfs",
            ])
            .arg(&path)
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        assert!(mounted || !is_root(), "root, but cannot mount a tmpfs");
        mounted.then_some(SmallDisk { path, _dir: dir })
    }
}

fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        unmount(&self.path);
    }
}

fn unmount(path: &Path) {
    let _ = std::process::Command::new("umount")
        .arg("-l")
        .arg(path)
        .status();
}

fn mount(args: &[&str], at: &Path) {
    let status = std::process::Command::new("mount")
        .args(args)
        .arg(at)
        .status()
        .unwrap();
    assert!(status.success(), "mount {args:?}");
}

/// `dir` seen read-only at another path (a remount of the folder itself
/// would wait for every open file of it to close).
struct ReadOnlyView {
    path: PathBuf,
}

impl ReadOnlyView {
    fn of(dir: &Path) -> ReadOnlyView {
        let path = dir.with_file_name("read-only-view");
        std::fs::create_dir_all(&path).unwrap();
        mount(&["--bind", dir.to_str().unwrap()], &path);
        mount(&["-o", "remount,bind,ro"], &path);
        ReadOnlyView { path }
    }
}

impl Drop for ReadOnlyView {
    fn drop(&mut self) {
        unmount(&self.path);
    }
}

/// Fills the disk with one file; returns it.
fn fill(disk: &SmallDisk) -> PathBuf {
    use std::io::Write;
    let filler = disk.path.join("filler");
    let mut file = std::fs::File::create(&filler).unwrap();
    let block = vec![0x55u8; 64 * 1024];
    while file.write_all(&block).is_ok() {}
    let _ = file.sync_all();
    filler
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_and_a_read_only_folder_pass_without_losing_an_intent() {
    let Some(disk) = SmallDisk::mount(48) else {
        eprintln!("skipped: cannot mount a tmpfs here (needs root, as in CI)");
        return;
    };
    let server = school().await;
    let me = server.account(Role::Student);
    let channel = town_square(&server).await;
    let data = disk.path.join("data");
    let secrets = Arc::new(MemorySecretStore::new());
    let app = client(&data, secrets.clone());
    app.sign_in_with_password(&server.url(), &me.username, &me.password, None)
        .await
        .unwrap();
    app.sync().await.unwrap();
    go_live(&app).await;
    server.faults().set_down(true);

    // Full: sends are acknowledged until the disk has no room for the next
    // one, which is refused as such; what was queued before stays queued.
    let mut sent = vec!["Vor dem Füllen geschrieben".to_owned()];
    app.send_post(&channel, "", &sent[0]).await.unwrap();
    let filler = fill(&disk);
    let mut refused = Vec::new();
    for i in 0..2_000 {
        let message = format!("Voll {i}: {}", "x".repeat(12_000));
        match app.send_post(&channel, "", &message).await {
            Ok(_) => sent.push(message),
            Err(error) => {
                assert_eq!(
                    storage_problem(&error),
                    Some(StorageProblem::Full),
                    "{error:?}"
                );
                refused.push(message);
                break;
            }
        }
    }
    assert_eq!(refused.len(), 1, "the disk never filled up");
    eprintln!("{} sends acknowledged before the disk was full", sent.len());

    // Space again: the next send is taken, and everything acknowledged
    // goes out once the server is back.
    std::fs::remove_file(&filler).unwrap();
    let after = "Wieder Platz".to_owned();
    app.send_post(&channel, "", &after).await.unwrap();
    sent.push(after);
    server.faults().set_down(false);
    delivered_once(&server, &me, &channel, &sent, &refused).await;

    // Read-only: an app started on a folder it cannot write says so, and
    // starts normally once it can.
    server.faults().set_down(true);
    let queued = "Vor dem Schreibschutz".to_owned();
    app.send_post(&channel, "", &queued).await.unwrap();
    sent.push(queued);
    app.stop_realtime();
    drop(app);
    let view = ReadOnlyView::of(&data);
    let app = client(&view.path, secrets.clone());
    let refused_start = app.restore().await.unwrap_err();
    assert_eq!(
        storage_problem(&refused_start),
        Some(StorageProblem::ReadOnly),
        "{refused_start:?}"
    );
    drop(app);
    drop(view);
    server.faults().set_down(false);
    let app = client(&data, secrets);
    app.restore().await.unwrap().expect("still signed in");
    go_live(&app).await;
    delivered_once(&server, &me, &channel, &sent, &refused).await;
    app.stop_realtime();
}
