//! People: the directory, profile cards, direct and group messages, the
//! user's own status.

use pausenhof_core::directory;

use crate::client::Client;
use crate::error::Result;
use crate::runtime::run;

/// Someone's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Presence {
    Online,
    Away,
    DoNotDisturb,
    Offline,
    Unknown,
}

/// A status the user sets for themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum OwnStatus {
    Online,
    Away,
    /// Until `until_ms` (ms since the epoch), or until changed.
    DoNotDisturb {
        until_ms: Option<i64>,
    },
    Offline,
}

/// A person found in the directory or a member list.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct FoundPerson {
    pub id: String,
    pub username: String,
    pub full_name: String,
    pub nickname: String,
    pub position: String,
    pub display_name: String,
    pub is_bot: bool,
    /// Deactivated: shown, but no new messages reach them.
    pub deactivated: bool,
    pub presence: Presence,
}

/// The time where someone is.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct LocalTime {
    pub timezone: String,
    /// `HH:MM`, 24-hour clock.
    pub time: String,
    pub utc_offset_minutes: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ProfileCard {
    pub person: FoundPerson,
    pub dnd_until_ms: Option<i64>,
    pub local_time: Option<LocalTime>,
}

impl From<directory::Presence> for Presence {
    fn from(p: directory::Presence) -> Self {
        match p {
            directory::Presence::Online => Presence::Online,
            directory::Presence::Away => Presence::Away,
            directory::Presence::DoNotDisturb => Presence::DoNotDisturb,
            directory::Presence::Offline => Presence::Offline,
            directory::Presence::Unknown => Presence::Unknown,
        }
    }
}

impl From<OwnStatus> for directory::OwnStatus {
    fn from(s: OwnStatus) -> Self {
        match s {
            OwnStatus::Online => directory::OwnStatus::Online,
            OwnStatus::Away => directory::OwnStatus::Away,
            OwnStatus::DoNotDisturb { until_ms } => directory::OwnStatus::DoNotDisturb { until_ms },
            OwnStatus::Offline => directory::OwnStatus::Offline,
        }
    }
}

impl From<directory::Person> for FoundPerson {
    fn from(p: directory::Person) -> Self {
        FoundPerson {
            id: p.id,
            username: p.username,
            full_name: p.full_name,
            nickname: p.nickname,
            position: p.position,
            display_name: p.display_name,
            is_bot: p.is_bot,
            deactivated: p.deactivated,
            presence: p.presence.into(),
        }
    }
}

impl From<directory::ProfileCard> for ProfileCard {
    fn from(c: directory::ProfileCard) -> Self {
        ProfileCard {
            person: c.person.into(),
            dnd_until_ms: c.dnd_until_ms,
            local_time: c.local_time.map(|t| LocalTime {
                timezone: t.timezone,
                time: t.time,
                utc_offset_minutes: t.utc_offset_minutes,
            }),
        }
    }
}

#[uniffi::export]
impl Client {
    /// Searches the user directory (as the server allows); deactivated
    /// accounts are marked. `team_id` "" searches everyone.
    pub async fn search_people(
        &self,
        term: String,
        team_id: String,
        limit: u32,
    ) -> Result<Vec<FoundPerson>> {
        let core = self.core.clone();
        let people = run(async move { core.search_people(&term, &team_id, limit).await }).await?;
        Ok(people.into_iter().map(Into::into).collect())
    }

    pub async fn profile_card(&self, user_id: String) -> Result<ProfileCard> {
        let core = self.core.clone();
        Ok(run(async move { core.profile_card(&user_id).await })
            .await?
            .into())
    }

    /// Opens (creating if needed) the direct message with `user_id`;
    /// returns its channel id. It is in the sidebar when this returns.
    pub async fn open_direct_message(&self, user_id: String) -> Result<String> {
        let core = self.core.clone();
        Ok(run(async move { core.open_direct_message(&user_id).await }).await?)
    }

    /// Opens (creating if needed) the group message with 2 to 7 others.
    pub async fn open_group_message(&self, user_ids: Vec<String>) -> Result<String> {
        let core = self.core.clone();
        Ok(run(async move { core.open_group_message(&user_ids).await }).await?)
    }

    pub async fn set_own_status(&self, status: OwnStatus) -> Result<()> {
        let core = self.core.clone();
        Ok(run(async move { core.set_own_status(status.into()).await }).await?)
    }

    /// The user's own status as the server has it now.
    pub async fn own_status(&self) -> Result<Presence> {
        let core = self.core.clone();
        Ok(run(async move { core.own_status().await }).await?.into())
    }
}
