//! Figure 1: Cold start from cache: a new process opens the store of the
//! synced large account (its whole history cached) and reads every team's
//! channel list and the newest 60 posts of the channel viewed last.

use std::path::Path;

use anyhow::ensure;

use crate::child::{self, ColdStart};
use crate::memory::MIB;
use crate::report::{Better, Figure};
use crate::stats::{median, millis};

pub struct ColdStarts {
    pub figures: Vec<Figure>,
    pub peak_rss_bytes: u64,
}

pub async fn measure(dir: &Path, cached_posts: u64, runs: usize) -> anyhow::Result<ColdStarts> {
    // The channel that was open when the app closed (the app remembers it).
    let open_channel = {
        let client = crate::account::restore(dir).await?;
        crate::account::first_screen(&client, None)
            .await?
            .last_channel
            .ok_or_else(|| anyhow::anyhow!("no channel has cached posts"))?
    };
    let mut ready = Vec::new();
    let mut wall = Vec::new();
    let mut peak_rss = 0u64;
    let mut last = None;
    for _ in 0..runs {
        let (start, process): (ColdStart, _) =
            child::spawn(&[child::COLD_START, &dir.to_string_lossy(), &open_channel]).await?;
        ensure!(
            start.teams > 0 && start.channels > 0 && start.posts > 0,
            "the cold start found nothing: {start:?}"
        );
        ready.push(start.ready_ms);
        wall.push(millis(process));
        peak_rss = peak_rss.max(start.peak_rss_bytes);
        last = Some(start);
    }
    let last = last.ok_or_else(|| anyhow::anyhow!("no cold start ran"))?;
    let ready_median = median(&ready).unwrap_or(f64::NAN);
    let ready_max = ready.iter().copied().fold(0.0, f64::max);
    let wall_median = median(&wall).unwrap_or(f64::NAN);
    let figures = vec![
        Figure::new("cold_start", ready_median, "ms", Better::Lower)
            .target(30.0)
            .compared_to(format!(
                "median of {runs} new processes (max {ready_max:.1} ms; {wall_median:.1} ms from spawn to exit): {} teams, {} channels listed, {} posts shown, {cached_posts} posts cached; OS file cache warm",
                last.teams, last.channels, last.posts
            )),
        Figure::new("cold_start_peak_rss", peak_rss as f64 / MIB, "MiB", Better::Lower)
            .target(40.0)
            .compared_to(format!("VmHWM of the cold start process, highest of {runs}")),
    ];
    Ok(ColdStarts {
        figures,
        peak_rss_bytes: peak_rss,
    })
}
