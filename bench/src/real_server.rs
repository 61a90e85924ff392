//! The first sync and the catch-ups against a real Mattermost server (the
//! one `cargo xtask real-server --bench` starts), side by side with
//! Mattermost's own JavaScript client on the same server in the same run.
//!
//! It seeds a mid-size school through the API first (3 teams of 80
//! channels, 6 people who are in all of them, 24,000 posts), then measures
//! through the recording proxy as on the test server. Rows `real_server_*`.

use std::path::{Path, PathBuf};

use anyhow::{bail, ensure, Context};
use futures_util::{stream, StreamExt, TryStreamExt};
use reqwest::Method;
use serde_json::{json, Value};

use crate::account;
use crate::child::{self, SyncRun};
use crate::exchange::sequential_round_trips;
use crate::recorder::{plain_tls_config, Recorder};
use crate::report::{Better, Figure};
use crate::scenarios::official;
use crate::stats::median;

const TEAMS: usize = 3;
const CHANNELS_PER_TEAM: usize = 80;
const POSTERS: usize = 5;
const POSTS_PER_CHANNEL: usize = 100;
/// Requests in flight while seeding.
const SEEDING_CONCURRENCY: usize = 8;
const PASSWORD: &str = "Bench-Pw1!-real";

/// Where the real server is and who administers it.
pub struct RealServer {
    pub url: String,
    pub admin: (String, String),
    pub official_client: Option<PathBuf>,
    pub work: PathBuf,
    pub runs: usize,
}

/// A signed-in session on the server.
#[derive(Clone)]
struct Session {
    http: reqwest::Client,
    url: String,
    token: String,
}

impl Session {
    async fn sign_in(
        http: &reqwest::Client,
        url: &str,
        login: &str,
        password: &str,
    ) -> anyhow::Result<Self> {
        let answer = http
            .post(format!("{url}/api/v4/users/login"))
            .json(&json!({"login_id": login, "password": password}))
            .send()
            .await?;
        ensure!(
            answer.status().is_success(),
            "signing in {login}: {}",
            answer.status()
        );
        let token = answer
            .headers()
            .get("token")
            .and_then(|v| v.to_str().ok())
            .context("no token in the login answer")?
            .to_owned();
        Ok(Session {
            http: http.clone(),
            url: url.to_owned(),
            token,
        })
    }

    async fn call(&self, method: Method, path: &str, body: Value) -> anyhow::Result<Value> {
        let answer = self
            .http
            .request(method.clone(), format!("{}/api/v4{path}", self.url))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await?;
        let status = answer.status();
        let text = answer.text().await?;
        if !status.is_success() {
            bail!("{method} {path}: {status}: {text}");
        }
        Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

fn id(value: &Value) -> anyhow::Result<String> {
    Ok(value["id"]
        .as_str()
        .context("no id in the answer")?
        .to_owned())
}

/// The seeded school: who reads, who posts, and the channels.
struct School {
    reader: (String, String),
    posters: Vec<Session>,
    channels: Vec<String>,
}

/// Runs `calls` with bounded concurrency.
async fn all<F, T>(calls: Vec<F>) -> anyhow::Result<Vec<T>>
where
    F: std::future::Future<Output = anyhow::Result<T>>,
{
    stream::iter(calls)
        .buffer_unordered(SEEDING_CONCURRENCY)
        .try_collect()
        .await
}

async fn seed(http: &reqwest::Client, server: &RealServer) -> anyhow::Result<School> {
    let admin = Session::sign_in(http, &server.url, &server.admin.0, &server.admin.1).await?;
    let run = format!("{:x}", rand::random::<u32>());
    let names: Vec<String> = (0..=POSTERS).map(|n| format!("bench{run}u{n}")).collect();
    let users = all(names
        .iter()
        .map(|name| {
            let admin = admin.clone();
            async move {
                let body = json!({"username": name, "email": format!("{name}@schule.example"), "password": PASSWORD, "first_name": "Bench", "last_name": name});
                let user = id(&admin.call(Method::POST, "/users", body).await?)?;
                // The server may ask for verified addresses before sign-in.
                admin
                    .call(Method::POST, &format!("/users/{user}/email/verify/member"), Value::Null)
                    .await?;
                anyhow::Ok(user)
            }
        })
        .collect())
    .await?;
    let mut channels = Vec::new();
    for t in 0..TEAMS {
        let team = id(&admin
            .call(
                Method::POST,
                "/teams",
                json!({"name": format!("bench{run}t{t}"), "display_name": format!("Schule {t}"), "type": "O"}),
            )
            .await?)?;
        all(users
            .iter()
            .map(|user| {
                let (admin, team) = (admin.clone(), team.clone());
                async move {
                    admin
                        .call(
                            Method::POST,
                            &format!("/teams/{team}/members"),
                            json!({"team_id": team, "user_id": user}),
                        )
                        .await
                }
            })
            .collect())
        .await?;
        let created = all((0..CHANNELS_PER_TEAM)
            .map(|c| {
                let (admin, team) = (admin.clone(), team.clone());
                async move {
                    id(&admin
                        .call(
                            Method::POST,
                            "/channels",
                            json!({"team_id": team, "name": format!("klasse-{c}"), "display_name": format!("Klasse {c}"), "type": if c % 4 == 3 { "P" } else { "O" }}),
                        )
                        .await?)
                }
            })
            .collect())
        .await?;
        channels.extend(created);
    }
    all(channels
        .iter()
        .flat_map(|channel| users.iter().map(move |user| (channel, user)))
        .map(|(channel, user)| {
            let admin = admin.clone();
            async move {
                admin
                    .call(
                        Method::POST,
                        &format!("/channels/{channel}/members"),
                        json!({"user_id": user}),
                    )
                    .await
            }
        })
        .collect())
    .await?;
    let mut posters = Vec::new();
    for name in &names[1..] {
        posters.push(Session::sign_in(http, &server.url, name, PASSWORD).await?);
    }
    let texts = [
        "Hausaufgabe bis Montag: Seite 12, Aufgaben 3 bis 5",
        "Denkt an die Einverständniserklärung für den Ausflug",
        "Der Vertretungsplan für morgen ist online",
        "Wer hat die Mitschrift aus Mathe?",
        "Elternabend am Donnerstag um 19 Uhr in der Aula",
    ];
    all(channels
        .iter()
        .flat_map(|channel| (0..POSTS_PER_CHANNEL).map(move |n| (channel, n)))
        .map(|(channel, n)| {
            let poster = posters[n % posters.len()].clone();
            let message = format!("{} ({n})", texts[n % texts.len()]);
            async move {
                poster
                    .call(
                        Method::POST,
                        "/posts",
                        json!({"channel_id": channel, "message": message}),
                    )
                    .await
            }
        })
        .collect())
    .await?;
    Ok(School {
        reader: (names[0].clone(), PASSWORD.to_owned()),
        posters,
        channels,
    })
}

pub async fn measure(server: &RealServer) -> anyhow::Result<Vec<Figure>> {
    let http = reqwest::Client::builder()
        .tls_backend_preconfigured(plain_tls_config()?)
        .build()?;
    let started = std::time::Instant::now();
    let school = seed(&http, server)
        .await
        .context("seeding the mid-size school")?;
    eprintln!(
        "bench: seeded {} channels, {} posts on the real server in {:.1} s",
        school.channels.len(),
        school.channels.len() * POSTS_PER_CHANNEL,
        started.elapsed().as_secs_f64()
    );
    let proxy = Recorder::start(&server.url).await?;
    let runs = server.runs;

    // The first run follows the channel lists as a UI would.
    let dir = server.work.join("real-first-sync-watched");
    account::sign_in(&dir, &proxy.url(), &school.reader.0, &school.reader.1).await?;
    proxy.take();
    let (watched, _): (SyncRun, _) =
        child::spawn(&[child::SYNC, &dir.to_string_lossy(), "--watch-channel-lists"]).await?;
    let final_at = watched
        .channel_lists_final_at_us
        .unwrap_or(watched.finished_us);
    let lists_final_ms = final_at.saturating_sub(watched.started_us) as f64 / 1000.0;
    let lists_round_trips = sequential_round_trips(&proxy.take(), final_at);

    let mut sync_times = Vec::new();
    let mut sync_requests = 0;
    let mut synced_dir = PathBuf::new();
    for run in 0..runs {
        let dir = server.work.join(format!("real-first-sync-{run}"));
        account::sign_in(&dir, &proxy.url(), &school.reader.0, &school.reader.1).await?;
        proxy.take();
        let (synced, _): (SyncRun, _) =
            child::spawn(&[child::SYNC, &dir.to_string_lossy()]).await?;
        ensure!(
            synced.kind == "full",
            "expected a full sync, got {}",
            synced.kind
        );
        sync_requests = proxy.take().len();
        sync_times.push(synced.elapsed_ms);
        synced_dir = dir;
    }
    let sync_ms = median(&sync_times).unwrap_or(f64::NAN);
    let mut figures = vec![
        Figure::new("real_server_first_sync_lists_final_time", lists_final_ms, "ms", Better::Lower).compared_to(format!(
            "from the sync's start until every team's channel list showed its final names and order, {lists_round_trips} sequential round trips, against Mattermost; compare real_server_official_startup_time"
        )),
        Figure::new("real_server_first_sync_time", sync_ms, "ms", Better::Lower).compared_to(format!(
            "median of {runs} first syncs against Mattermost on loopback: {} teams, {} channels, {} posts (the reader's whole first sync); compare real_server_official_startup_time",
            TEAMS,
            school.channels.len(),
            school.channels.len() * POSTS_PER_CHANNEL
        )),
        Figure::new("real_server_first_sync_requests", sync_requests as f64, "requests", Better::Lower)
            .compared_to("requests of one whole first sync against Mattermost"),
    ];
    if let Some(project) = &server.official_client {
        let channel = &school.channels[0];
        let official = official::startups(
            project,
            &proxy,
            channel,
            (&school.reader.0, &school.reader.1),
            runs,
        )
        .await?;
        figures.push(
            Figure::new("real_server_official_startup_time", official.time_ms, "ms", Better::Lower).compared_to(format!(
                "@mattermost/client on Node, the official app's start-up requests against the same Mattermost, median of {runs}: {} teams, {} channels, {} posts; Pausenhof: every channel list final after {lists_final_ms:.0} ms, whole first sync (also every unread channel's newest posts) {sync_ms:.0} ms",
                official.teams, official.channels, official.posts
            )),
        );
        figures.push(
            Figure::new(
                "real_server_official_startup_requests",
                official.requests as f64,
                "requests",
                Better::Lower,
            )
            .compared_to(format!(
                "Pausenhof's whole first sync: {sync_requests} requests"
            )),
        );
    }
    figures.extend(catch_ups(&school, &proxy, &synced_dir, runs).await?);
    Ok(figures)
}

/// 50 posts in 5 channels, then the app comes back (socket and sync) or
/// syncs without a socket to resume.
async fn catch_ups(
    school: &School,
    proxy: &Recorder,
    dir: &Path,
    runs: usize,
) -> anyhow::Result<Vec<Figure>> {
    let dir = dir.to_string_lossy();
    let _: (SyncRun, _) = child::spawn(&[child::LIVE_SYNC, &dir])
        .await
        .context("connecting once")?;
    let post_50 = |round: String| async move {
        for (c, channel) in school.channels.iter().take(5).enumerate() {
            for n in 0..10 {
                let poster = &school.posters[(c + n) % school.posters.len()];
                poster
                    .call(
                        Method::POST,
                        "/posts",
                        json!({"channel_id": channel, "message": format!("Nachtrag {round}.{n}")}),
                    )
                    .await?;
            }
        }
        anyhow::Ok(())
    };
    let mut resumed = (Vec::new(), Vec::new());
    let mut long = (Vec::new(), Vec::new());
    for run in 0..runs {
        post_50(format!("{run}")).await?;
        proxy.take();
        let (synced, _): (SyncRun, _) = child::spawn(&[child::LIVE_SYNC, &dir]).await?;
        resumed.0.push(proxy.take().len() as f64);
        let client = account::restore(Path::new(&*dir)).await?;
        for channel in school.channels.iter().take(5) {
            let newest = client.timeline(channel, 1).await?.posts.pop();
            ensure!(
                newest.is_some_and(|p| p.message == format!("Nachtrag {run}.9")),
                "the catch-up after a short absence missed posts in {channel}"
            );
        }
        resumed.1.push(synced.elapsed_ms);
        post_50(format!("lang {run}")).await?;
        proxy.take();
        let (synced, _): (SyncRun, _) = child::spawn(&[child::SYNC, &dir]).await?;
        ensure!(
            synced.channels_with_posts_fetched >= 5,
            "the catch-up missed new posts"
        );
        long.0.push(proxy.take().len() as f64);
        long.1.push(synced.elapsed_ms);
    }
    let most = |v: &[f64]| v.iter().copied().fold(0.0, f64::max);
    Ok(vec![
        Figure::new("real_server_catch_up_requests", most(&resumed.0), "requests", Better::Lower)
            .target(5.0)
            .compared_to(format!("most of {runs}: the app comes back (a new process starts the socket and syncs) after 50 posts in 5 channels, within Mattermost's resume window")),
        Figure::new("real_server_catch_up_time", median(&resumed.1).unwrap_or(f64::NAN), "ms", Better::Lower)
            .compared_to(format!("median of {runs}, from starting the socket to the sync's end")),
        Figure::new("real_server_catch_up_requests_after_long_absence", most(&long.0), "requests", Better::Lower)
            .compared_to(format!("most of {runs}: a new process syncs without a socket to resume, every channel with cached posts asked")),
    ])
}
