//! `open LINK`: where a Mattermost link leads on the signed-in server.

use anyhow::Result;
use pausenhof_core::store::cached_channel;
use pausenhof_core::{Client, LinkDestination};
use serde_json::json;

use crate::output::Output;

pub async fn run(client: &Client, link: &str, output: Output) -> Result<()> {
    match client.open_link(link).await? {
        LinkDestination::Conversation {
            team_id,
            channel_id,
            post_id,
            root_id,
        } => {
            let id = channel_id.clone();
            let channel = client
                .store()?
                .read(move |c| cached_channel(c, &id))
                .await?;
            let name = channel.map(|c| c.display_name).unwrap_or_default();
            if output.json {
                output.json_value(&json!({
                    "kind": "conversation",
                    "team_id": team_id,
                    "channel_id": channel_id,
                    "channel_name": name,
                    "post_id": post_id,
                    "root_id": root_id,
                }));
                return Ok(());
            }
            let place = if name.is_empty() { &channel_id } else { &name };
            match post_id {
                Some(post) if !root_id.is_empty() => {
                    output.line(format!("Post {post} in a thread ({root_id}) of {place}"))
                }
                Some(post) => output.line(format!("Post {post} in {place}")),
                None => output.line(format!("Channel {place} ({channel_id})")),
            }
        }
        LinkDestination::OtherServer { url } => {
            if output.json {
                output.json_value(&json!({"kind": "other_server", "url": url}));
            } else {
                output.line(format!("A link to another Mattermost server: {url}"));
            }
        }
        LinkDestination::External => {
            if output.json {
                output.json_value(&json!({"kind": "external"}));
            } else {
                output.line("Not a Mattermost link; open it in a browser.");
            }
        }
    }
    Ok(())
}
