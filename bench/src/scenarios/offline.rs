//! Offline coverage: after the first sync of the large school, what the
//! prefetch of likely channels costs (requests, bytes) and how many of the
//! account's channels then read offline.

use std::path::Path;

use anyhow::ensure;

use super::School;
use crate::account;
use crate::child::{self, PrefetchRun};
use crate::exchange::total_response_bytes;
use crate::report::{Better, Figure};

pub async fn measure(school: &School, synced: &Path) -> anyhow::Result<Vec<Figure>> {
    let dir = school.dir("offline-prefetch");
    account::copy_dir(synced, &dir)?;
    school.proxy.take();
    let (run, _): (PrefetchRun, _) =
        child::spawn(&[child::PREFETCH, &dir.to_string_lossy()]).await?;
    let exchanges = school.proxy.take();
    ensure!(
        run.channels_failed == 0 && exchanges.iter().all(|e| e.status < 400),
        "the prefetch had failing requests"
    );
    let bytes = total_response_bytes(&exchanges);
    Ok(vec![
        Figure::new(
            "offline_prefetch_requests",
            exchanges.len() as f64,
            "requests",
            Better::Lower,
        )
        .compared_to(format!(
            "after the first sync: the newest page of {} likely channels (favorites, recent direct and group messages, viewed in 14 days, active in 7; at most {}), {bytes} bytes, {:.0} ms",
            run.channels_fetched,
            pausenhof_core::sync::PREFETCH_LIMIT,
            run.elapsed_ms
        )),
        Figure::new(
            "channels_readable_offline",
            run.channels_readable_offline as f64,
            "channels",
            Better::Higher,
        )
        .compared_to(format!(
            "of the account's {} channels with posts, after the first sync and the prefetch",
            run.channels_with_posts
        )),
    ])
}
