//! Setup, not measured: the archive account (a member of every channel of
//! the school) synced, then every channel loaded back to its start, as
//! after scrolling through all of them. Cold start and offline search are
//! measured on it.

use std::path::PathBuf;
use std::time::Instant;

use futures_util::{stream, StreamExt, TryStreamExt};

use super::School;
use crate::account;

/// Channels scrolled back at the same time.
const PARALLEL_CHANNELS: usize = 6;

pub struct FullHistory {
    pub dir: PathBuf,
    /// A copy of the account right after its sync, before any history.
    pub synced_dir: PathBuf,
    pub posts: u64,
    pub channels: usize,
}

/// Signs the archive account in, syncs it and loads every channel back to
/// its start.
pub async fn fill(school: &School) -> anyhow::Result<FullHistory> {
    let dir = school.dir("full-history");
    let started = Instant::now();
    let client = account::sign_in(
        &dir,
        &school.url(),
        &school.archive.username,
        &school.archive.password,
    )
    .await?;
    client.sync().await?;
    let synced_dir = school.dir("archive-synced");
    account::copy_dir(&dir, &synced_dir)?;
    let lists = account::channel_lists(&client).await?;
    let channels = account::all_channel_ids(&lists);
    stream::iter(channels.iter().cloned())
        .map(|channel| {
            let client = client.clone();
            async move {
                // The first call of a channel without cached posts loads its
                // newest page and reports nothing fetched before it.
                let mut first = true;
                loop {
                    let outcome = client.load_older(&channel).await?;
                    if outcome.reached_start || (outcome.fetched == 0 && !first) {
                        return anyhow::Ok(());
                    }
                    first = false;
                }
            }
        })
        .buffer_unordered(PARALLEL_CHANNELS)
        .try_collect::<Vec<()>>()
        .await?;
    let store = client.store()?;
    let posts: u64 = store
        .read(|c| Ok(c.query_row("SELECT count(*) FROM posts", [], |r| r.get::<_, i64>(0))?))
        .await? as u64;
    eprintln!(
        "bench: loaded the history of {} channels ({posts} posts) in {:.1} s",
        channels.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(FullHistory {
        dir,
        synced_dir,
        posts,
        channels: channels.len(),
    })
}
