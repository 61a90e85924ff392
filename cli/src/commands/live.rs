//! `send` and `tail`: the commands that go online through the websocket
//! and the outbox.

use std::collections::HashSet;
use std::time::Duration;

use anyhow::{bail, Result};
use pausenhof_core::composer::parse_command;
use pausenhof_core::outbox::SendState;
use pausenhof_core::realtime::ConnectionState;
use pausenhof_core::store::StoreChange;
use pausenhof_core::Client;
use serde_json::json;
use tokio::sync::broadcast;

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
    if parse_command(text)?.is_some() {
        return super::slash::run(client, &target, text, output).await;
    }
    client.start_realtime()?;
    let key = client.send_post(&target.id, "", text).await?;
    if !wait_for_delivery(client, &key, DELIVERY_WAIT).await? {
        // One document either way: the error's carries the queued message.
        return Err(QueuedOffline {
            client_key: key,
            channel_id: target.id,
        }
        .into());
    }
    if output.json {
        output.json_value(&json!({"client_key": key, "channel_id": target.id, "delivered": true}));
    } else {
        output.line(format!("Sent to {}.", target.display_name));
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
    let mut seen = Seen::new();
    let mut channel_ids = Vec::new();
    for team in client.teams().await? {
        for channel in client
            .channel_list(&team.id)
            .await?
            .into_iter()
            .flat_map(|s| s.channels)
        {
            seen.remember(client, &channel.id).await?;
            channel_ids.push(channel.id);
        }
    }
    if !output.json {
        eprintln!("Following new messages; Ctrl-C ends.");
    }
    // The state now, then its changes: the socket may be up already.
    let current = connection.borrow_and_update().clone();
    report_connection(&current, output);
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
            change = changes.recv() => match change {
                Ok(change) => {
                    for item in change.iter() {
                        if let StoreChange::Posts { channel_id } = item {
                            print_new_posts(client, channel_id, &mut seen, output).await?;
                        }
                    }
                }
                // A burst (a catch-up) outran us: some changes were not
                // seen, so look at every channel.
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    for channel_id in &channel_ids {
                        print_new_posts(client, channel_id, &mut seen, output).await?;
                    }
                }
                Err(broadcast::error::RecvError::Closed) => return Ok(()),
            },
        }
    }
}

/// Post ids and edit times already shown, so a change prints once; posts
/// older than the start of `tail` (loaded with a channel's page) are history.
struct Seen {
    shown: HashSet<(String, i64)>,
    since: i64,
}

/// Server and device clocks differ a little; a post this much older than
/// our clock's start still counts as new.
const CLOCK_SKEW_MS: i64 = 60_000;

impl Seen {
    fn new() -> Self {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or_default();
        Seen {
            shown: HashSet::new(),
            since: now - CLOCK_SKEW_MS,
        }
    }

    /// Whether this version of the post is new to the user.
    fn first_sight(&mut self, post: &pausenhof_core::reads::PostView) -> bool {
        let changed_at = post.edit_at.max(post.create_at);
        changed_at >= self.since && self.shown.insert((post.id.clone(), changed_at))
    }

    async fn remember(&mut self, client: &Client, channel_id: &str) -> Result<()> {
        for post in client.timeline(channel_id, 60).await?.posts {
            let changed_at = post.edit_at.max(post.create_at);
            self.shown.insert((post.id, changed_at));
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
    // A live post shows in the timeline even in a channel never opened:
    // the core starts a cached range with it.
    let window = client.timeline(channel_id, 20).await?;
    for post in window.posts {
        if !seen.first_sight(&post) {
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
