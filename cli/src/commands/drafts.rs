//! `drafts`: what was written and not sent. The server's drafts are
//! fetched first (offline the cached ones are listed).

use anyhow::Result;
use pausenhof_core::Client;

use crate::output::Output;

pub async fn list(client: &Client, output: Output) -> Result<()> {
    if let Err(e) = client.sync_drafts().await {
        if !e.is_transient() {
            return Err(e.into());
        }
    }
    let drafts = client.drafts().await?;
    if output.json {
        output.json_value(&drafts);
        return Ok(());
    }
    if drafts.is_empty() {
        output.line("No drafts.");
    }
    for draft in drafts {
        let place = if draft.root_id.is_empty() {
            draft.channel_name
        } else {
            format!("{} (thread)", draft.channel_name)
        };
        output.line(format!("{place}: {}", draft.message));
    }
    Ok(())
}
