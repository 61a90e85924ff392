//! Naming a channel on the command line: `team/channel-name` (the name in
//! the channel's address), or `@username` for a direct message.

use anyhow::Result;
use pausenhof_core::reads::{ChannelKind, ChannelListItem};
use pausenhof_core::Client;

use crate::exit::UnknownChannel;

#[derive(Debug, PartialEq, Eq)]
pub enum ChannelRef<'a> {
    InTeam { team: &'a str, channel: &'a str },
    Direct { username: &'a str },
}

pub fn parse(text: &str) -> Option<ChannelRef<'_>> {
    if let Some(username) = text.strip_prefix('@') {
        return (!username.is_empty()).then_some(ChannelRef::Direct { username });
    }
    let (team, channel) = text.split_once('/')?;
    (!team.is_empty() && !channel.is_empty()).then_some(ChannelRef::InTeam { team, channel })
}

/// Finds the channel in the cache.
pub async fn resolve(client: &Client, text: &str) -> Result<ChannelListItem> {
    let reference = parse(text).ok_or_else(|| UnknownChannel(text.to_string()))?;
    for team in client.teams().await? {
        let sections = client.channel_list(&team.id).await?;
        for channel in sections.into_iter().flat_map(|s| s.channels) {
            if matches(client, &reference, &team.name, &channel).await? {
                return Ok(channel);
            }
        }
    }
    Err(UnknownChannel(text.to_string()).into())
}

async fn matches(
    client: &Client,
    reference: &ChannelRef<'_>,
    team_name: &str,
    channel: &ChannelListItem,
) -> Result<bool> {
    Ok(match reference {
        ChannelRef::InTeam {
            team,
            channel: name,
        } => *team == team_name && channel.name == *name && !channel.team_id.is_empty(),
        ChannelRef::Direct { username } => {
            let Some(other) = channel.other_user_id.as_deref() else {
                return Ok(false);
            };
            channel.kind == ChannelKind::Direct
                && client
                    .user(other)
                    .await?
                    .is_some_and(|user| user.username == *username)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn team_and_channel() {
        assert_eq!(
            parse("gsm/klasse-7a"),
            Some(ChannelRef::InTeam {
                team: "gsm",
                channel: "klasse-7a"
            })
        );
    }

    #[test]
    fn direct_message() {
        assert_eq!(
            parse("@ben.meier"),
            Some(ChannelRef::Direct {
                username: "ben.meier"
            })
        );
    }

    #[test]
    fn incomplete_names_are_rejected() {
        for text in ["", "@", "gsm", "gsm/", "/klasse-7a"] {
            assert_eq!(parse(text), None, "{text}");
        }
    }
}
