//! Opening Mattermost links: the target a link names (`links::parse_link`)
//! resolved to ids, from the cache first and the server when the cache
//! lacks them.

use super::Client;
use crate::api::channels as channels_api;
use crate::api::posts as posts_api;
use crate::api::users as users_api;
use crate::error::{Error, Result};
use crate::links::{parse_link, LinkTarget};
use crate::store;

/// Where opening a link leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkDestination {
    /// A channel, direct or group message of this server; with `post_id`,
    /// the post to show (in its thread when `root_id` is not empty).
    /// `team_id` is the team the link names for direct and group messages.
    Conversation {
        team_id: String,
        channel_id: String,
        post_id: Option<String>,
        root_id: String,
    },
    /// A Mattermost link of another server (open it in the browser, or in
    /// another account).
    OtherServer { url: String },
    /// Not a Mattermost link: an ordinary web link.
    External,
}

impl Client {
    /// What `link` names on the signed-in server (no lookups).
    pub fn parse_link(&self, link: &str) -> Result<LinkTarget> {
        Ok(parse_link(link, &self.account()?.server))
    }

    /// Resolves `link` to the conversation it names. A direct message
    /// that does not exist yet is created (as `/TEAM/messages/@user` does
    /// in the web app); a channel or post the user may not see is the
    /// server's typed error.
    pub async fn open_link(&self, link: &str) -> Result<LinkDestination> {
        match self.parse_link(link)? {
            LinkTarget::Post { team_name, post_id } => {
                self.open_post_link(team_name, post_id).await
            }
            LinkTarget::Channel {
                team_name,
                channel_name,
            }
            | LinkTarget::GroupMessage {
                team_name,
                channel_name,
            } => self.open_channel_link(team_name, channel_name).await,
            LinkTarget::DirectMessage {
                team_name,
                username,
            } => self.open_direct_link(team_name, username).await,
            LinkTarget::OtherServer { url } => Ok(LinkDestination::OtherServer { url }),
            LinkTarget::NotMattermost => Ok(LinkDestination::External),
        }
    }

    async fn open_post_link(&self, team_name: String, post_id: String) -> Result<LinkDestination> {
        let account = self.account()?;
        let id = post_id.clone();
        let cached = account
            .store
            .read(move |c| store::post_place(c, &id))
            .await?;
        let (channel_id, root_id) = match cached {
            Some(place) => place,
            None => {
                let post = posts_api::post(&account.api, &post_id).await?;
                let place = (post.channel_id.clone(), post.root_id.clone());
                // The post alone joins no timeline range: no false continuity.
                account
                    .store
                    .write(move |w| w.upsert_posts(std::iter::once(&post)))
                    .await?;
                place
            }
        };
        let team_id = self.link_team(&channel_id, team_name).await?;
        Ok(LinkDestination::Conversation {
            team_id,
            channel_id,
            post_id: Some(post_id),
            root_id,
        })
    }

    async fn open_channel_link(
        &self,
        team_name: String,
        channel_name: String,
    ) -> Result<LinkDestination> {
        let account = self.account()?;
        let (team, name) = (team_name.clone(), channel_name.clone());
        let cached = account
            .store
            .read(move |c| store::channel_id_by_names(c, &team, &name))
            .await?;
        let channel_id = match cached {
            Some(id) => id,
            None => {
                channels_api::channel_by_names(&account.api, &team_name, &channel_name)
                    .await?
                    .id
            }
        };
        let team_id = self.link_team(&channel_id, team_name).await?;
        Ok(conversation(team_id, channel_id))
    }

    async fn open_direct_link(
        &self,
        team_name: String,
        username: String,
    ) -> Result<LinkDestination> {
        let account = self.account()?;
        let name = username.clone();
        let cached = account
            .store
            .read(move |c| store::user_id_by_username(c, &name))
            .await?;
        let user_id = match cached {
            Some(id) => id,
            None => users_api::users_by_usernames(&account.api, std::slice::from_ref(&username))
                .await?
                .into_iter()
                .find(|user| user.username.eq_ignore_ascii_case(&username))
                .map(|user| user.id)
                .ok_or(Error::NotFound { id: username })?,
        };
        let mut pair = [account.user_id.clone(), user_id.clone()];
        pair.sort();
        let direct_name = pair.join("__");
        let team = team_name.clone();
        let cached = account
            .store
            .read(move |c| store::channel_id_by_names(c, &team, &direct_name))
            .await?;
        let channel_id = match cached {
            Some(id) => id,
            None => self.open_direct_message(&user_id).await?,
        };
        let team_id = self.link_team(&channel_id, team_name).await?;
        Ok(conversation(team_id, channel_id))
    }

    /// The channel's team; for a direct or group message, the team the
    /// link names (when cached).
    async fn link_team(&self, channel_id: &str, team_name: String) -> Result<String> {
        let account = self.account()?;
        let id = channel_id.to_owned();
        let cached = account
            .store
            .read(move |c| {
                Ok(match store::channel_team(c, &id)? {
                    Some(team) if !team.is_empty() => Some(team),
                    _ => store::team_id_by_name(c, &team_name)?,
                })
            })
            .await?;
        match cached {
            Some(team_id) => Ok(team_id),
            // A channel the user is not in yet (a public one to join).
            None => Ok(channels_api::channel(&account.api, channel_id)
                .await?
                .team_id),
        }
    }
}

fn conversation(team_id: String, channel_id: String) -> LinkDestination {
    LinkDestination::Conversation {
        team_id,
        channel_id,
        post_id: None,
        root_id: String::new(),
    }
}
