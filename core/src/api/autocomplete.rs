//! The server's autocomplete for @mentions.

use serde::Deserialize;

use super::ApiClient;
use crate::error::Result;
use crate::model::{null_as_default, User};

/// Answer of `GET /users/autocomplete`: members of the channel, and the
/// team's other people.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct UserAutocomplete {
    #[serde(deserialize_with = "null_as_default")]
    pub users: Vec<User>,
    #[serde(deserialize_with = "null_as_default")]
    pub out_of_channel: Vec<User>,
}

/// `GET /users/autocomplete?in_team=&in_channel=&name=&limit=`.
pub async fn autocomplete_users(
    api: &ApiClient,
    team_id: &str,
    channel_id: &str,
    name: &str,
    limit: u32,
) -> Result<UserAutocomplete> {
    api.get(
        "/users/autocomplete",
        &[
            ("in_team", team_id.to_owned()),
            ("in_channel", channel_id.to_owned()),
            ("name", name.to_owned()),
            ("limit", limit.to_string()),
        ],
    )
    .await
}
