//! Measurements that need a process of their own: a cold start must start
//! from nothing, and peak memory must be the client's alone (the test
//! server holds the whole school in memory in the parent process).
//!
//! The parent runs its own executable with a child command; the child
//! prints one JSON line as its last line of output.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use pausenhof_core::store::StoreChange;
use pausenhof_core::sync::{SyncProgress, SyncStage};
use pausenhof_core::Client;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::watch;

use crate::account;
use crate::client_requests::RequestLog;
use crate::exchange::ReplayPlan;
use crate::memory::peak_rss_bytes;
use crate::recorder::now_us;
use crate::stats::millis;

pub const COLD_START: &str = "child-cold-start";
pub const SYNC: &str = "child-sync";
pub const FLOOR: &str = "child-floor";
pub const PUSH: &str = "child-push";
pub const PREFETCH: &str = "child-prefetch";
pub const LIVE_SYNC: &str = "child-live-sync";

/// What a cold start child reports.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ColdStart {
    /// From the child's first instruction to the first screen being ready.
    pub ready_ms: f64,
    pub peak_rss_bytes: u64,
    pub teams: usize,
    pub channels: usize,
    pub posts: usize,
}

/// What a sync child reports.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SyncRun {
    pub elapsed_ms: f64,
    pub kind: String,
    pub started_us: u64,
    pub finished_us: u64,
    /// When every team's channel list last changed to its final channels,
    /// sections and badges (only with the watcher on).
    pub channels_listed_at_us: Option<u64>,
    /// When they also showed their final names in their final order.
    pub channel_lists_final_at_us: Option<u64>,
    /// When the sync's progress left the channel list stage: every
    /// response the lists need is written. Cheap to watch, so every run
    /// has it.
    pub lists_complete_at_us: Option<u64>,
    /// Whether the lists read at that moment were final (only with the
    /// watcher on): they showed their final names in their final order
    /// and every later read showed the same.
    pub final_when_complete: Option<bool>,
    /// `(began_us, answered_us)` of each request as the client saw it
    /// (only with the watcher on).
    #[serde(default)]
    pub requests: Vec<(u64, u64)>,
    pub channels_with_posts_fetched: usize,
    pub peak_rss_bytes: u64,
}

impl SyncRun {
    /// A run of `report`, with nothing watched.
    fn of(
        report: &pausenhof_core::sync::SyncReport,
        elapsed: Duration,
        started_us: u64,
        finished_us: u64,
    ) -> anyhow::Result<SyncRun> {
        Ok(SyncRun {
            elapsed_ms: millis(elapsed),
            kind: serde_json::to_value(report.kind)?
                .as_str()
                .unwrap_or("")
                .to_owned(),
            started_us,
            finished_us,
            channels_listed_at_us: None,
            channel_lists_final_at_us: None,
            lists_complete_at_us: None,
            final_when_complete: None,
            requests: Vec::new(),
            channels_with_posts_fetched: report.channels_with_posts_fetched.len(),
            peak_rss_bytes: peak_rss_bytes().unwrap_or(0),
        })
    }
}

/// What a push child reports.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PushRun {
    /// From the child's first instruction to the notification's content.
    pub elapsed_ms: f64,
    /// When the notification's title and body were ready (`now_us`), for
    /// the parent to time from the moment it started the process.
    pub ready_us: u64,
    pub peak_rss_bytes: u64,
    /// The notification's body (the parent checks it is the message).
    pub body: String,
}

/// What a prefetch child reports.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PrefetchRun {
    pub elapsed_ms: f64,
    pub channels_fetched: usize,
    pub channels_failed: usize,
    /// The account's channels with posts, and those of them with posts
    /// cached (readable offline), after the prefetch.
    pub channels_with_posts: usize,
    pub channels_readable_offline: usize,
}

/// What a floor child reports.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FloorReport {
    pub elapsed_ms: f64,
    pub requests: usize,
    pub response_bytes: u64,
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}

fn print_report(report: &impl Serialize) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string(report)?);
    Ok(())
}

/// Child: opens the store of the account in `data_dir` and reads the first
/// screen with `open_channel`. Timed from the child's first instruction,
/// runtime included.
pub fn cold_start(data_dir: &Path, open_channel: &str) -> anyhow::Result<()> {
    let started = Instant::now();
    let runtime = runtime()?;
    let screen = runtime.block_on(async {
        let client = account::restore(data_dir).await?;
        account::first_screen(&client, Some(open_channel)).await
    })?;
    let ready = started.elapsed();
    let posts = screen.timeline.as_ref().map_or(0, |t| t.posts.len());
    print_report(&ColdStart {
        ready_ms: millis(ready),
        peak_rss_bytes: peak_rss_bytes().unwrap_or(0),
        teams: screen.lists.len(),
        channels: screen.channel_count(),
        posts,
    })
}

/// Child: runs `Client::sync` on the account in `data_dir`; with
/// `watch_lists` it also follows every team's channel list as a UI would.
pub fn sync(data_dir: &Path, watch_lists: bool) -> anyhow::Result<()> {
    let requests = watch_lists.then(RequestLog::install).transpose()?;
    let runtime = runtime()?;
    let report = runtime.block_on(async {
        let client = account::restore(data_dir).await?;
        let snapshots = Arc::new(Mutex::new(Vec::new()));
        let complete = stamp_lists_complete(client.sync_progress());
        let watcher = watch_lists.then(|| {
            tokio::spawn(watch_channel_lists(
                client.clone(),
                client.sync_progress(),
                snapshots.clone(),
            ))
        });
        let started_us = now_us();
        let started = Instant::now();
        let report = client.sync().await.context("sync failed")?;
        let elapsed = started.elapsed();
        let finished_us = now_us();
        // The stage ended before the sync returned (at the latest when
        // the progress went idle): the thread is done or about to be.
        let waited = Instant::now();
        while !complete.is_finished() && waited.elapsed() < Duration::from_secs(1) {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        let lists_complete_at_us = if complete.is_finished() {
            complete.join().ok().flatten()
        } else {
            None
        };
        let lists_at = match watcher {
            None => None,
            Some(task) => {
                // Let the watcher take in the last change sets first.
                tokio::time::sleep(Duration::from_millis(200)).await;
                task.abort();
                let last = lists_digest(&client).await?;
                let seen = snapshots.lock().map(|s| s.clone()).unwrap_or_default();
                let at = |pick: fn(&Digests) -> u64| {
                    let seen: Vec<(u64, u64)> = seen
                        .iter()
                        .map(|s| (s.began_us, pick(&s.digests)))
                        .collect();
                    final_since(&seen, pick(&last)).unwrap_or(finished_us)
                };
                Some((
                    at(|d| d.listed),
                    at(|d| d.shown),
                    final_from_completion(&seen, last.shown),
                ))
            }
        };
        let (channels_listed_at_us, channel_lists_final_at_us, final_when_complete) = match lists_at
        {
            Some((listed, shown, verified)) => (Some(listed), Some(shown), Some(verified)),
            None => (None, None, None),
        };
        anyhow::Ok(SyncRun {
            channels_listed_at_us,
            channel_lists_final_at_us,
            lists_complete_at_us,
            final_when_complete,
            requests: requests.as_ref().map(RequestLog::take).unwrap_or_default(),
            ..SyncRun::of(&report, elapsed, started_us, finished_us)?
        })
    })?;
    print_report(&report)
}

/// Child: what the app does when it comes back: starts the websocket and
/// syncs at once (the sync takes the socket's replay when it resumes).
/// Timed from the start of the socket to the sync's end. Before exiting it
/// waits out a catch-up the socket may owe (a first connection's), so the
/// next process finds the store in step with its resume point.
pub fn live_sync(data_dir: &Path) -> anyhow::Result<()> {
    let runtime = runtime()?;
    let report = runtime.block_on(async {
        let client = account::restore(data_dir).await?;
        let started_us = now_us();
        let started = Instant::now();
        client.start_realtime()?;
        let report = client.sync().await.context("sync failed")?;
        let elapsed = started.elapsed();
        let finished_us = now_us();
        let store = client.store()?;
        let settled = tokio::time::timeout(Duration::from_secs(60), async {
            loop {
                let settled = store
                    .read(pausenhof_core::realtime::events_catch_up_settled)
                    .await?;
                if settled {
                    return anyhow::Ok(());
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await;
        settled.context("the socket's catch-up did not end")??;
        client.stop_realtime();
        SyncRun::of(&report, elapsed, started_us, finished_us)
    })?;
    print_report(&report)
}

/// Digests of what the channel lists show: which channels are in which
/// section of which team with which unread badges, and the same with the
/// names shown and the order.
async fn lists_digest(client: &Client) -> anyhow::Result<Digests> {
    let lists = account::channel_lists(client).await?;
    let mut listed = DefaultHasher::new();
    let mut shown = DefaultHasher::new();
    for (team, sections) in &lists {
        team.hash(&mut shown);
        for section in sections {
            section.name.hash(&mut shown);
            let mut entries: Vec<_> = section
                .channels
                .iter()
                .map(|c| (&c.id, c.unread_count, c.mention_count))
                .collect();
            entries.sort_unstable();
            (team, &section.name, entries).hash(&mut listed);
            for c in &section.channels {
                (&c.id, &c.display_name, c.unread_count, c.mention_count).hash(&mut shown);
            }
        }
    }
    Ok(Digests {
        listed: listed.finish(),
        shown: shown.finish(),
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Digests {
    /// Channels, sections and badges.
    listed: u64,
    /// Also the names shown and the order.
    shown: u64,
}

/// One read of every team's list by the watcher.
#[derive(Debug, Clone, Copy)]
struct Snapshot {
    /// When the read began (`now_us`).
    began_us: u64,
    digests: Digests,
    /// The read the end of the channel list stage triggered.
    at_completion: bool,
}

/// When the sync's progress first leaves the channel list stage (to the
/// posts, the authors, or idle when it ends); `None` if the progress
/// channel closes first.
async fn lists_complete_at(mut progress: watch::Receiver<SyncProgress>) -> Option<u64> {
    let mut began = false;
    loop {
        match progress.borrow_and_update().stage {
            SyncStage::Listing | SyncStage::ChannelList => began = true,
            SyncStage::Posts | SyncStage::Authors => return Some(now_us()),
            SyncStage::Idle if began => return Some(now_us()),
            SyncStage::Idle => {}
        }
        progress.changed().await.ok()?;
    }
}

/// [`lists_complete_at`] on a thread of its own: on the runtime's workers,
/// busy with the sync's answers (and the watcher's reads), the stamp came
/// up to several milliseconds late, after requests of the next round had
/// finished.
fn stamp_lists_complete(
    progress: watch::Receiver<SyncProgress>,
) -> std::thread::JoinHandle<Option<u64>> {
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .ok()?
            .block_on(lists_complete_at(progress))
    })
}

/// Re-reads the lists after changes that may affect them, and once when
/// the channel list stage ends, noting when the read began and what it
/// saw. The time is the read's start, not its end: reading every team's
/// list takes a while, and the state it sees was reached before it began
/// (stamping the end made the lists look final up to a whole read after
/// the sync had ended). Change sets that queued meanwhile are taken in one
/// read.
async fn watch_channel_lists(
    client: Client,
    progress: watch::Receiver<SyncProgress>,
    snapshots: Arc<Mutex<Vec<Snapshot>>>,
) {
    let Ok(mut changes) = client.store_changes() else {
        return;
    };
    let affects_lists = |set: &pausenhof_core::store::ChangeSet| {
        set.iter().any(|c| {
            matches!(
                c,
                StoreChange::Teams
                    | StoreChange::ChannelList { .. }
                    | StoreChange::User { .. }
                    | StoreChange::Preferences
                    | StoreChange::Rebuilt
            )
        })
    };
    let completion = lists_complete_at(progress);
    tokio::pin!(completion);
    let mut completed = false;
    loop {
        let (mut relevant, at_completion) = tokio::select! {
            received = changes.recv() => match received {
                Ok(set) => (affects_lists(&set), false),
                Err(RecvError::Lagged(_)) => (true, false),
                Err(RecvError::Closed) => return,
            },
            _ = &mut completion, if !completed => {
                completed = true;
                (true, true)
            }
        };
        loop {
            match changes.try_recv() {
                Ok(set) => relevant |= affects_lists(&set),
                Err(tokio::sync::broadcast::error::TryRecvError::Lagged(_)) => relevant = true,
                Err(_) => break,
            }
        }
        if !relevant {
            continue;
        }
        let began_us = now_us();
        if let Ok(digests) = lists_digest(&client).await {
            if let Ok(mut s) = snapshots.lock() {
                s.push(Snapshot {
                    began_us,
                    digests,
                    at_completion,
                });
            }
        }
    }
}

/// Whether the lists were final when the channel list stage ended: the
/// read it triggered and every read after it show the final names and
/// order.
fn final_from_completion(snapshots: &[Snapshot], last_shown: u64) -> bool {
    let Some(at) = snapshots.iter().position(|s| s.at_completion) else {
        return false;
    };
    snapshots[at..]
        .iter()
        .all(|s| s.digests.shown == last_shown)
}

/// The time of the first snapshot from which on every snapshot shows the
/// final state.
pub fn final_since(snapshots: &[(u64, u64)], last: u64) -> Option<u64> {
    let stable = snapshots
        .iter()
        .rev()
        .take_while(|(_, digest)| *digest == last)
        .last()?;
    Some(stable.0)
}

/// Child: `Client::prefetch_for_offline` on a synced account, then how
/// many of its channels read offline.
pub fn prefetch(data_dir: &Path) -> anyhow::Result<()> {
    let runtime = runtime()?;
    let report = runtime.block_on(async {
        let client = account::restore(data_dir).await?;
        let started = Instant::now();
        let report = client.prefetch_for_offline().await?;
        let elapsed = started.elapsed();
        let (with_posts, readable) = client
            .store()?
            .read(|c| {
                Ok(c.query_row(
                    "SELECT count(*), count(r.channel_id) FROM channels c
                     JOIN channel_members m ON m.channel_id = c.id
                       AND m.user_id = (SELECT value FROM account WHERE key = 'user_id')
                     LEFT JOIN (SELECT DISTINCT channel_id FROM timeline_ranges) r
                       ON r.channel_id = c.id
                     WHERE c.delete_at = 0 AND c.last_post_at > 0",
                    [],
                    |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)),
                )?)
            })
            .await?;
        anyhow::Ok(PrefetchRun {
            elapsed_ms: millis(elapsed),
            channels_fetched: report.channels_fetched.len(),
            channels_failed: report.channels_failed,
            channels_with_posts: with_posts as usize,
            channels_readable_offline: readable as usize,
        })
    })?;
    print_report(&report)
}

/// Child: what the iOS notification service extension does with one push,
/// in a process started for it: hand the payload (the APNs body in
/// `payload_path`) to `Client::handle_push` on core's own runtime, as the
/// bindings do, and take the notification's content.
pub fn push(data_dir: &Path, payload_path: &Path) -> anyhow::Result<()> {
    let started = Instant::now();
    let payload = std::fs::read(payload_path)?;
    let client = account::client(data_dir)?;
    let outcome = pausenhof_core::runtime::shared()
        .block_on(client.handle_push(&payload))
        .context("handle_push failed")?;
    let pausenhof_core::push::PushAction::Show { notification } = outcome.action else {
        bail!("the push made no notification: {:?}", outcome.action);
    };
    let elapsed = started.elapsed();
    let ready_us = now_us();
    print_report(&PushRun {
        elapsed_ms: millis(elapsed),
        ready_us,
        peak_rss_bytes: peak_rss_bytes().unwrap_or(0),
        body: notification.body,
    })
}

/// Child: replays a recorded sync's requests (the download floor).
pub fn floor(plan_path: &Path, base_url: &str) -> anyhow::Result<()> {
    let plan: ReplayPlan = serde_json::from_slice(&std::fs::read(plan_path)?)?;
    let runtime = runtime()?;
    let run = runtime.block_on(async {
        let tls = pausenhof_core::net::build_tls_configs(&[])?;
        let http = pausenhof_core::net::http::build_http_client(
            &tls,
            &pausenhof_core::net::HttpLimits::default(),
        )?;
        crate::floor::replay(&http, base_url, &plan).await
    })?;
    print_report(&FloorReport {
        elapsed_ms: millis(run.elapsed),
        requests: run.requests,
        response_bytes: run.response_bytes,
    })
}

/// Parent: runs this executable with a child command and reads its report.
pub async fn spawn<T: DeserializeOwned>(args: &[&str]) -> anyhow::Result<(T, Duration)> {
    let exe: PathBuf = std::env::current_exe()?;
    let started = Instant::now();
    // `output` captures stderr whatever it was set to: pass it on.
    let output = tokio::process::Command::new(&exe)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .await
        .with_context(|| format!("starting {}", exe.display()))?;
    let wall = started.elapsed();
    eprint!("{}", String::from_utf8_lossy(&output.stderr));
    if !output.status.success() {
        bail!("child `{}` failed with {}", args.join(" "), output.status);
    }
    Ok((parse_last_line(&output.stdout)?, wall))
}

pub fn parse_last_line<T: DeserializeOwned>(stdout: &[u8]) -> anyhow::Result<T> {
    let text = String::from_utf8_lossy(stdout);
    let line = text
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .context("the child printed nothing")?;
    serde_json::from_str(line).with_context(|| format!("the child printed {line:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_final_state_starts_at_its_first_unbroken_snapshot() {
        let snapshots = [(10, 1), (20, 7), (30, 2), (40, 7), (50, 7)];
        assert_eq!(final_since(&snapshots, 7), Some(40));
        assert_eq!(final_since(&snapshots, 9), None);
        assert_eq!(final_since(&[], 7), None);
    }

    fn snapshot(began_us: u64, shown: u64, at_completion: bool) -> Snapshot {
        Snapshot {
            began_us,
            digests: Digests { listed: 0, shown },
            at_completion,
        }
    }

    #[test]
    fn lists_are_final_at_completion_only_if_no_later_read_differs() {
        let kept = [
            snapshot(10, 1, false),
            snapshot(20, 7, true),
            snapshot(30, 7, false),
        ];
        assert!(final_from_completion(&kept, 7));
        // Names that arrive after the stage ended.
        let late = [
            snapshot(10, 1, false),
            snapshot(20, 1, true),
            snapshot(30, 7, false),
        ];
        assert!(!final_from_completion(&late, 7));
        let changed_back = [snapshot(20, 7, true), snapshot(30, 3, false)];
        assert!(!final_from_completion(&changed_back, 7));
        // Without the read at completion nothing is known.
        assert!(!final_from_completion(&[snapshot(30, 7, false)], 7));
    }

    #[test]
    fn reads_the_last_line_as_the_report() {
        let out = b"some log\n{\"elapsed_ms\":1.5,\"requests\":3,\"response_bytes\":9}\n\n";
        let report: FloorReport = parse_last_line(out).unwrap();
        assert_eq!(report.requests, 3);
        assert!(parse_last_line::<FloorReport>(b"").is_err());
        assert!(parse_last_line::<FloorReport>(b"not json\n").is_err());
    }
}
