//! Figure 4: Catch-up after being offline: while the account was away, 50
//! posts arrived in 5 of its channels (10 each, by people who post there);
//! then a new process restores the account and syncs.

use std::path::Path;

use anyhow::{ensure, Context};

use super::School;
use crate::account;
use crate::child::{self, SyncRun};
use crate::report::{Better, Figure};
use crate::stats::median;

const CHANNELS: usize = 5;
const POSTS_PER_CHANNEL: usize = 10;

/// Five channels with cached posts by someone else, and that someone.
async fn busy_channels(dir: &Path, me: &str) -> anyhow::Result<Vec<(String, String)>> {
    let client = account::restore(dir).await?;
    let lists = account::channel_lists(&client).await?;
    let mut picked = Vec::new();
    for channel in account::all_channel_ids(&lists) {
        let timeline = client
            .timeline(&channel, account::FIRST_SCREEN_POSTS)
            .await?;
        if let Some(author) = timeline
            .posts
            .iter()
            .rev()
            .find(|p| p.user_id != me && p.post_type.is_empty())
        {
            picked.push((channel, author.user_id.clone()));
        }
        if picked.len() == CHANNELS {
            break;
        }
    }
    ensure!(
        picked.len() == CHANNELS,
        "found only {} channels with posts",
        picked.len()
    );
    Ok(picked)
}

pub async fn measure(school: &School, synced: &Path, runs: usize) -> anyhow::Result<Vec<Figure>> {
    let dir = school.dir("catch-up");
    account::copy_dir(synced, &dir)?;
    let channels = busy_channels(&dir, &school.account.user_id).await?;
    let mut times = Vec::new();
    let mut requests = Vec::new();
    for run in 0..runs {
        for (channel, author) in &channels {
            for n in 0..POSTS_PER_CHANNEL {
                school
                    .server
                    .try_post_as(
                        author,
                        channel,
                        &format!("Nachtrag {run}.{n}: Bitte Seite 12 lesen"),
                    )
                    .map_err(|e| anyhow::anyhow!("posting failed: {}", e.message))?;
            }
        }
        school.proxy.take();
        let (synced, _): (SyncRun, _) = child::spawn(&[child::SYNC, &dir.to_string_lossy()])
            .await
            .context("catch-up sync")?;
        let exchanges = school.proxy.take();
        ensure!(
            synced.kind == "catch_up",
            "expected a catch-up, got {}",
            synced.kind
        );
        ensure!(
            synced.channels_with_posts_fetched >= CHANNELS,
            "the catch-up fetched posts of {} channels, {CHANNELS} had new ones",
            synced.channels_with_posts_fetched
        );
        times.push(synced.elapsed_ms);
        requests.push(exchanges.len() as f64);
    }
    let most_requests = requests.iter().copied().fold(0.0, f64::max);
    let time = median(&times).unwrap_or(f64::NAN);
    Ok(vec![
        Figure::new("catch_up_requests", most_requests, "requests", Better::Lower)
            .target(5.0)
            .compared_to(format!(
                "most of {runs} catch-ups, each after {} new posts in {CHANNELS} of the account's channels",
                CHANNELS * POSTS_PER_CHANNEL
            )),
        Figure::new("catch_up_time", time, "ms", Better::Lower)
            .compared_to(format!("median of {runs} catch-ups in a new process")),
    ])
}
