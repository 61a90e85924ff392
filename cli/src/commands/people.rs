//! `dm @user [@user...]` and `status <online|away|dnd|offline> [duration]`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Result;
use pausenhof_core::directory::OwnStatus;
use pausenhof_core::Client;
use serde_json::json;

use crate::args::StatusChoice;
use crate::duration::parse_duration;
use crate::exit::{BadDuration, UnknownPerson};
use crate::output::Output;

/// Opens the direct message with one person, or the group message with
/// several, and prints its channel id.
pub async fn dm(client: &Client, people: &[String], output: Output) -> Result<()> {
    let mut ids = Vec::new();
    for name in people {
        let username = name.trim().trim_start_matches('@').to_lowercase();
        let found = client
            .search_people(&username, "", 20)
            .await?
            .into_iter()
            .find(|p| p.username == username && !p.deactivated)
            .ok_or_else(|| UnknownPerson(name.clone()))?;
        ids.push(found.id);
    }
    let channel_id = match ids.as_slice() {
        [one] => client.open_direct_message(one).await?,
        _ => client.open_group_message(&ids).await?,
    };
    if output.json {
        output.json_value(&json!({"channel_id": channel_id}));
    } else {
        output.line(format!(
            "Opened {channel_id}; write with `pausenhof send {} <text>`.",
            people
                .first()
                .map(|p| format!("@{}", p.trim_start_matches('@')))
                .unwrap_or_default()
        ));
    }
    Ok(())
}

/// The status to set: do-not-disturb until now + `duration` when given.
pub fn own_status(
    choice: StatusChoice,
    duration: Option<&str>,
    now: SystemTime,
) -> Result<OwnStatus> {
    let until = match duration {
        None => None,
        Some(text) => Some(parse_duration(text).ok_or_else(|| BadDuration(text.to_string()))?),
    };
    Ok(match (choice, until) {
        (StatusChoice::Dnd, until) => OwnStatus::DoNotDisturb {
            until_ms: until.map(|d| millis(now + d)),
        },
        (_, Some(_)) => return Err(BadDuration("only dnd takes a duration".into()).into()),
        (StatusChoice::Online, None) => OwnStatus::Online,
        (StatusChoice::Away, None) => OwnStatus::Away,
        (StatusChoice::Offline, None) => OwnStatus::Offline,
    })
}

fn millis(at: SystemTime) -> i64 {
    at.duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_millis()
        .min(i64::MAX as u128) as i64
}

pub async fn set_status(
    client: &Client,
    choice: StatusChoice,
    duration: Option<&str>,
    output: Output,
) -> Result<()> {
    let status = own_status(choice, duration, SystemTime::now())?;
    client.set_own_status(status).await?;
    let until = match status {
        OwnStatus::DoNotDisturb { until_ms } => until_ms,
        _ => None,
    };
    if output.json {
        output.json_value(&json!({"status": status.as_wire(), "until_ms": until}));
    } else {
        let text = match until {
            Some(_) => format!(
                "Status: {} for {}",
                status.as_wire(),
                duration.unwrap_or_default()
            ),
            None => format!("Status: {}", status.as_wire()),
        };
        output.line(text);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dnd_for_an_hour_ends_an_hour_from_now() {
        let now = UNIX_EPOCH + Duration::from_secs(1_000);
        let status = own_status(StatusChoice::Dnd, Some("1h"), now).unwrap();
        assert_eq!(
            status,
            OwnStatus::DoNotDisturb {
                until_ms: Some(4_600_000)
            }
        );
        assert_eq!(
            own_status(StatusChoice::Dnd, None, now).unwrap(),
            OwnStatus::DoNotDisturb { until_ms: None }
        );
        assert_eq!(
            own_status(StatusChoice::Away, None, now).unwrap(),
            OwnStatus::Away
        );
    }

    #[test]
    fn only_dnd_takes_a_duration_and_it_must_parse() {
        let now = SystemTime::now();
        assert!(own_status(StatusChoice::Away, Some("1h"), now).is_err());
        assert!(own_status(StatusChoice::Dnd, Some("soon"), now).is_err());
    }
}
