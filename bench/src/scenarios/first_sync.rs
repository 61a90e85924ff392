//! Figure 2: First sync of the large account, and its download floor.
//!
//! Each run: sign in (not timed), then a child process restores the
//! account and syncs through the recording proxy; right after, another
//! child replays the recorded requests with the same parallelism and does
//! nothing with the answers. One extra run follows the channel lists as a
//! UI would to see after how many sequential round trips they are final,
//! and whether they are final when the sync leaves its channel list stage;
//! the time until then comes from the timed runs (the watcher's reads slow
//! the run it watches).

use std::path::PathBuf;

use anyhow::ensure;

use super::School;
use crate::account;
use crate::child::{self, FloorReport, SyncRun};
use crate::exchange::{
    sequential_round_trips, sequential_round_trips_of, total_response_bytes, ReplayPlan,
};
use crate::report::{Better, Figure};
use crate::stats::median;

pub struct FirstSync {
    pub figures: Vec<Figure>,
    /// A synced account directory for the measurements that follow.
    pub synced_dir: PathBuf,
    pub sync_ms: f64,
    pub requests: usize,
    pub lists_final_ms: f64,
    pub peak_rss_bytes: u64,
}

async fn signed_in_dir(school: &School, name: &str) -> anyhow::Result<PathBuf> {
    let dir = school.dir(name);
    account::sign_in(
        &dir,
        &school.url(),
        &school.account.username,
        &school.account.password,
    )
    .await?;
    Ok(dir)
}

/// When the lists of a timed run were final: when its sync left the
/// channel list stage if the watched run found them final then, else (or
/// without that moment) its end.
fn lists_final_ms(run: &SyncRun, verified: bool) -> f64 {
    match run.lists_complete_at_us {
        Some(at) if verified => {
            (at.saturating_sub(run.started_us) as f64 / 1000.0).min(run.elapsed_ms)
        }
        _ => run.elapsed_ms,
    }
}

pub async fn measure(school: &School, runs: usize) -> anyhow::Result<FirstSync> {
    // The watched run: round trips until the channel lists are final.
    let dir = signed_in_dir(school, "first-sync-watched").await?;
    school.proxy.take();
    let (watched, _): (SyncRun, _) =
        child::spawn(&[child::SYNC, &dir.to_string_lossy(), "--watch-channel-lists"]).await?;
    ensure!(
        watched.kind == "full",
        "expected a full sync, got {}",
        watched.kind
    );
    let exchanges = school.proxy.take();
    // The watcher re-reads every team's list on every change, which slows
    // the watched run (two cores): it counts round trips and checks that
    // the lists are final when the sync says so; the times come from the
    // timed runs below.
    let verified = watched.final_when_complete == Some(true);
    let seen_final_at = watched
        .channel_lists_final_at_us
        .unwrap_or(watched.finished_us);
    let lists_final_at = match watched.lists_complete_at_us {
        Some(at) if verified => at,
        _ => seen_final_at,
    };
    // Round trips as the client sent and received its requests (the
    // proxy's own timing adds the test server's queueing, see
    // `client_requests`); the proxy's count is printed beside them.
    ensure!(
        watched.requests.len() == exchanges.len(),
        "the client logged {} requests, the proxy saw {}",
        watched.requests.len(),
        exchanges.len()
    );
    let round_trips = sequential_round_trips_of(&watched.requests, lists_final_at);
    let proxy_round_trips = sequential_round_trips(&exchanges, lists_final_at);
    // What is final with its names was there with its channels.
    let listed_at = watched
        .channels_listed_at_us
        .unwrap_or(lists_final_at)
        .min(lists_final_at);
    let listed_round_trips = sequential_round_trips_of(&watched.requests, listed_at);
    let listed_ms = listed_at.saturating_sub(watched.started_us) as f64 / 1000.0;
    let all_round_trips = sequential_round_trips_of(&watched.requests, u64::MAX);
    let watched_final_ms = seen_final_at.saturating_sub(watched.started_us) as f64 / 1000.0;
    let watched_ms = watched.elapsed_ms;

    let mut sync_ms = Vec::new();
    let mut floor_ms = Vec::new();
    let mut ratios = Vec::new();
    let mut lists_ms = Vec::new();
    let mut peak_rss = 0u64;
    let mut last = (0usize, 0u64, dir.clone());
    for run in 0..runs {
        let dir = signed_in_dir(school, &format!("first-sync-{run}")).await?;
        school.proxy.take();
        let (synced, _): (SyncRun, _) =
            child::spawn(&[child::SYNC, &dir.to_string_lossy()]).await?;
        let exchanges = school.proxy.take();
        ensure!(
            exchanges.iter().all(|e| e.status < 400),
            "the sync had failing requests"
        );
        let plan = ReplayPlan::from_exchanges(&exchanges);
        let plan_path = school.dir(&format!("floor-plan-{run}.json"));
        std::fs::write(&plan_path, serde_json::to_vec(&plan)?)?;
        let (floor, _): (FloorReport, _) =
            child::spawn(&[child::FLOOR, &plan_path.to_string_lossy(), &school.url()]).await?;
        let replayed = school.proxy.take();
        ensure!(
            replayed.len() == exchanges.len()
                && total_response_bytes(&replayed) == total_response_bytes(&exchanges),
            "the floor fetched {} requests / {} bytes, the sync {} / {}",
            replayed.len(),
            total_response_bytes(&replayed),
            exchanges.len(),
            total_response_bytes(&exchanges)
        );
        lists_ms.push(lists_final_ms(&synced, verified));
        sync_ms.push(synced.elapsed_ms);
        floor_ms.push(floor.elapsed_ms);
        ratios.push(synced.elapsed_ms / floor.elapsed_ms);
        peak_rss = peak_rss.max(synced.peak_rss_bytes);
        last = (exchanges.len(), total_response_bytes(&exchanges), dir);
    }
    let (requests, bytes, synced_dir) = last;
    let sync_median = median(&sync_ms).unwrap_or(f64::NAN);
    let floor_median = median(&floor_ms).unwrap_or(f64::NAN);
    let ratio = median(&ratios).unwrap_or(f64::NAN);
    let lists_final_ms = median(&lists_ms).unwrap_or(f64::NAN);
    let check = if verified {
        "a watched run checked that every list then showed its final names and order and kept them"
    } else {
        "counted to the sync's end: in a watched run the lists were not final then"
    };
    let figures = vec![
        Figure::new("first_sync_round_trips", round_trips as f64, "round trips", Better::Lower)
            .target(3.0)
            .compared_to(format!(
                "sequential round trips of a watched run, timed by the client, until every team's channel list showed its final names and order{} ({proxy_round_trips} by the recording proxy's timing); {listed_round_trips} until every channel, section and badge was there; {all_round_trips} for the whole sync",
                if verified { " (when the sync left its channel list stage)" } else { "" }
            )),
        Figure::new("first_sync_lists_final_time", lists_final_ms, "ms", Better::Lower)
            .compared_to(format!(
                "median of the {runs} runs of first_sync_time: from the sync's start until it left its channel list stage ({check}); the watched run, slowed by its re-reads of every list, saw final lists after {watched_final_ms:.0} ms of its {watched_ms:.0} ms (channels, sections and badges after {listed_ms:.0} ms); compare official_client_startup_time"
            )),
        Figure::new("first_sync_requests", requests as f64, "requests", Better::Lower)
            .compared_to("requests of one whole first sync"),
        Figure::new("first_sync_bytes", bytes as f64, "bytes", Better::Lower)
            .compared_to("response bytes of one whole first sync"),
        Figure::new("first_sync_time", sync_median, "ms", Better::Lower).compared_to(format!(
            "median of {runs} runs; download floor {floor_median:.0} ms"
        )),
        Figure::new("first_sync_vs_floor", ratio, "x", Better::Lower)
            .target(1.3)
            .compared_to(format!(
                "floor: the same {requests} requests ({bytes} bytes) with the same parallelism, answers only read, {floor_median:.0} ms (median of {runs} pairs)"
            )),
    ];
    Ok(FirstSync {
        figures,
        synced_dir,
        sync_ms: sync_median,
        requests,
        lists_final_ms,
        peak_rss_bytes: peak_rss,
    })
}
