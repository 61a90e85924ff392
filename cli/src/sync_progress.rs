//! Bringing the cache up to date before a command reads it, with a live
//! count of what arrived (the first sync of a large school takes a moment).

use std::time::Duration;

use anyhow::Result;
use indicatif::{ProgressBar, ProgressStyle};
use pausenhof_core::{Client, Error};

use crate::output::Output;

/// Syncs; offline is not an error here: the cached data is shown instead.
pub async fn refresh(client: &Client, output: Output) -> Result<()> {
    let bar = progress_bar(output);
    let mut changes = client.store_changes()?;
    let counting = bar.clone();
    let counter = tokio::spawn(async move {
        let mut batches = 0u64;
        while changes.recv().await.is_ok() {
            batches += 1;
            counting.set_message(format!("syncing: {batches} batches written"));
        }
    });
    let outcome = client.sync().await;
    counter.abort();
    bar.finish_and_clear();
    match outcome {
        Ok(_) => Ok(()),
        Err(error @ (Error::Offline | Error::Network { .. })) => {
            eprintln!("pausenhof: offline ({error}); showing what was synced before");
            Ok(())
        }
        Err(error) => Err(error.into()),
    }
}

fn progress_bar(output: Output) -> ProgressBar {
    if output.json || !output.is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.set_message("syncing");
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}
