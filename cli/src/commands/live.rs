//! `send` and `tail`: the commands that go online through the websocket
//! and the outbox.

use std::collections::HashSet;
use std::time::Duration;

use anyhow::{bail, Result};
use pausenhof_core::outbox::SendState;
use pausenhof_core::realtime::ConnectionState;
use pausenhof_core::store::StoreChange;
use pausenhof_core::Client;
use serde_json::json;

use crate::channel_ref::resolve;
use crate::commands::reads::post_line;
use crate::exit::QueuedOffline;
use crate::output::{Output, Style};
use crate::sync_progress::refresh;

/// How long `send` waits for the server before leaving the message queued.
const DELIVERY_WAIT: Duration = Duration::from_secs(20);

pub async fn send(client: &Client, channel: &str, text: &str, output: Output) -> Result<()> {
    refresh(client, output).await?;
    let target = resolve(client, channel).await?;
    client.start_realtime()?;
    let key = client.send_post(&target.id, "", text).await?;
    let delivered = wait_for_delivery(client, &key, DELIVERY_WAIT).await?;
    if output.json {
        output.json_value(
            &json!({"client_key": key, "channel_id": target.id, "delivered": delivered}),
        );
    } else if delivered {
        output.line(format!("Sent to {}.", target.display_name));
    }
    if !delivered {
        return Err(QueuedOffline.into());
    }
    Ok(())
}

/// True once the outbox no longer holds the message (the server has it);
/// a refusal is an error; false when time ran out (it stays queued).
pub async fn wait_for_delivery(client: &Client, key: &str, limit: Duration) -> Result<bool> {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        let entry = client
            .pending_sends()
            .await?
            .into_iter()
            .find(|entry| entry.client_key == key);
        match entry {
            None => return Ok(true),
            Some(entry) => {
                if let SendState::Failed { reason } = entry.state {
                    bail!("the server refused the message: {reason}");
                }
            }
        }
        if tokio::time::Instant::now() >= deadline {
            return Ok(false);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Prints new and changed posts as they arrive, until Ctrl-C.
pub async fn tail(client: &Client, output: Output) -> Result<()> {
    refresh(client, output).await?;
    let mut changes = client.store_changes()?;
    client.start_realtime()?;
    let mut connection = client.connection_state()?;
    let mut seen = Seen::default();
    for team in client.teams().await? {
        for channel in client
            .channel_list(&team.id)
            .await?
            .into_iter()
            .flat_map(|s| s.channels)
        {
            seen.remember(client, &channel.id).await?;
        }
    }
    if !output.json {
        eprintln!("Following new messages; Ctrl-C ends.");
    }
    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => return Ok(()),
            changed = connection.changed() => {
                if changed.is_err() {
                    return Ok(());
                }
                let state = connection.borrow_and_update().clone();
                report_connection(&state, output);
                if state == ConnectionState::SessionExpired {
                    return Err(pausenhof_core::Error::SessionExpired.into());
                }
            }
            change = changes.recv() => {
                let Ok(change) = change else { continue };
                for item in change.iter() {
                    if let StoreChange::Posts { channel_id } = item {
                        print_new_posts(client, channel_id, &mut seen, output).await?;
                    }
                }
            }
        }
    }
}

/// Post ids and edit times already shown, so a change prints once.
#[derive(Default)]
struct Seen(HashSet<(String, i64)>);

impl Seen {
    async fn remember(&mut self, client: &Client, channel_id: &str) -> Result<()> {
        for post in client.timeline(channel_id, 60).await?.posts {
            self.0.insert((post.id, post.edit_at.max(post.create_at)));
        }
        Ok(())
    }
}

async fn print_new_posts(
    client: &Client,
    channel_id: &str,
    seen: &mut Seen,
    output: Output,
) -> Result<()> {
    for post in client.timeline(channel_id, 20).await?.posts {
        let version = (post.id.clone(), post.edit_at.max(post.create_at));
        if !seen.0.insert(version) {
            continue;
        }
        let event = if post.edit_at > 0 {
            "post_edited"
        } else {
            "posted"
        };
        if output.json {
            output.json_value(&json!({"event": event, "channel_id": channel_id, "post": post}));
        } else {
            output.line(post_line(&post, output));
        }
    }
    Ok(())
}

fn report_connection(state: &ConnectionState, output: Output) {
    let text = match state {
        ConnectionState::Connected => "connected",
        ConnectionState::Connecting => "connecting…",
        ConnectionState::WaitingToReconnect { .. } => "connection lost, reconnecting soon",
        ConnectionState::Offline(_) => "offline",
        ConnectionState::SessionExpired => "session expired",
        ConnectionState::Stopped => "stopped",
    };
    if output.json {
        output.json_value(&json!({"event": "connection", "state": text}));
    } else {
        let style = match state {
            ConnectionState::Connected => Style::Good,
            ConnectionState::SessionExpired | ConnectionState::WaitingToReconnect { .. } => {
                Style::Bad
            }
            _ => Style::Dim,
        };
        eprintln!("{}", output.paint(style, &format!("[{text}]")));
    }
}
