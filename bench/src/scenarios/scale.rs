//! Figures at a million cached posts, and how the ones users feel grow with
//! history: cold start, offline search and peak memory on the archive
//! account with 10,000, 100,000, its real 200,000 and 1,000,000 posts
//! cached.
//!
//! The school has 200,000 posts; the other sizes are the account's cache
//! grown with older history in every channel, as if the user had scrolled
//! back further: the school's own messages and each channel's own authors,
//! one post a minute before the oldest cached one, recorded as loaded
//! ranges that reach the channel's start. (10,000 and 100,000 grow the
//! account's cache right after its sync, 1,000,000 its whole history.)

use std::collections::HashMap;
use std::path::Path;

use anyhow::{ensure, Context};
use pausenhof_core::model::Post;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::SeedableRng;

use super::{cold_start, search};
use crate::account;
use crate::memory::MIB;
use crate::report::{Better, Figure};

/// Posts written per transaction while growing.
const BATCH: usize = 2_000;
/// One post a minute, older than the oldest cached one.
const SPACING_MS: i64 = 60_000;
/// Search queries per size.
const QUERIES: usize = 500;

/// What one size measured.
struct AtSize {
    posts: u64,
    cold_start_ms: f64,
    search_p99_ms: f64,
    peak_rss_mib: f64,
}

/// Each channel's oldest cached post time and a few of its authors, and
/// messages of the whole cache to reuse.
struct Seed {
    channels: Vec<(String, i64, Vec<String>)>,
    messages: Vec<String>,
}

async fn seed(dir: &Path, fallback: &Seed) -> anyhow::Result<Seed> {
    let client = account::restore(dir).await?;
    let lists = account::channel_lists(&client).await?;
    let mut channels = Vec::new();
    let mut messages = Vec::new();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis() as i64;
    let authors_of: HashMap<&str, &Vec<String>> = fallback
        .channels
        .iter()
        .map(|(id, _, authors)| (id.as_str(), authors))
        .collect();
    for channel in account::all_channel_ids(&lists) {
        let timeline = client.timeline(&channel, 200).await?;
        let oldest = timeline.posts.iter().map(|p| p.create_at).min();
        let mut authors: Vec<String> = timeline
            .posts
            .iter()
            .filter(|p| p.post_type.is_empty())
            .map(|p| p.user_id.clone())
            .collect();
        authors.sort();
        authors.dedup();
        if authors.is_empty() {
            authors = authors_of
                .get(channel.as_str())
                .cloned()
                .cloned()
                .unwrap_or_default();
        }
        messages.extend(
            timeline
                .posts
                .into_iter()
                .filter(|p| p.post_type.is_empty())
                .map(|p| p.message),
        );
        if !authors.is_empty() {
            channels.push((channel, oldest.unwrap_or(now), authors));
        }
    }
    if messages.is_empty() {
        messages = fallback.messages.clone();
    }
    ensure!(
        !channels.is_empty() && !messages.is_empty(),
        "nothing to grow from"
    );
    Ok(Seed { channels, messages })
}

/// Adds older posts to the cache in `dir` until it holds `target` posts.
async fn grow(dir: &Path, seed: &Seed, target: u64) -> anyhow::Result<u64> {
    let client = account::restore(dir).await?;
    let store = client.store()?;
    let cached = count_posts(&client).await?;
    let missing = target.saturating_sub(cached) as usize;
    let per_channel = missing.div_ceil(seed.channels.len());
    let mut rng = StdRng::seed_from_u64(11);
    let mut written = 0usize;
    for (n, (channel, oldest, authors)) in seed.channels.iter().enumerate() {
        let count = per_channel.min(missing - written);
        if count == 0 {
            break;
        }
        let posts: Vec<Post> = (1..=count as i64)
            .map(|i| {
                let at = oldest - i * SPACING_MS;
                Post {
                    // 26 characters, as server ids.
                    id: format!("g{n:06}{i:019}"),
                    create_at: at,
                    update_at: at,
                    user_id: authors.choose(&mut rng).cloned().unwrap_or_default(),
                    channel_id: channel.clone(),
                    message: seed.messages.choose(&mut rng).cloned().unwrap_or_default(),
                    ..Post::default()
                }
            })
            .collect();
        let newest_at = *oldest;
        let oldest_at = oldest - count as i64 * SPACING_MS;
        for chunk in posts.chunks(BATCH) {
            let chunk = chunk.to_vec();
            store.write(move |w| w.upsert_posts(&chunk)).await?;
        }
        let channel = channel.clone();
        store
            .write(move |w| {
                w.record_range(&channel, oldest_at, newest_at, true)
                    .map(|_| ())
            })
            .await?;
        written += count;
    }
    count_posts(&client).await
}

async fn count_posts(client: &pausenhof_core::Client) -> anyhow::Result<u64> {
    Ok(client
        .store()?
        .read(|c| Ok(c.query_row("SELECT count(*) FROM posts", [], |r| r.get::<_, i64>(0))?))
        .await? as u64)
}

async fn measure_at(dir: &Path, posts: u64, runs: usize) -> anyhow::Result<AtSize> {
    let cold = cold_start::measure(dir, posts, runs).await?;
    let searched = search::measure(dir, posts, QUERIES).await?;
    let value = |figures: &[Figure], name: &str| {
        figures
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.value)
            .with_context(|| format!("no {name} row"))
    };
    Ok(AtSize {
        posts,
        cold_start_ms: value(&cold.figures, "cold_start")?,
        search_p99_ms: value(&searched, "search_p99")?,
        peak_rss_mib: cold.peak_rss_bytes as f64 / MIB,
    })
}

/// `synced`: the archive account right after its sync; `history`: with
/// its whole history (`history_posts`) loaded. Both stay as they are.
pub async fn measure(
    work: &Path,
    synced: &Path,
    history: &Path,
    history_posts: u64,
    runs: usize,
) -> anyhow::Result<Vec<Figure>> {
    let full = seed(
        history,
        &Seed {
            channels: Vec::new(),
            messages: Vec::new(),
        },
    )
    .await?;
    let mut sizes = Vec::new();
    for target in [10_000u64, 100_000] {
        let dir = work.join(format!("scale-{target}"));
        account::copy_dir(synced, &dir)?;
        let posts = grow(&dir, &seed(&dir, &full).await?, target).await?;
        sizes.push(measure_at(&dir, posts, runs).await?);
        std::fs::remove_dir_all(&dir).ok();
    }
    sizes.push(measure_at(history, history_posts, runs).await?);
    let dir = work.join("scale-1m");
    account::copy_dir(history, &dir)?;
    let posts = grow(&dir, &full, 1_000_000).await?;
    eprintln!("bench: grew the archive account's cache to {posts} posts");
    sizes.push(measure_at(&dir, posts, runs).await?);
    std::fs::remove_dir_all(&dir).ok();

    let million = sizes.last().context("no size measured")?;
    let growth = |pick: fn(&AtSize) -> f64, unit: &str| {
        sizes
            .iter()
            .map(|s| format!("{}: {:.1} {unit}", s.posts, pick(s)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let cold_growth = growth(|s| s.cold_start_ms, "ms");
    let search_growth = growth(|s| s.search_p99_ms, "ms");
    let rss_growth = growth(|s| s.peak_rss_mib, "MiB");
    Ok(vec![
        Figure::new("cold_start_1m", million.cold_start_ms, "ms", Better::Lower)
            .target(30.0)
            .compared_to(format!(
                "median of {runs} new processes, {} posts cached; by cached posts: {cold_growth}",
                million.posts
            )),
        Figure::new("search_p99_1m", million.search_p99_ms, "ms", Better::Lower)
            .target(20.0)
            .compared_to(format!(
                "{QUERIES} queries over {} cached posts; by cached posts: {search_growth}",
                million.posts
            )),
        Figure::new("peak_rss_1m", million.peak_rss_mib, "MiB", Better::Lower)
            .target(40.0)
            .compared_to(format!(
                "VmHWM of the cold start process, highest of {runs}, {} posts cached; by cached posts: {rss_growth}",
                million.posts
            )),
    ])
}
