//! Faults: the gateway killed during a burst of registrations (SQLite,
//! the real binary), and its database away for a while (PostgreSQL
//! behind a connection the test cuts; runs when `PUSH_GATEWAY_TEST_POSTGRES`
//! is set, as `cargo xtask test` does).

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{app_keys, http_client, push_for, push_service, register_at, Running};
use push_gateway::config::Database;
use push_gateway::{Config, Gateway};
use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_push-gateway");
const POSTGRES_URL_VARIABLE: &str = "PUSH_GATEWAY_TEST_POSTGRES";
/// Only guards against a hang; nothing asserts on time.
const PATIENCE: Duration = Duration::from_secs(60);

/// The binary, killed (SIGKILL) when dropped.
struct Process(std::process::Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the binary on `config` and returns it with its base URL.
fn start_binary(config: &std::path::Path) -> (Process, String) {
    let mut child = Process(
        Command::new(BIN)
            .arg("--config")
            .arg(config)
            .env("RUST_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let stdout = child.0.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let addr = lines
        .by_ref()
        .map_while(Result::ok)
        .filter_map(|line| serde_json::from_str::<Value>(&line).ok())
        .find(|event| event["fields"]["message"] == "push gateway listening")
        .and_then(|event| event["fields"]["addr"].as_str().map(str::to_owned))
        .expect("the gateway logs where it listens");
    // Keep reading so the child never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    (child, format!("http://{addr}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn killed_during_a_burst_it_loses_and_duplicates_no_registration() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("registrations.sqlite");
    let config = dir.path().join("gw.toml");
    std::fs::write(
        &config,
        format!(
            "listen = \"127.0.0.1:0\"\ndatabase = \"{}\"\nvapid_private_key = \"{}\"\n\
             vapid_subject = \"mailto:admin@schule.example\"\nlog_format = \"json\"\n\
             allow_loopback_http_endpoints = true\n\
             [limits]\nregistration_burst = 100000\nregistrations_per_endpoint = 1\n",
            database.display(),
            dir.path().join("vapid.pem").display()
        ),
    )
    .unwrap();
    let (process, url) = start_binary(&config);
    let process = Arc::new(Mutex::new(Some(process)));
    let http = http_client();
    let attempted = Arc::new(AtomicUsize::new(0));
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let killed = Arc::new(AtomicBool::new(false));
    let workers: Vec<_> = (0..16)
        .map(|_| {
            let (http, url, attempted, acknowledged, killed, process) = (
                http.clone(),
                url.clone(),
                attempted.clone(),
                acknowledged.clone(),
                killed.clone(),
                process.clone(),
            );
            tokio::spawn(async move {
                while !killed.load(Ordering::SeqCst) {
                    let n = attempted.fetch_add(1, Ordering::SeqCst);
                    let mut keys = app_keys();
                    keys["endpoint"] = json!(format!("http://127.0.0.1:9/push/{n}"));
                    let sent = http
                        .post(format!("{url}/api/v1/unifiedpush/registrations"))
                        .json(&keys)
                        .send()
                        .await;
                    let Ok(response) = sent else { continue };
                    if response.status().as_u16() != 201 {
                        continue;
                    }
                    let Ok(body) = response.json::<Value>().await else {
                        continue;
                    };
                    let token = body["token"].as_str().unwrap().to_owned();
                    let count = {
                        let mut acknowledged = acknowledged.lock().unwrap();
                        acknowledged.push(token);
                        acknowledged.len()
                    };
                    // Killed in the middle of the burst, requests in flight.
                    if count == 150 && !killed.swap(true, Ordering::SeqCst) {
                        drop(process.lock().unwrap().take());
                    }
                }
            })
        })
        .collect();
    for worker in workers {
        tokio::time::timeout(PATIENCE, worker)
            .await
            .unwrap()
            .unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    let attempted = attempted.load(Ordering::SeqCst);
    assert!(acknowledged.len() >= 150);

    let (_restarted, url) = start_binary(&config);
    let gw_http = http_client();
    for token in &acknowledged {
        let answer: Value = gw_http
            .post(format!("{url}/api/v1/send_push"))
            .body(push_for(token))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        // Port 9 refuses: FAIL means the registration is there; REMOVE
        // would mean it was lost.
        assert_eq!(answer["status"], "FAIL", "{answer}");
    }
    let conn = rusqlite::Connection::open(&database).unwrap();
    let (rows, endpoints): (i64, i64) = conn
        .query_row(
            "SELECT count(*), count(DISTINCT endpoint) FROM registrations",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(rows, endpoints, "no endpoint registered twice");
    let rows = usize::try_from(rows).unwrap();
    assert!(
        rows >= acknowledged.len() && rows <= attempted,
        "{rows} rows, {} acknowledged, {attempted} attempted",
        acknowledged.len()
    );
}

// ------------------------------------------------ the database away

/// A TCP relay to PostgreSQL that the test can cut and restore.
struct Relay {
    port: u16,
    up: Arc<AtomicBool>,
    connections: Arc<Mutex<Vec<tokio::task::JoinHandle<()>>>>,
}

impl Relay {
    async fn start(target: std::net::SocketAddr) -> Relay {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let up = Arc::new(AtomicBool::new(true));
        let connections = Arc::new(Mutex::new(Vec::new()));
        let (relay_up, relay_connections) = (up.clone(), connections.clone());
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if !relay_up.load(Ordering::SeqCst) {
                    continue; // dropped: the database is "away"
                }
                let task = tokio::spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                relay_connections.lock().unwrap().push(task);
            }
        });
        Relay {
            port,
            up,
            connections,
        }
    }

    fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        for task in self.connections.lock().unwrap().drain(..) {
            task.abort();
        }
    }

    fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

async fn health(gw: &Running) -> u16 {
    gw.http
        .get(gw.url("/health"))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn with_the_database_away_mattermost_gets_fail_and_deliveries_resume() {
    let Ok(base) = std::env::var(POSTGRES_URL_VARIABLE) else {
        eprintln!(
            "PostgreSQL fault test skipped: {POSTGRES_URL_VARIABLE} is not set \
             (cargo xtask test sets it)"
        );
        return;
    };
    let mut url = url::Url::parse(&base).unwrap();
    let target = std::net::SocketAddr::new(
        url.host_str().unwrap().parse().unwrap(),
        url.port().unwrap_or(5432),
    );
    let relay = Relay::start(target).await;
    url.set_port(Some(relay.port)).unwrap();
    // A schema of its own, so other tests' rows do not matter.
    let schema = format!("gw_faults_{}", std::process::id());
    let (admin, connection) = tokio_postgres::connect(&base, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    admin
        .batch_execute(&format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
        ))
        .await
        .unwrap();
    // Percent-encoded by hand: libpq URLs take %20 for a space, not `+`.
    let url = format!("{url}&options=-c%20search_path%3D{schema}");

    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::loopback(dir.path());
    config.database = Database::Postgres(url);
    let gw = Running {
        gateway: Gateway::start(config).await.unwrap(),
        http: http_client(),
        dir,
    };
    let (endpoint, hits) = push_service(201, &[]).await;
    let token = register_at(&gw, &endpoint).await;
    assert_eq!(
        gw.send_push(push_for(&token)).await.1,
        json!({"status": "OK"})
    );
    assert_eq!(health(&gw).await, 200);

    relay.cut();
    let (status, answer) = gw.send_push(push_for(&token)).await;
    assert_eq!(status, 200);
    assert_eq!(
        answer,
        json!({"status": "FAIL", "error": "gateway storage error"})
    );
    assert_eq!(health(&gw).await, 503);
    let (status, answer) = gw.register(&app_keys()).await;
    assert_eq!(status, 503);
    assert_eq!(answer["error"], "storage unavailable");
    assert_eq!(hits.load(Ordering::SeqCst), 1);

    relay.restore();
    tokio::time::timeout(PATIENCE, async {
        while health(&gw).await != 200 {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await
    .expect("the gateway reconnects");
    assert_eq!(
        gw.send_push(push_for(&token)).await.1,
        json!({"status": "OK"})
    );
    assert_eq!(hits.load(Ordering::SeqCst), 2);
}
