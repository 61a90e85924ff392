//! Channels besides reading and writing: browse, search, join, leave,
//! create, mute, favorite, push level, mark unread, info, members.

use pausenhof_core::{directory, reads};

use crate::client::Client;
use crate::error::Result;
use crate::people::FoundPerson;
use crate::runtime::run;
use crate::views::ChannelKind;

/// A channel in a browse or search list.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ChannelSummary {
    pub id: String,
    pub team_id: String,
    /// The URL name.
    pub name: String,
    pub display_name: String,
    pub purpose: String,
    pub kind: ChannelKind,
    /// Readable, not writable.
    pub archived: bool,
    pub is_member: bool,
}

/// Which posts of a channel raise a push notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum PushLevel {
    /// As the account-wide setting says.
    Default,
    All,
    Mentions,
    Nothing,
}

/// A channel's info screen.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ChannelInfo {
    pub summary: ChannelSummary,
    pub header: String,
    pub member_count: i64,
    pub muted: bool,
    pub favorite: bool,
    pub push_level: PushLevel,
}

impl From<reads::ChannelKind> for ChannelKind {
    fn from(kind: reads::ChannelKind) -> Self {
        match kind {
            reads::ChannelKind::Public => ChannelKind::Public,
            reads::ChannelKind::Private => ChannelKind::Private,
            reads::ChannelKind::Direct => ChannelKind::Direct,
            reads::ChannelKind::Group => ChannelKind::Group,
        }
    }
}

impl From<directory::ChannelSummary> for ChannelSummary {
    fn from(c: directory::ChannelSummary) -> Self {
        ChannelSummary {
            id: c.id,
            team_id: c.team_id,
            name: c.name,
            display_name: c.display_name,
            purpose: c.purpose,
            kind: c.kind.into(),
            archived: c.archived,
            is_member: c.is_member,
        }
    }
}

impl From<directory::PushLevel> for PushLevel {
    fn from(level: directory::PushLevel) -> Self {
        match level {
            directory::PushLevel::Default => PushLevel::Default,
            directory::PushLevel::All => PushLevel::All,
            directory::PushLevel::Mentions => PushLevel::Mentions,
            directory::PushLevel::Nothing => PushLevel::Nothing,
        }
    }
}

impl From<PushLevel> for directory::PushLevel {
    fn from(level: PushLevel) -> Self {
        match level {
            PushLevel::Default => directory::PushLevel::Default,
            PushLevel::All => directory::PushLevel::All,
            PushLevel::Mentions => directory::PushLevel::Mentions,
            PushLevel::Nothing => directory::PushLevel::Nothing,
        }
    }
}

impl From<directory::ChannelInfo> for ChannelInfo {
    fn from(i: directory::ChannelInfo) -> Self {
        ChannelInfo {
            summary: i.summary.into(),
            header: i.header,
            member_count: i.member_count,
            muted: i.muted,
            favorite: i.favorite,
            push_level: i.push_level.into(),
        }
    }
}

fn all<T, U: From<T>>(items: Vec<T>) -> Vec<U> {
    items.into_iter().map(Into::into).collect()
}

#[uniffi::export]
impl Client {
    /// One page of a team's public channels (not archived), by name.
    pub async fn browse_channels(
        &self,
        team_id: String,
        page: u32,
        per_page: u32,
    ) -> Result<Vec<ChannelSummary>> {
        let core = self.core.clone();
        Ok(all(run(async move {
            core.browse_channels(&team_id, page, per_page).await
        })
        .await?))
    }

    /// Public channels of a team whose names start with `term`.
    pub async fn search_channels(
        &self,
        team_id: String,
        term: String,
    ) -> Result<Vec<ChannelSummary>> {
        let core = self.core.clone();
        Ok(all(run(async move {
            core.search_channels(&team_id, &term).await
        })
        .await?))
    }

    /// Joins a public channel; it is in the sidebar when this returns.
    pub async fn join_channel(&self, channel_id: String) -> Result<ChannelSummary> {
        let core = self.core.clone();
        Ok(run(async move { core.join_channel(&channel_id).await })
            .await?
            .into())
    }

    /// Leaves a channel; it is gone from the sidebar when this returns.
    pub async fn leave_channel(&self, channel_id: String) -> Result<()> {
        let core = self.core.clone();
        Ok(run(async move { core.leave_channel(&channel_id).await }).await?)
    }

    /// Archives a channel: readable, refusing new posts (`ChannelArchived`).
    pub async fn archive_channel(&self, channel_id: String) -> Result<()> {
        let core = self.core.clone();
        Ok(run(async move { core.archive_channel(&channel_id).await }).await?)
    }

    /// Creates a channel; the URL name follows from `display_name` (a
    /// taken one gets `-2`, `-3`...; `NameTaken` when none is free).
    pub async fn create_channel(
        &self,
        team_id: String,
        display_name: String,
        private: bool,
        purpose: String,
    ) -> Result<ChannelSummary> {
        let core = self.core.clone();
        Ok(run(async move {
            core.create_channel(&team_id, &display_name, private, &purpose)
                .await
        })
        .await?
        .into())
    }

    pub async fn set_channel_muted(&self, channel_id: String, muted: bool) -> Result<()> {
        let core = self.core.clone();
        Ok(run(async move { core.set_channel_muted(&channel_id, muted).await }).await?)
    }

    /// Moves the channel into the favorites (or back), through the server's
    /// sidebar categories.
    pub async fn set_channel_favorite(&self, channel_id: String, favorite: bool) -> Result<()> {
        let core = self.core.clone();
        Ok(run(async move { core.set_channel_favorite(&channel_id, favorite).await }).await?)
    }

    pub async fn set_channel_push_level(&self, channel_id: String, level: PushLevel) -> Result<()> {
        let core = self.core.clone();
        Ok(
            run(async move { core.set_channel_push_level(&channel_id, level.into()).await })
                .await?,
        )
    }

    /// The post and everything after it read as new again.
    pub async fn mark_unread_from(&self, post_id: String) -> Result<()> {
        let core = self.core.clone();
        Ok(run(async move { core.mark_unread_from(&post_id).await }).await?)
    }

    pub async fn channel_info(&self, channel_id: String) -> Result<ChannelInfo> {
        let core = self.core.clone();
        Ok(run(async move { core.channel_info(&channel_id).await })
            .await?
            .into())
    }

    /// One page of a channel's members with their status.
    pub async fn channel_members(
        &self,
        channel_id: String,
        page: u32,
        per_page: u32,
    ) -> Result<Vec<FoundPerson>> {
        let core = self.core.clone();
        Ok(all(run(async move {
            core.channel_members(&channel_id, page, per_page).await
        })
        .await?))
    }
}
