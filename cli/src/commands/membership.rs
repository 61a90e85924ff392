//! `join` and `leave`: a team (`team`) or a channel (`team/channel-name`).

use anyhow::Result;
use pausenhof_core::Client;
use serde_json::json;

use crate::exit::{UnknownChannel, UnknownTeam};
use crate::output::Output;

enum Target<'a> {
    Team(&'a str),
    Channel { team: &'a str, channel: &'a str },
}

fn target(text: &str) -> Option<Target<'_>> {
    match text.split_once('/') {
        None if !text.is_empty() => Some(Target::Team(text)),
        Some((team, channel)) if !team.is_empty() && !channel.is_empty() => {
            Some(Target::Channel { team, channel })
        }
        _ => None,
    }
}

async fn my_team_id(client: &Client, name: &str) -> Result<String> {
    client
        .teams()
        .await?
        .into_iter()
        .find(|t| t.name == name)
        .map(|t| t.id)
        .ok_or_else(|| UnknownTeam(name.to_string()).into())
}

/// The channel named `channel` among the team's public channels.
async fn public_channel_id(
    client: &Client,
    team_id: &str,
    team: &str,
    channel: &str,
) -> Result<String> {
    client
        .search_channels(team_id, channel)
        .await?
        .into_iter()
        .find(|c| c.name == channel)
        .map(|c| c.id)
        .ok_or_else(|| UnknownChannel(format!("{team}/{channel}")).into())
}

pub async fn join(client: &Client, what: &str, output: Output) -> Result<()> {
    client.sync().await?;
    match target(what).ok_or_else(|| UnknownChannel(what.to_string()))? {
        Target::Team(name) => {
            let team = client
                .joinable_teams()
                .await?
                .into_iter()
                .find(|t| t.name == name)
                .ok_or_else(|| UnknownTeam(name.to_string()))?;
            client.join_team(&team.id).await?;
            report(
                output,
                "joined",
                "team",
                &team.id,
                &format!("Joined the team {}.", team.display_name),
            );
        }
        Target::Channel { team, channel } => {
            let team_id = my_team_id(client, team).await?;
            let id = public_channel_id(client, &team_id, team, channel).await?;
            let joined = client.join_channel(&id).await?;
            report(
                output,
                "joined",
                "channel",
                &id,
                &format!("Joined {}.", joined.display_name),
            );
        }
    }
    Ok(())
}

pub async fn leave(client: &Client, what: &str, output: Output) -> Result<()> {
    client.sync().await?;
    match target(what).ok_or_else(|| UnknownChannel(what.to_string()))? {
        Target::Team(name) => {
            let id = my_team_id(client, name).await?;
            client.leave_team(&id).await?;
            report(
                output,
                "left",
                "team",
                &id,
                &format!("Left the team {name}."),
            );
        }
        Target::Channel { .. } => {
            let channel = crate::channel_ref::resolve(client, what).await?;
            client.leave_channel(&channel.id).await?;
            report(
                output,
                "left",
                "channel",
                &channel.id,
                &format!("Left {}.", channel.display_name),
            );
        }
    }
    Ok(())
}

fn report(output: Output, action: &str, kind: &str, id: &str, text: &str) {
    if output.json {
        output.json_value(&json!({ action: true, "kind": kind, "id": id }));
    } else {
        output.line(text);
    }
}
