//! Presence: what the user sets for themselves, and what others' statuses
//! mean.

use serde::Serialize;

/// A status the user sets. Mattermost keeps a status set by hand until it
/// is changed again (do-not-disturb until its end time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum OwnStatus {
    Online,
    Away,
    /// Notifications held back; until `until_ms` (ms since the epoch), or
    /// until changed when `None`.
    DoNotDisturb {
        until_ms: Option<i64>,
    },
    /// Shown as offline while connected.
    Offline,
}

impl OwnStatus {
    /// The wire value of `status`.
    pub fn as_wire(&self) -> &'static str {
        match self {
            OwnStatus::Online => "online",
            OwnStatus::Away => "away",
            OwnStatus::DoNotDisturb { .. } => "dnd",
            OwnStatus::Offline => "offline",
        }
    }

    /// `dnd_end_time` as the server wants it: seconds since the epoch, 0 for
    /// none.
    pub fn dnd_end_seconds(&self) -> i64 {
        match self {
            OwnStatus::DoNotDisturb { until_ms: Some(ms) } => ms.div_euclid(1000),
            _ => 0,
        }
    }
}

/// Someone's status as the server reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    Online,
    Away,
    DoNotDisturb,
    Offline,
    /// Not known (no status fetched or received yet).
    Unknown,
}

impl Presence {
    pub fn parse(wire: &str) -> Presence {
        match wire {
            "online" => Presence::Online,
            "away" => Presence::Away,
            "dnd" => Presence::DoNotDisturb,
            "offline" => Presence::Offline,
            _ => Presence::Unknown,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_statuses_on_the_wire() {
        assert_eq!(OwnStatus::Online.as_wire(), "online");
        let dnd = OwnStatus::DoNotDisturb {
            until_ms: Some(1_700_000_059_999),
        };
        assert_eq!(dnd.as_wire(), "dnd");
        assert_eq!(dnd.dnd_end_seconds(), 1_700_000_059);
        assert_eq!(
            OwnStatus::DoNotDisturb { until_ms: None }.dnd_end_seconds(),
            0
        );
        assert_eq!(OwnStatus::Away.dnd_end_seconds(), 0);
    }

    #[test]
    fn presence_reads_the_server_words() {
        assert_eq!(Presence::parse("dnd"), Presence::DoNotDisturb);
        assert_eq!(Presence::parse("away"), Presence::Away);
        assert_eq!(Presence::parse("ooo"), Presence::Unknown);
        assert_eq!(Presence::parse(""), Presence::Unknown);
    }
}
