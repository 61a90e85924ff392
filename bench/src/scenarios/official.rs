//! Figure 3: Mattermost's own JavaScript client side by side: the official
//! mobile app's start-up requests in its order (see `bench/official-
//! client/startup.mjs`), through the same recording proxy, for the same
//! account.

use std::path::Path;
use std::process::Stdio;

use anyhow::{bail, ensure, Context};
use serde::Deserialize;

use super::School;
use crate::account;
use crate::child::parse_last_line;
use crate::recorder::Recorder;
use crate::report::{Better, Figure};
use crate::stats::median;

#[derive(Debug, Deserialize)]
struct StartupRun {
    elapsed_ms: f64,
    requests: usize,
    teams: usize,
    channels: usize,
    posts: usize,
}

/// What our first sync did, to print beside the official client's figure.
pub struct Ours {
    pub sync_ms: f64,
    pub lists_final_ms: f64,
    pub requests: usize,
}

/// What the official client's start-ups measured.
pub struct Startups {
    /// Median of the runs.
    pub time_ms: f64,
    pub requests: usize,
    pub teams: usize,
    pub channels: usize,
    pub posts: usize,
}

/// Runs the official client's start-up `runs` times against `proxy` for
/// the account `login`, with `channel` as the current channel.
pub async fn startups(
    project: &Path,
    proxy: &Recorder,
    channel: &str,
    login: (&str, &str),
    runs: usize,
) -> anyhow::Result<Startups> {
    let project = &project
        .canonicalize()
        .with_context(|| format!("no official client at {}", project.display()))?;
    let script = project.join("startup.mjs");
    ensure!(
        project.join("node_modules/@mattermost/client").is_dir(),
        "{} has no node_modules: run `npm ci` there (xtask does)",
        project.display()
    );
    let mut times = Vec::new();
    let mut requests = 0;
    let mut last = None;
    for _ in 0..runs {
        proxy.take();
        let output = tokio::process::Command::new("node")
            .arg(&script)
            .arg(proxy.url())
            .arg(channel)
            .env("MM_BENCH_LOGIN", login.0)
            .env("MM_BENCH_PASSWORD", login.1)
            .current_dir(project)
            .stdin(Stdio::null())
            .output()
            .await
            .context("starting node (the official client needs Node.js)")?;
        if !output.status.success() {
            bail!(
                "the official client failed with {}: {}",
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        let run: StartupRun = parse_last_line(&output.stdout)?;
        // The untimed sign-in is not one of the start-up requests.
        let exchanges: Vec<_> = proxy
            .take()
            .into_iter()
            .filter(|e| !e.path.ends_with("/users/login"))
            .collect();
        ensure!(
            exchanges.len() == run.requests && exchanges.iter().all(|e| e.status < 400),
            "the official client sent {} requests ({} seen, some failed?)",
            run.requests,
            exchanges.len()
        );
        ensure!(
            run.teams > 0 && run.channels > 0,
            "the official client saw nothing: {run:?}"
        );
        times.push(run.elapsed_ms);
        requests = exchanges.len();
        last = Some(run);
    }
    let last = last.context("no run of the official client")?;
    Ok(Startups {
        time_ms: median(&times).unwrap_or(f64::NAN),
        requests,
        teams: last.teams,
        channels: last.channels,
        posts: last.posts,
    })
}

pub async fn measure(
    school: &School,
    project: &Path,
    ours: &Ours,
    runs: usize,
) -> anyhow::Result<Vec<Figure>> {
    // The same account (the script signs in untimed); the current channel
    // is the one our sync opened first.
    let synced = account::restore(&school.dir("first-sync-watched")).await?;
    let channel = account::first_screen(&synced, None)
        .await?
        .last_channel
        .context("no current channel")?;
    let official = startups(
        project,
        &school.proxy,
        &channel,
        (&school.account.username, &school.account.password),
        runs,
    )
    .await?;
    Ok(vec![
        Figure::new("official_client_startup_time", official.time_ms, "ms", Better::Lower).compared_to(format!(
            "@mattermost/client on Node, median of {runs}: {} teams, {} channels, {} posts; Pausenhof: every channel list final after {:.0} ms, whole first sync (also unread channels' posts and people) {:.0} ms",
            official.teams, official.channels, official.posts, ours.lists_final_ms, ours.sync_ms
        )),
        Figure::new("official_client_startup_requests", official.requests as f64, "requests", Better::Lower)
            .compared_to(format!(
                "Pausenhof's whole first sync: {} requests",
                ours.requests
            )),
    ])
}
