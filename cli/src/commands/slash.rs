//! `send CHANNEL /command`: a slash command typed on the command line is
//! executed by the server, never posted, and its effect is in the cache
//! when the command returns.

use anyhow::Result;
use pausenhof_core::composer::CommandOutcome;
use pausenhof_core::reads::ChannelListItem;
use pausenhof_core::Client;
use serde_json::json;

use crate::output::Output;

pub async fn run(
    client: &Client,
    target: &ChannelListItem,
    text: &str,
    output: Output,
) -> Result<()> {
    let outcome = client.run_command(&target.id, "", text).await?;
    let (kind, message, channel_id, link) = match &outcome {
        CommandOutcome::Done { message } => ("done", message.as_str(), "", ""),
        CommandOutcome::OpenChannel {
            channel_id,
            message,
        } => ("open_channel", message.as_str(), channel_id.as_str(), ""),
        CommandOutcome::OpenLink { url } => ("open_link", "", "", url.as_str()),
        CommandOutcome::Search { terms } => ("search", terms.as_str(), "", ""),
    };
    if output.json {
        output.json_value(&json!({
            "command": text.trim(),
            "channel_id": target.id,
            "outcome": kind,
            "message": message,
            "open_channel_id": channel_id,
            "open_link": link,
        }));
        return Ok(());
    }
    match outcome {
        CommandOutcome::Search { terms } => {
            output.line(format!("Search for it with: pausenhof search {terms}"));
        }
        CommandOutcome::OpenLink { url } => output.line(url),
        _ if !message.is_empty() => output.line(message),
        _ => output.line(format!("Done in {}.", target.display_name)),
    }
    Ok(())
}
