//! The push gateway under load, on loopback: a simulated Mattermost sends
//! `send_push` for thousands of registrations as fast as its workers get
//! answers, the gateway (a child process, for its own peak memory)
//! delivers to a push service on loopback. Then the same beside a push
//! service that never answers, to show it does not hold the others up.
//! Bounded in count and time.

use std::path::Path;
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, BufReader};
use web_push_native::p256::elliptic_curve::rand_core::OsRng;
use web_push_native::p256::elliptic_curve::sec1::ToEncodedPoint;
use web_push_native::p256::SecretKey;

use crate::gateway_child::{GatewayExit, Listening, GATEWAY};
use crate::memory::MIB;
use crate::report::{Better, Figure};
use crate::stats::{millis, percentile};

/// The shape of one run.
#[derive(Debug, Clone, Copy)]
pub struct LoadPlan {
    pub registrations: usize,
    /// Simulated Mattermost workers, each waiting for its answer.
    pub workers: usize,
    pub pushes: usize,
    pub longest: Duration,
}

pub const PLAN: LoadPlan = LoadPlan {
    registrations: 2_000,
    workers: 64,
    pushes: 20_000,
    longest: Duration::from_secs(4),
};

/// Of the workers beside the stuck service, this many push to it.
const STUCK_WORKERS: usize = 16;
const STUCK_REGISTRATIONS: usize = 100;

/// What one load phase saw.
#[derive(Debug, Default)]
pub struct PhaseResult {
    pub latencies_ms: Vec<f64>,
    pub ok: usize,
    pub other: usize,
    pub elapsed: Duration,
}

impl PhaseResult {
    pub fn throughput(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// A push service that takes every push at once.
async fn push_service(received: Arc<AtomicU64>) -> anyhow::Result<String> {
    let app = axum::Router::new().route(
        "/push/{id}",
        axum::routing::post(move || {
            received.fetch_add(1, Ordering::Relaxed);
            async { http::StatusCode::CREATED }
        }),
    );
    serve(app).await
}

/// A push service that takes pushes and never answers.
async fn stuck_service() -> anyhow::Result<String> {
    let app = axum::Router::new().route(
        "/push/{id}",
        axum::routing::post(std::future::pending::<http::StatusCode>),
    );
    serve(app).await
}

async fn serve(app: axum::Router) -> anyhow::Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(base)
}

/// The gateway child, until `finish`.
struct GatewayProcess {
    child: tokio::process::Child,
    lines: tokio::io::Lines<BufReader<tokio::process::ChildStdout>>,
    url: String,
}

impl GatewayProcess {
    async fn start(dir: &Path) -> anyhow::Result<GatewayProcess> {
        let mut child = tokio::process::Command::new(std::env::current_exe()?)
            .arg(GATEWAY)
            .arg(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .context("starting the gateway child")?;
        let stdout = child.stdout.take().context("child stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let first = lines
            .next_line()
            .await?
            .context("the gateway child ended before listening")?;
        let listening: Listening = serde_json::from_str(&first)?;
        Ok(GatewayProcess {
            child,
            lines,
            url: listening.url,
        })
    }

    async fn finish(mut self) -> anyhow::Result<GatewayExit> {
        drop(self.child.stdin.take());
        let mut last = None;
        while let Some(line) = self.lines.next_line().await? {
            last = Some(line);
        }
        let status = self.child.wait().await?;
        if !status.success() {
            bail!("the gateway child failed: {status}");
        }
        Ok(serde_json::from_str(
            &last.context("the gateway child printed no report")?,
        )?)
    }
}

fn http_client() -> anyhow::Result<reqwest::Client> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_no_client_auth();
    Ok(reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .pool_max_idle_per_host(256)
        .build()?)
}

/// Registers `count` devices at `base/push/{n}`, a few at a time, and
/// returns their tokens.
async fn register(
    http: &reqwest::Client,
    gateway: &str,
    base: &str,
    count: usize,
) -> anyhow::Result<Vec<String>> {
    let key = SecretKey::random(&mut OsRng);
    let p256dh = URL_SAFE_NO_PAD.encode(key.public_key().to_encoded_point(false).as_bytes());
    let auth = URL_SAFE_NO_PAD.encode([7u8; 16]);
    let url = format!("{gateway}/api/v1/unifiedpush/registrations");
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let (http, url, next) = (http.clone(), url.clone(), next.clone());
        let (p256dh, auth, base) = (p256dh.clone(), auth.clone(), base.to_owned());
        tasks.push(tokio::spawn(async move {
            let mut tokens = Vec::new();
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= count {
                    return anyhow::Ok(tokens);
                }
                let answer: Value = http
                    .post(&url)
                    .json(&json!({"endpoint": format!("{base}/push/{n}"), "p256dh": p256dh, "auth": auth}))
                    .send()
                    .await?
                    .error_for_status()?
                    .json()
                    .await?;
                tokens.push(
                    answer["token"]
                        .as_str()
                        .context("registration without token")?
                        .to_owned(),
                );
            }
        }));
    }
    let mut tokens = Vec::with_capacity(count);
    for task in tasks {
        tokens.extend(task.await??);
    }
    Ok(tokens)
}

/// Mattermost's push for one device, with the message text it sends when
/// `PushNotificationContents` is `full`.
fn push_body(token: &str, n: usize) -> String {
    json!({
        "platform": "android_rn-v2", "server_id": "93mykbogbjfrbbdqphx3zhze5c",
        "device_id": format!("android_rn-v2:{token}"), "type": "message",
        "post_id": format!("post{n:022}"), "channel_id": "c1c1c1c1c1c1c1c1c1c1c1c1c1",
        "message": "Hausaufgaben für Donnerstag: Seite 42, Aufgaben 1 bis 5", "badge": 3,
        "sender_name": "Frau Schmidt", "channel_name": "Klasse 7a",
        "ack_id": format!("ack{n:023}"), "version": "v2"
    })
    .to_string()
}

/// `workers` simulated Mattermost workers push to `tokens` round robin
/// until `plan.pushes` are sent or `plan.longest` is over.
async fn load(
    http: &reqwest::Client,
    gateway: &str,
    tokens: Arc<Vec<String>>,
    workers: usize,
    plan: LoadPlan,
    started: Instant,
) -> anyhow::Result<PhaseResult> {
    let url = format!("{gateway}/api/v1/send_push");
    let sent = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..workers {
        let (http, url, sent, tokens) = (http.clone(), url.clone(), sent.clone(), tokens.clone());
        tasks.push(tokio::spawn(async move {
            let mut result = PhaseResult::default();
            loop {
                let n = sent.fetch_add(1, Ordering::Relaxed);
                if n >= plan.pushes || started.elapsed() >= plan.longest {
                    return anyhow::Ok(result);
                }
                let body = push_body(&tokens[n % tokens.len()], n);
                let asked = Instant::now();
                let answer: Value = http.post(&url).body(body).send().await?.json().await?;
                result.latencies_ms.push(millis(asked.elapsed()));
                if answer["status"] == "OK" {
                    result.ok += 1;
                } else {
                    result.other += 1;
                }
            }
        }));
    }
    let mut total = PhaseResult::default();
    for task in tasks {
        let part = task.await??;
        total.latencies_ms.extend(part.latencies_ms);
        total.ok += part.ok;
        total.other += part.other;
    }
    total.elapsed = started.elapsed();
    Ok(total)
}

fn p(samples: &[f64], at: f64) -> anyhow::Result<f64> {
    percentile(samples, at).context("no pushes were answered")
}

pub async fn measure(work: &Path, plan: LoadPlan) -> anyhow::Result<Vec<Figure>> {
    let dir = work.join("gateway");
    std::fs::create_dir_all(&dir)?;
    let received = Arc::new(AtomicU64::new(0));
    let healthy = push_service(received.clone()).await?;
    let stuck = stuck_service().await?;
    let gateway = GatewayProcess::start(&dir).await?;
    let http = http_client()?;
    let tokens = Arc::new(register(&http, &gateway.url, &healthy, plan.registrations).await?);
    let stuck_tokens = Arc::new(register(&http, &gateway.url, &stuck, STUCK_REGISTRATIONS).await?);

    let steady = load(
        &http,
        &gateway.url,
        tokens.clone(),
        plan.workers,
        plan,
        Instant::now(),
    )
    .await?;
    let delivered = received.load(Ordering::Relaxed);

    let beside_started = Instant::now();
    let stuck_plan = LoadPlan {
        pushes: usize::MAX,
        ..plan
    };
    let beside_stuck = tokio::spawn({
        let (http, url, stuck_tokens) = (http.clone(), gateway.url.clone(), stuck_tokens.clone());
        async move {
            load(
                &http,
                &url,
                stuck_tokens,
                STUCK_WORKERS,
                stuck_plan,
                beside_started,
            )
            .await
        }
    });
    let healthy_beside = load(
        &http,
        &gateway.url,
        tokens,
        plan.workers - STUCK_WORKERS,
        plan,
        beside_started,
    )
    .await?;
    let stuck_result = beside_stuck.await??;
    let exit = gateway.finish().await?;

    let lat = &steady.latencies_ms;
    let answered = steady.ok + steady.other;
    let setting = format!(
        "{} registrations, {} Mattermost workers, {} pushes in {:.1} s ({} OK, {} not), {} received by the push service",
        plan.registrations,
        plan.workers,
        answered,
        steady.elapsed.as_secs_f64(),
        steady.ok,
        steady.other,
        delivered
    );
    Ok(vec![
        Figure::new("gateway_throughput", steady.throughput(), "pushes/s", Better::Higher)
            .compared_to(setting.clone()),
        Figure::new("gateway_latency_p50", p(lat, 50.0)?, "ms", Better::Lower)
            .compared_to(format!("every send_push answer, {setting}")),
        Figure::new("gateway_latency_p99", p(lat, 99.0)?, "ms", Better::Lower)
            .compared_to(format!("every send_push answer, {setting}")),
        Figure::new(
            "gateway_latency_p99_beside_stuck_service",
            p(&healthy_beside.latencies_ms, 99.0)?,
            "ms",
            Better::Lower,
        )
        .compared_to(format!(
            "{} workers to a working push service ({} OK, {} not, p50 {:.1} ms) while {} push to one that never answers ({} answered FAIL, answer deadline 2 s)",
            plan.workers - STUCK_WORKERS,
            healthy_beside.ok,
            healthy_beside.other,
            p(&healthy_beside.latencies_ms, 50.0)?,
            STUCK_WORKERS,
            stuck_result.other
        )),
        Figure::new(
            "gateway_peak_rss",
            exit.peak_rss_bytes as f64 / MIB,
            "MiB",
            Better::Lower,
        )
        .compared_to("VmHWM of the gateway process over both runs"),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_simulated_push_is_one_mattermost_sends() {
        let push: push_gateway::payload::IncomingPush =
            serde_json::from_str(&push_body("tokentokentokentoken", 7)).unwrap();
        assert_eq!(
            push_gateway::payload::registration_token(&push.device_id),
            Some("tokentokentokentoken")
        );
        assert!(push.minimise().is_ok());
    }

    /// The load generator against the gateway in this process (the child
    /// process is the bench binary, which a test does not have): every
    /// push it counts as OK reached the push service.
    #[tokio::test]
    async fn the_load_generator_counts_what_the_push_service_received() {
        let dir = tempfile::tempdir().unwrap();
        let gateway = push_gateway::Gateway::start(crate::gateway_child::config(dir.path()))
            .await
            .unwrap();
        let received = Arc::new(AtomicU64::new(0));
        let service = push_service(received.clone()).await.unwrap();
        let http = http_client().unwrap();
        let tokens = register(&http, &gateway.url(), &service, 20).await.unwrap();
        assert_eq!(tokens.len(), 20);
        let plan = LoadPlan {
            registrations: 20,
            workers: 4,
            pushes: 100,
            longest: Duration::from_secs(600),
        };
        let result = load(
            &http,
            &gateway.url(),
            Arc::new(tokens),
            4,
            plan,
            Instant::now(),
        )
        .await
        .unwrap();
        assert_eq!(result.ok, 100);
        assert_eq!(result.other, 0);
        assert_eq!(result.latencies_ms.len(), 100);
        assert_eq!(received.load(Ordering::Relaxed), 100);
        assert!(result.throughput() > 0.0);
        gateway.stop().await.unwrap();
    }
}
