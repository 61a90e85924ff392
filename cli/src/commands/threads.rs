//! `threads`: the threads you follow, per team, newest reply first, with
//! unread replies and mentions. Fetched from the server; offline, cached.

use anyhow::Result;
use pausenhof_core::reads::FollowedThread;
use pausenhof_core::Client;
use serde_json::json;

use super::reads::selected_teams;
use crate::output::{Output, Style};
use crate::sync_progress::refresh;

pub async fn list(client: &Client, team: Option<String>, output: Output) -> Result<()> {
    // Channel names and new teams come from the sync.
    refresh(client, output).await?;
    let mut listed = Vec::new();
    for candidate in selected_teams(client, team.as_deref()).await? {
        let threads = client.load_followed_threads(&candidate.id).await?;
        listed.push((candidate, threads));
    }
    if output.json {
        let teams: Vec<_> = listed
            .iter()
            .map(|(team, threads)| json!({"team": team, "threads": threads}))
            .collect();
        output.json_value(&teams);
        return Ok(());
    }
    for (team, list) in &listed {
        output.line(output.paint(Style::Heading, &team.display_name));
        if list.threads.is_empty() {
            output.line(format!(
                "  {}",
                output.paint(Style::Dim, "no followed threads")
            ));
        }
        for thread in &list.threads {
            output.line(format!("  {}", thread_line(thread, output)));
        }
    }
    Ok(())
}

fn thread_line(thread: &FollowedThread, output: Output) -> String {
    let marker = if thread.unread_mentions > 0 {
        output.paint(Style::Mention, &format!(" @{}", thread.unread_mentions))
    } else if thread.unread_replies > 0 {
        output.paint(Style::Unread, &format!(" • {} new", thread.unread_replies))
    } else {
        String::new()
    };
    let replies = if thread.reply_count == 1 {
        "1 reply".to_owned()
    } else {
        format!("{} replies", thread.reply_count)
    };
    format!(
        "{} — {}: {} ({replies}){marker}",
        output.paint(Style::Dim, &thread.channel_name),
        thread.root.author_name,
        thread.preview,
    )
}
