//! Slash commands from the composer: the server executes them, then the
//! store is brought up to date with what the command changed, so the
//! effect shows at once (after `/leave` the channel has left the sidebar,
//! after `/mute` it is muted). The rules are in `composer/commands.rs`.
//!
//! A command is never queued: offline it fails with `Error::Offline`,
//! since its effect (leaving, muting, a status) would surprise the user
//! when it happened later.

use super::Client;
use crate::api::channels as channels_api;
use crate::api::commands as commands_api;
use crate::api::posts::execute_command;
use crate::api::users as users_api;
use crate::composer::{
    parse_command, parse_location, ChannelTarget, CommandOutcome, CommandSuggestion, Followup,
    Location, SlashCommand, SlashCommandInfo, Submitted,
};
use crate::error::{Error, Result};
use crate::model::CommandResponse;
use crate::store::{cached_channel, channel_id_by_names, channel_id_in_team, my_team_ids};

/// The server's error id for a trigger it does not know.
const COMMAND_NOT_FOUND: &str = "api.command.execute_command.not_found.app_error";

impl Client {
    /// Sends what the user typed: a slash command is executed (never
    /// posted), anything else is queued as a post. Either way the
    /// composer's draft is cleared; a failed command keeps it.
    pub async fn submit(&self, channel_id: &str, root_id: &str, text: &str) -> Result<Submitted> {
        let submitted = if parse_command(text)?.is_some() {
            let outcome = self.run_command(channel_id, root_id, text).await?;
            Submitted::Command { outcome }
        } else {
            let client_key = self.send_post(channel_id, root_id, text).await?;
            Submitted::Queued { client_key }
        };
        self.clear_draft_after_send(channel_id, root_id).await?;
        Ok(submitted)
    }

    /// Executes `text` (`/trigger args`) in a channel (and thread, when
    /// `root_id` is not empty) and applies its effect to the store.
    pub async fn run_command(
        &self,
        channel_id: &str,
        root_id: &str,
        text: &str,
    ) -> Result<CommandOutcome> {
        let command = parse_command(text)?.ok_or_else(|| Error::InvalidInput {
            reason: "a slash command starts with /".into(),
        })?;
        if let Some(outcome) = command.handled_locally() {
            return Ok(outcome);
        }
        let team_id = self.team_of_channel(channel_id).await?;
        let account = self.account()?;
        let answer = execute_command(&account.api, channel_id, &team_id, &command.text(), root_id)
            .await
            .map_err(|e| unknown_command_error(e, &command))?;
        self.follow_up(&command, channel_id, &team_id, answer).await
    }

    /// The commands of the composer's `/` menu for a team, by trigger.
    pub async fn slash_commands(&self, team_id: &str) -> Result<Vec<SlashCommandInfo>> {
        let account = self.account()?;
        let mut commands: Vec<SlashCommandInfo> =
            commands_api::team_commands(&account.api, team_id)
                .await?
                .into_iter()
                .filter(|c| c.listed && !c.trigger.is_empty())
                .collect();
        commands.sort_by(|a, b| a.trigger.cmp(&b.trigger));
        commands.dedup_by(|a, b| a.trigger == b.trigger);
        Ok(commands)
    }

    /// The server's suggestions for a command being typed (`/mu`,
    /// `/mute ~kl`).
    pub async fn command_suggestions(
        &self,
        channel_id: &str,
        root_id: &str,
        typed: &str,
    ) -> Result<Vec<CommandSuggestion>> {
        if !typed.trim_start().starts_with('/') {
            return Ok(Vec::new());
        }
        let team_id = self.team_of_channel(channel_id).await?;
        let account = self.account()?;
        commands_api::autocomplete_suggestions(
            &account.api,
            &team_id,
            channel_id,
            root_id,
            typed.trim_start(),
        )
        .await
    }

    /// The team a command in this channel runs in: the channel's, or for
    /// a direct or group message (no team) the user's first team.
    async fn team_of_channel(&self, channel_id: &str) -> Result<String> {
        let account = self.account()?;
        let (id, me) = (channel_id.to_owned(), account.user_id.clone());
        let (channel, teams) = account
            .store
            .read(move |c| Ok((cached_channel(c, &id)?, my_team_ids(c, &me)?)))
            .await?;
        let channel = channel.ok_or_else(|| Error::NotFound {
            id: "channel not in the cache".into(),
        })?;
        if !channel.team_id.is_empty() {
            return Ok(channel.team_id);
        }
        teams.into_iter().next().ok_or_else(|| Error::NotFound {
            id: "no team to run the command in".into(),
        })
    }

    async fn follow_up(
        &self,
        command: &SlashCommand,
        channel_id: &str,
        team_id: &str,
        answer: CommandResponse,
    ) -> Result<CommandOutcome> {
        let message = answer.text.clone();
        match command.followup() {
            Followup::RefreshChannel(target) => {
                let target = match target {
                    ChannelTarget::Current => Some(channel_id.to_owned()),
                    ChannelTarget::Named(name) => self.channel_named(team_id, &name).await?,
                };
                if let Some(target) = target {
                    self.refresh_channel_and_membership(&target).await?;
                }
            }
            Followup::RefreshOwnStatus => self.refresh_own_status().await?,
            // Without a place to go the server refused (its text says why).
            Followup::OpenDirect { username } if !answer.goto_location.is_empty() => {
                let user = self.user_by_username(&username).await?;
                let channel_id = self.open_direct_message(&user).await?;
                return Ok(CommandOutcome::OpenChannel {
                    channel_id,
                    message,
                });
            }
            Followup::OpenGroup { usernames } if !answer.goto_location.is_empty() => {
                let mut ids = Vec::with_capacity(usernames.len());
                for username in &usernames {
                    ids.push(self.user_by_username(username).await?);
                }
                let channel_id = self.open_group_message(&ids).await?;
                return Ok(CommandOutcome::OpenChannel {
                    channel_id,
                    message,
                });
            }
            Followup::OpenDirect { .. }
            | Followup::OpenGroup { .. }
            | Followup::FollowLocation
            | Followup::Nothing => {}
        }
        self.outcome_of_location(&answer.goto_location, message)
            .await
    }

    /// Turns the answer's `goto_location` into an outcome; a channel of
    /// this server that is not cached (just joined) is fetched and stored.
    async fn outcome_of_location(&self, goto: &str, message: String) -> Result<CommandOutcome> {
        let account = self.account()?;
        match parse_location(goto, account.server.as_str()) {
            Location::Nowhere => Ok(CommandOutcome::Done { message }),
            Location::Link { url } => Ok(CommandOutcome::OpenLink { url }),
            Location::DirectMessage { username, .. } => {
                let user = self.user_by_username(&username).await?;
                let channel_id = self.open_direct_message(&user).await?;
                Ok(CommandOutcome::OpenChannel {
                    channel_id,
                    message,
                })
            }
            Location::Channel { team, channel } => {
                let (t, c) = (team.clone(), channel.clone());
                let cached = account
                    .store
                    .read(move |conn| channel_id_by_names(conn, &t, &c))
                    .await?;
                let channel_id = match cached {
                    Some(id) => id,
                    None => {
                        let found =
                            channels_api::channel_by_names(&account.api, &team, &channel).await?;
                        self.refresh_channel_and_membership(&found.id).await?;
                        found.id
                    }
                };
                Ok(CommandOutcome::OpenChannel {
                    channel_id,
                    message,
                })
            }
        }
    }

    /// A channel of the team by URL name: from the cache, else the server.
    async fn channel_named(&self, team_id: &str, name: &str) -> Result<Option<String>> {
        let account = self.account()?;
        let (t, n) = (team_id.to_owned(), name.to_owned());
        if let Some(id) = account
            .store
            .read(move |c| channel_id_in_team(c, &t, &n))
            .await?
        {
            return Ok(Some(id));
        }
        match channels_api::channel_by_name(&account.api, team_id, name).await {
            Ok(channel) => Ok(Some(channel.id)),
            Err(Error::NotFound { .. } | Error::Forbidden { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Re-reads a channel and the own membership; without a membership
    /// (left, removed) the channel is dropped from the store.
    async fn refresh_channel_and_membership(&self, channel_id: &str) -> Result<()> {
        let account = self.account()?;
        let member = match channels_api::my_channel_member(&account.api, channel_id).await {
            Ok(member) => Some(member),
            Err(Error::NotFound { .. } | Error::Forbidden { .. }) => None,
            Err(e) => return Err(e),
        };
        let Some(member) = member else {
            let id = channel_id.to_owned();
            account.store.write(move |w| w.forget_channel(&id)).await?;
            return Ok(());
        };
        let channel = channels_api::channel(&account.api, channel_id).await?;
        account
            .store
            .write(move |w| {
                w.upsert_channels(std::slice::from_ref(&channel))?;
                w.upsert_channel_members(std::slice::from_ref(&member))
            })
            .await?;
        Ok(())
    }

    /// Puts the own status as the server has it now into the presence
    /// the app shows.
    async fn refresh_own_status(&self) -> Result<()> {
        let account = self.account()?;
        let statuses =
            users_api::statuses_by_ids(&account.api, std::slice::from_ref(&account.user_id))
                .await?;
        if let (Some(status), Some(live)) = (statuses.into_iter().next(), self.live()?) {
            live.statuses.set(account.user_id.clone(), status.status);
        }
        Ok(())
    }

    async fn user_by_username(&self, username: &str) -> Result<String> {
        let account = self.account()?;
        let users =
            users_api::users_by_usernames(&account.api, std::slice::from_ref(&username.to_owned()))
                .await?;
        users
            .into_iter()
            .find(|u| u.username.eq_ignore_ascii_case(username))
            .map(|u| u.id)
            .ok_or_else(|| Error::NotFound {
                id: "no such user".into(),
            })
    }
}

/// The server's "not found" for an unknown trigger, as its own error.
fn unknown_command_error(error: Error, command: &SlashCommand) -> Error {
    match error {
        Error::NotFound { id } if id == COMMAND_NOT_FOUND => Error::UnknownCommand {
            trigger: command.trigger.clone(),
        },
        other => other,
    }
}
