//! Bringing the cache up to date before a command reads it, with a
//! progress bar (the first sync of a large school takes a moment).

use std::time::Duration;

use anyhow::Result;
use indicatif::{ProgressBar, ProgressStyle};
use pausenhof_core::sync::{SyncProgress, SyncStage};
use pausenhof_core::{Client, Error};

use crate::output::Output;

/// Bar length: fine enough for a smooth bar on any terminal width.
const BAR_STEPS: u64 = 1000;

/// Syncs, then prefetches the channels likely to be read (see
/// `Client::prefetch_for_offline`); offline is not an error here: the
/// cached data is shown instead.
pub async fn refresh(client: &Client, output: Output) -> Result<()> {
    let bar = progress_bar(output);
    let mut progress = client.sync_progress();
    let drawing = bar.clone();
    let painter = tokio::spawn(async move {
        while progress.changed().await.is_ok() {
            let now = *progress.borrow_and_update();
            drawing.set_position((now.fraction() * BAR_STEPS as f32) as u64);
            drawing.set_message(describe(&now));
        }
    });
    let outcome = client.sync().await;
    painter.abort();
    bar.finish_and_clear();
    match outcome {
        Ok(_) => {
            // So that the channels read every day also read in a tunnel;
            // a failure here only means fewer of them do.
            if let Err(error) = client.prefetch_for_offline().await {
                tracing::debug!(%error, "prefetch for offline reading failed");
            }
            Ok(())
        }
        Err(error @ (Error::Offline | Error::Network { .. })) => {
            eprintln!("pausenhof: offline ({error}); showing what was synced before");
            Ok(())
        }
        Err(error) => Err(error.into()),
    }
}

/// What the bar says beside itself.
fn describe(progress: &SyncProgress) -> String {
    match progress.stage {
        SyncStage::Idle => "done".to_owned(),
        SyncStage::Listing => "teams and channels".to_owned(),
        SyncStage::ChannelList => "channel list".to_owned(),
        SyncStage::Posts => format!(
            "messages: {} of {} channels",
            progress.channels_fetched, progress.channels_to_fetch
        ),
        SyncStage::Authors => "names of authors".to_owned(),
    }
}

fn progress_bar(output: Output) -> ProgressBar {
    if output.json || !output.is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(BAR_STEPS);
    bar.set_style(
        ProgressStyle::with_template("syncing [{bar:30}] {msg} ({elapsed})")
            .map(|style| style.progress_chars("=> "))
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message("connecting");
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

#[cfg(test)]
mod tests {
    use super::*;
    use pausenhof_core::sync::SyncKind;

    #[test]
    fn the_message_counts_channels_while_posts_arrive() {
        let progress = SyncProgress {
            kind: Some(SyncKind::Full),
            stage: SyncStage::Posts,
            channels_fetched: 3,
            channels_to_fetch: 12,
        };
        assert_eq!(describe(&progress), "messages: 3 of 12 channels");
    }
}
