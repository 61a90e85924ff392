//! Slash commands: the list the server offers and its autocomplete
//! suggestions (execution is `posts::execute_command`).

use super::{seg, ApiClient};
use crate::error::Result;
use crate::model::{CommandSuggestion, SlashCommandInfo};

/// `GET /commands?team_id=&custom_only=false`: the built-in commands and
/// the team's custom commands this user may see.
pub async fn team_commands(api: &ApiClient, team_id: &str) -> Result<Vec<SlashCommandInfo>> {
    api.get(
        "/commands",
        &[
            ("team_id", team_id.to_owned()),
            ("custom_only", "false".to_owned()),
        ],
    )
    .await
}

/// `GET /teams/{team_id}/commands/autocomplete_suggestions`: what the
/// server suggests for the command text typed so far.
pub async fn autocomplete_suggestions(
    api: &ApiClient,
    team_id: &str,
    channel_id: &str,
    root_id: &str,
    user_input: &str,
) -> Result<Vec<CommandSuggestion>> {
    api.get(
        &format!("/teams/{}/commands/autocomplete_suggestions", seg(team_id)),
        &[
            ("user_input", user_input.to_owned()),
            ("channel_id", channel_id.to_owned()),
            ("root_id", root_id.to_owned()),
        ],
    )
    .await
}
