//! Slash commands: parsing the typed text and deciding, per built-in
//! command, how its effect reaches the store.
//!
//! The server executes every command except `/search` (which the real
//! server refuses: its clients handle it themselves). Afterwards the client
//! does not guess the effect from the command's text: it re-reads what the
//! command may have changed (the channel and the membership, the own
//! status) or follows the answer (`goto_location`), so a command the
//! server refused with an ephemeral text leaves the store as it is.

use crate::error::Error;

/// Longest command text accepted (the server's limit for a post).
const MAX_COMMAND_CHARS: usize = 16_383;

/// A typed slash command: `/trigger args`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlashCommand {
    /// Lower case, without the slash.
    pub trigger: String,
    /// Everything after the trigger, trimmed.
    pub args: String,
}

/// Which channel a command acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChannelTarget {
    /// The channel the command was typed in.
    Current,
    /// A channel of the same team by its URL name (`/mute ~name`).
    Named(String),
}

/// What the client does after the server executed a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Followup {
    /// Re-read the channel and the own membership (a membership gone means
    /// the channel left the sidebar).
    RefreshChannel(ChannelTarget),
    /// Re-read the own status.
    RefreshOwnStatus,
    /// Open (and store) the direct message with this username.
    OpenDirect { username: String },
    /// Open (and store) the group message with these usernames.
    OpenGroup { usernames: Vec<String> },
    /// Follow the answer's `goto_location` (`/join`, `/open`).
    FollowLocation,
    /// Nothing to reconcile: posts arrive through the websocket.
    Nothing,
}

/// What a command did, for the app to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandOutcome {
    /// Done. `message` is the server's answer meant for the user (may be
    /// empty), e.g. "You are now away" or why nothing happened.
    Done { message: String },
    /// Show this channel (it is in the store): the one joined or opened,
    /// or where to go after leaving.
    OpenChannel { channel_id: String, message: String },
    /// The server pointed outside this app (a link to open in a browser).
    OpenLink { url: String },
    /// `/search terms`: the app opens its search with these terms.
    Search { terms: String },
}

/// What became of composer text handed to `Client::submit`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Submitted {
    /// A message, queued in the outbox under this client key.
    Queued { client_key: String },
    /// A slash command, executed.
    Command { outcome: CommandOutcome },
}

/// Parses composer text as a slash command. `Ok(None)`: it is a message,
/// not a command. A lone `/` or an over-long text is invalid input.
pub fn parse_command(text: &str) -> Result<Option<SlashCommand>, Error> {
    let text = text.trim();
    let Some(rest) = text.strip_prefix('/') else {
        return Ok(None);
    };
    if text.chars().count() > MAX_COMMAND_CHARS {
        return Err(Error::InvalidInput {
            reason: format!("a command has at most {MAX_COMMAND_CHARS} characters"),
        });
    }
    let (trigger, args) = match rest.split_once(char::is_whitespace) {
        Some((trigger, args)) => (trigger, args.trim()),
        None => (rest, ""),
    };
    if trigger.is_empty() {
        return Err(Error::InvalidInput {
            reason: "a slash command needs a name after the slash".into(),
        });
    }
    Ok(Some(SlashCommand {
        trigger: trigger.to_lowercase(),
        args: args.to_owned(),
    }))
}

impl SlashCommand {
    /// The command as the server expects it.
    pub fn text(&self) -> String {
        if self.args.is_empty() {
            format!("/{}", self.trigger)
        } else {
            format!("/{} {}", self.trigger, self.args)
        }
    }

    /// The outcome of a command the client handles itself, without the
    /// server.
    pub fn handled_locally(&self) -> Option<CommandOutcome> {
        (self.trigger == "search").then(|| CommandOutcome::Search {
            terms: self.args.clone(),
        })
    }

    /// How the store learns the effect once the server ran the command.
    pub fn followup(&self) -> Followup {
        match self.trigger.as_str() {
            "mute" => Followup::RefreshChannel(self.channel_argument()),
            "leave" | "header" | "purpose" | "rename" | "invite" | "kick" | "remove" => {
                Followup::RefreshChannel(ChannelTarget::Current)
            }
            "away" | "dnd" | "online" | "offline" => Followup::RefreshOwnStatus,
            "msg" => match self.first_word() {
                Some(name) => Followup::OpenDirect {
                    username: name.trim_start_matches('@').to_owned(),
                },
                None => Followup::Nothing,
            },
            "groupmsg" => {
                let usernames: Vec<String> = self
                    .first_word()
                    .unwrap_or("")
                    .split(',')
                    .map(|name| name.trim().trim_start_matches('@').to_owned())
                    .filter(|name| !name.is_empty())
                    .collect();
                if usernames.is_empty() {
                    Followup::Nothing
                } else {
                    Followup::OpenGroup { usernames }
                }
            }
            "join" | "open" => Followup::FollowLocation,
            _ => Followup::Nothing,
        }
    }

    fn first_word(&self) -> Option<&str> {
        self.args.split_whitespace().next()
    }

    /// `~name` (or a bare name) as the first argument; none means the
    /// current channel.
    fn channel_argument(&self) -> ChannelTarget {
        match self.first_word() {
            Some(word) => ChannelTarget::Named(word.trim_start_matches('~').to_owned()),
            None => ChannelTarget::Current,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> SlashCommand {
        parse_command(text).unwrap().unwrap()
    }

    #[test]
    fn text_without_a_leading_slash_is_a_message() {
        assert_eq!(parse_command("hallo /mute").unwrap(), None);
        assert_eq!(parse_command("").unwrap(), None);
    }

    #[test]
    fn trigger_is_lower_cased_and_args_trimmed() {
        let command = parsed("  /MUTE   ~klasse-7a  ");
        assert_eq!(command.trigger, "mute");
        assert_eq!(command.args, "~klasse-7a");
        assert_eq!(command.text(), "/mute ~klasse-7a");
        assert_eq!(parsed("/leave").text(), "/leave");
    }

    #[test]
    fn a_lone_slash_or_a_huge_text_is_invalid() {
        assert!(matches!(
            parse_command("/"),
            Err(Error::InvalidInput { .. })
        ));
        assert!(matches!(
            parse_command("/ away"),
            Err(Error::InvalidInput { .. })
        ));
        let huge = format!("/echo {}", "x".repeat(MAX_COMMAND_CHARS));
        assert!(matches!(
            parse_command(&huge),
            Err(Error::InvalidInput { .. })
        ));
    }

    #[test]
    fn search_is_handled_locally_and_nothing_else_is() {
        assert_eq!(
            parsed("/search from:anna mathe").handled_locally(),
            Some(CommandOutcome::Search {
                terms: "from:anna mathe".into()
            })
        );
        assert_eq!(parsed("/mute").handled_locally(), None);
        assert_eq!(parsed("/searching").handled_locally(), None);
    }

    #[test]
    fn followups_per_command() {
        assert_eq!(
            parsed("/mute").followup(),
            Followup::RefreshChannel(ChannelTarget::Current)
        );
        assert_eq!(
            parsed("/mute ~klasse-7b").followup(),
            Followup::RefreshChannel(ChannelTarget::Named("klasse-7b".into()))
        );
        for trigger in ["leave", "header x", "purpose x", "rename X", "kick @a"] {
            assert_eq!(
                parsed(&format!("/{trigger}")).followup(),
                Followup::RefreshChannel(ChannelTarget::Current),
                "{trigger}"
            );
        }
        for trigger in ["away", "dnd", "online", "offline"] {
            assert_eq!(
                parsed(&format!("/{trigger}")).followup(),
                Followup::RefreshOwnStatus
            );
        }
        assert_eq!(
            parsed("/msg @anna Hallo du").followup(),
            Followup::OpenDirect {
                username: "anna".into()
            }
        );
        assert_eq!(parsed("/msg").followup(), Followup::Nothing);
        assert_eq!(
            parsed("/groupmsg @anna,@ben, @carl Hallo").followup(),
            Followup::OpenGroup {
                usernames: vec!["anna".into(), "ben".into()]
            }
        );
        assert_eq!(parsed("/join ~x").followup(), Followup::FollowLocation);
        assert_eq!(parsed("/open ~x").followup(), Followup::FollowLocation);
        assert_eq!(parsed("/me winkt").followup(), Followup::Nothing);
        assert_eq!(parsed("/custom thing").followup(), Followup::Nothing);
    }
}
