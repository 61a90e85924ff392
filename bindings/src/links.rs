//! Mattermost links: what a link names, and where opening it leads.

use pausenhof_core::{links, LinkDestination as CoreDestination};

use crate::client::Client;
use crate::error::Result;
use crate::runtime::run;

/// What a link names on the signed-in server.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum LinkTarget {
    /// A permalink; `team_name` is empty when it names no team.
    Post {
        team_name: String,
        post_id: String,
    },
    Channel {
        team_name: String,
        channel_name: String,
    },
    DirectMessage {
        team_name: String,
        username: String,
    },
    GroupMessage {
        team_name: String,
        channel_name: String,
    },
    /// A Mattermost link of another server.
    OtherServer {
        url: String,
    },
    /// An ordinary web link, or no link.
    NotMattermost,
}

impl From<links::LinkTarget> for LinkTarget {
    fn from(target: links::LinkTarget) -> Self {
        use links::LinkTarget as Core;
        match target {
            Core::Post { team_name, post_id } => Self::Post { team_name, post_id },
            Core::Channel {
                team_name,
                channel_name,
            } => Self::Channel {
                team_name,
                channel_name,
            },
            Core::DirectMessage {
                team_name,
                username,
            } => Self::DirectMessage {
                team_name,
                username,
            },
            Core::GroupMessage {
                team_name,
                channel_name,
            } => Self::GroupMessage {
                team_name,
                channel_name,
            },
            Core::OtherServer { url } => Self::OtherServer { url },
            Core::NotMattermost => Self::NotMattermost,
        }
    }
}

/// Where opening a link leads.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum LinkDestination {
    /// Show this channel (in `team_id`); with `post_id`, scrolled to that
    /// post (in its thread when `root_id` is not empty).
    Conversation {
        team_id: String,
        channel_id: String,
        post_id: Option<String>,
        root_id: String,
    },
    /// A Mattermost link of another server.
    OtherServer { url: String },
    /// Not a Mattermost link: open it in the browser.
    External,
}

impl From<CoreDestination> for LinkDestination {
    fn from(destination: CoreDestination) -> Self {
        match destination {
            CoreDestination::Conversation {
                team_id,
                channel_id,
                post_id,
                root_id,
            } => Self::Conversation {
                team_id,
                channel_id,
                post_id,
                root_id,
            },
            CoreDestination::OtherServer { url } => Self::OtherServer { url },
            CoreDestination::External => Self::External,
        }
    }
}

#[uniffi::export]
impl Client {
    /// What `link` names on the signed-in server, without looking it up.
    pub fn parse_link(&self, link: String) -> Result<LinkTarget> {
        Ok(self.core.parse_link(&link)?.into())
    }

    /// Where `link` leads, resolved to ids (the cache first, then the
    /// server; a direct message that does not exist yet is created).
    pub async fn open_link(&self, link: String) -> Result<LinkDestination> {
        let core = self.core.clone();
        Ok(run(async move { core.open_link(&link).await })
            .await?
            .into())
    }
}
