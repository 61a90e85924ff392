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

/// Posts 10 messages in each busy channel; returns the last text of each.
fn post_while_away(
    school: &School,
    channels: &[(String, String)],
    run: &str,
) -> anyhow::Result<Vec<String>> {
    let mut last = Vec::new();
    for (channel, author) in channels {
        let mut text = String::new();
        for n in 0..POSTS_PER_CHANNEL {
            text = format!("Nachtrag {run}.{n}: Bitte Seite 12 lesen");
            school
                .server
                .try_post_as(author, channel, &text)
                .map_err(|e| anyhow::anyhow!("posting failed: {}", e.message))?;
        }
        last.push(text);
    }
    Ok(last)
}

/// Checks that each busy channel's newest cached post is the one posted
/// last while away: the catch-up is measured only when it caught up.
async fn check_caught_up(
    dir: &Path,
    channels: &[(String, String)],
    last: &[String],
) -> anyhow::Result<()> {
    let client = account::restore(dir).await?;
    for ((channel, _), text) in channels.iter().zip(last) {
        let newest = client.timeline(channel, 1).await?.posts.pop();
        ensure!(
            newest.as_ref().is_some_and(|p| &p.message == text),
            "after the catch-up {channel} shows {:?}, not {text:?}",
            newest.map(|p| p.message)
        );
    }
    Ok(())
}

/// "GET /api/v4/websocket (3 of 3), ..." for the comparison text.
fn request_names(runs: &[Vec<String>]) -> String {
    let mut counts = std::collections::BTreeMap::<&str, usize>::new();
    for run in runs {
        for name in run.iter().collect::<std::collections::BTreeSet<_>>() {
            *counts.entry(name.as_str()).or_default() += 1;
        }
    }
    if counts.is_empty() {
        return "none".to_owned();
    }
    counts
        .iter()
        .map(|(name, n)| format!("{name} ({n} of {})", runs.len()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The path of an exchange without its ids and query, e.g. `GET /api/v4/channels/{id}/posts`.
fn request_name(method: &str, path: &str) -> String {
    let path = path.split('?').next().unwrap_or(path);
    let shape: Vec<&str> = path
        .split('/')
        .map(|part| {
            if part.len() == 26 && part.chars().all(|c| c.is_ascii_alphanumeric()) {
                "{id}"
            } else {
                part
            }
        })
        .collect();
    format!("{method} {}", shape.join("/"))
}

pub async fn measure(school: &School, synced: &Path, runs: usize) -> anyhow::Result<Vec<Figure>> {
    let dir = school.dir("catch-up");
    account::copy_dir(synced, &dir)?;
    let channels = busy_channels(&dir, &school.account.user_id).await?;
    // The app ran with its socket before it went away: the store holds
    // the socket's resume point (the first connection's catch-up done).
    let _: (SyncRun, _) = child::spawn(&[child::LIVE_SYNC, &dir.to_string_lossy()])
        .await
        .context("connecting once before going away")?;

    let mut times = Vec::new();
    let mut requests = Vec::new();
    let mut names = Vec::new();
    for run in 0..runs {
        let last = post_while_away(school, &channels, &run.to_string())?;
        school.proxy.take();
        let (synced, _): (SyncRun, _) = child::spawn(&[child::LIVE_SYNC, &dir.to_string_lossy()])
            .await
            .context("catch-up after a short absence")?;
        let exchanges = school.proxy.take();
        ensure!(
            synced.kind == "catch_up",
            "expected a catch-up, got {}",
            synced.kind
        );
        check_caught_up(&dir, &channels, &last).await?;
        times.push(synced.elapsed_ms);
        requests.push(exchanges.len() as f64);
        names.push(
            exchanges
                .iter()
                .map(|e| request_name(&e.method, &e.path))
                .collect::<Vec<_>>(),
        );
    }

    // Away longer than the server keeps a connection's missed events (or
    // without a socket at all): every channel with cached posts is asked
    // what changed in it.
    let mut long_requests = Vec::new();
    let mut long_times = Vec::new();
    for run in 0..runs {
        let last = post_while_away(school, &channels, &format!("lang {run}"))?;
        school.proxy.take();
        let (synced, _): (SyncRun, _) = child::spawn(&[child::SYNC, &dir.to_string_lossy()])
            .await
            .context("catch-up after a long absence")?;
        let exchanges = school.proxy.take();
        ensure!(
            synced.channels_with_posts_fetched >= CHANNELS,
            "the catch-up fetched posts of {} channels, {CHANNELS} had new ones",
            synced.channels_with_posts_fetched
        );
        check_caught_up(&dir, &channels, &last).await?;
        long_times.push(synced.elapsed_ms);
        long_requests.push(exchanges.len() as f64);
    }

    let most = |values: &[f64]| values.iter().copied().fold(0.0, f64::max);
    let posts = CHANNELS * POSTS_PER_CHANNEL;
    Ok(vec![
        Figure::new("catch_up_requests", most(&requests), "requests", Better::Lower)
            .target(5.0)
            .compared_to(format!(
                "most of {runs} catch-ups of the app coming back (a new process starts the socket and syncs) after {posts} new posts in {CHANNELS} of the account's channels, within the server's resume window: the socket resumes and replays them; {}",
                request_names(&names)
            )),
        Figure::new("catch_up_time", median(&times).unwrap_or(f64::NAN), "ms", Better::Lower)
            .compared_to(format!("median of {runs}, from starting the socket to the sync's end, the {posts} posts stored")),
        Figure::new("catch_up_requests_after_long_absence", most(&long_requests), "requests", Better::Lower)
            .compared_to(format!(
                "most of {runs} catch-ups without a socket to resume (away longer than the server keeps missed events): every channel with cached posts is asked what changed, edits, deletes and reactions included"
            )),
        Figure::new("catch_up_time_after_long_absence", median(&long_times).unwrap_or(f64::NAN), "ms", Better::Lower)
            .compared_to(format!("median of {runs} catch-ups in a new process without a socket")),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_requests_by_their_shape() {
        assert_eq!(
            request_name(
                "GET",
                "/api/v4/channels/abcdefghijklmnopqrstuvwxyz/posts?since=5"
            ),
            "GET /api/v4/channels/{id}/posts"
        );
        let runs = vec![
            vec!["GET /api/v4/websocket".to_owned()],
            vec![
                "GET /api/v4/websocket".to_owned(),
                "POST /api/v4/users/ids".to_owned(),
            ],
        ];
        assert_eq!(
            request_names(&runs),
            "GET /api/v4/websocket (2 of 2), POST /api/v4/users/ids (1 of 2)"
        );
        assert_eq!(request_names(&[Vec::new()]), "none");
    }
}
