//! What the app shows of channels, people and teams found on the server.

use serde::Serialize;

use super::local_time::LocalTime;
use super::status::Presence;
use crate::model::{Channel, Team, User};
use crate::store::reads::ChannelKind;

/// A channel in a list of channels to browse or join.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChannelSummary {
    pub id: String,
    pub team_id: String,
    /// The URL name.
    pub name: String,
    pub display_name: String,
    pub purpose: String,
    pub kind: ChannelKind,
    /// Archived: readable, not writable.
    pub archived: bool,
    /// The user is a member already.
    pub is_member: bool,
}

impl ChannelSummary {
    pub fn of(channel: &Channel, is_member: bool) -> Self {
        ChannelSummary {
            id: channel.id.clone(),
            team_id: channel.team_id.clone(),
            name: channel.name.clone(),
            display_name: channel.display_name.clone(),
            purpose: channel.purpose.clone(),
            kind: ChannelKind::from_letter(channel.channel_type.as_str()),
            archived: channel.delete_at > 0,
            is_member,
        }
    }
}

/// Which posts of a channel raise a push notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PushLevel {
    /// As the user's account-wide setting says.
    Default,
    All,
    Mentions,
    Nothing,
}

impl PushLevel {
    pub fn as_wire(self) -> &'static str {
        match self {
            PushLevel::Default => "default",
            PushLevel::All => "all",
            PushLevel::Mentions => "mention",
            PushLevel::Nothing => "none",
        }
    }

    /// Unknown or empty values read as the default.
    pub fn parse(wire: &str) -> PushLevel {
        match wire {
            "all" => PushLevel::All,
            "mention" => PushLevel::Mentions,
            "none" => PushLevel::Nothing,
            _ => PushLevel::Default,
        }
    }
}

/// A channel's info screen.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChannelInfo {
    pub summary: ChannelSummary,
    pub header: String,
    pub member_count: i64,
    /// The user's own settings (false/default when not a member).
    pub muted: bool,
    pub favorite: bool,
    pub push_level: PushLevel,
}

/// A person in a directory search or a member list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Person {
    pub id: String,
    pub username: String,
    /// "First Last", or "" when the server hides or lacks it.
    pub full_name: String,
    pub nickname: String,
    pub position: String,
    /// What to show: the full name, else the username.
    pub display_name: String,
    pub is_bot: bool,
    /// The account was deactivated: shown, but no new messages reach it.
    pub deactivated: bool,
    pub presence: Presence,
}

impl Person {
    pub fn of(user: &User, presence: Presence) -> Self {
        let full_name = format!("{} {}", user.first_name.trim(), user.last_name.trim())
            .trim()
            .to_owned();
        Person {
            id: user.id.clone(),
            username: user.username.clone(),
            full_name,
            nickname: user.nickname.clone(),
            position: user.position.clone(),
            display_name: user.display_name(),
            is_bot: user.is_bot,
            deactivated: user.delete_at > 0,
            presence,
        }
    }
}

/// A profile card.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProfileCard {
    pub person: Person,
    /// The end of a do-not-disturb status (ms), when it has one.
    pub dnd_until_ms: Option<i64>,
    /// `None` when the profile names no (known) timezone.
    pub local_time: Option<LocalTime>,
}

/// A team the user may join.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JoinableTeam {
    pub id: String,
    pub name: String,
    pub display_name: String,
    pub description: String,
}

impl JoinableTeam {
    pub fn of(team: &Team) -> Self {
        JoinableTeam {
            id: team.id.clone(),
            name: team.name.clone(),
            display_name: team.display_name.clone(),
            description: team.description.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_levels_round_trip() {
        for level in [
            PushLevel::Default,
            PushLevel::All,
            PushLevel::Mentions,
            PushLevel::Nothing,
        ] {
            assert_eq!(PushLevel::parse(level.as_wire()), level);
        }
        assert_eq!(PushLevel::parse(""), PushLevel::Default);
    }

    #[test]
    fn a_deactivated_person_is_marked() {
        let user = User {
            id: "u1".into(),
            username: "ben".into(),
            first_name: "Ben".into(),
            delete_at: 5,
            ..User::default()
        };
        let person = Person::of(&user, Presence::Unknown);
        assert!(person.deactivated);
        assert_eq!(person.full_name, "Ben");
        assert_eq!(person.display_name, "Ben");
    }
}
