//! Finding cached channels by the names in an address (`team/channel`),
//! as slash command answers and links give them.

use rusqlite::{Connection, OptionalExtension};

use super::error::StoreResult;

/// The cached channel named `channel_name` in the team named `team_name`;
/// a direct or group channel (no team) matches by its name alone.
pub fn channel_id_by_names(
    conn: &Connection,
    team_name: &str,
    channel_name: &str,
) -> StoreResult<Option<String>> {
    Ok(conn
        .prepare_cached(
            "SELECT c.id FROM channels c LEFT JOIN teams t ON t.id = c.team_id
             WHERE c.name = ?2 AND (t.name = ?1 OR c.team_id = '')
             ORDER BY c.team_id = '' LIMIT 1",
        )?
        .query_row([team_name, channel_name], |r| r.get(0))
        .optional()?)
}

/// The cached channel named `channel_name` in the team with id `team_id`.
pub fn channel_id_in_team(
    conn: &Connection,
    team_id: &str,
    channel_name: &str,
) -> StoreResult<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT id FROM channels WHERE team_id = ?1 AND name = ?2")?
        .query_row([team_id, channel_name], |r| r.get(0))
        .optional()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Channel, ChannelType, Team};
    use crate::store::Store;

    #[test]
    fn finds_team_channels_by_names_and_direct_ones_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_blocking(
            dir.path().join("cache.sqlite"),
            crate::store::OpenCheck::Header,
        )
        .unwrap();
        let team = |id: &str, name: &str| Team {
            id: id.into(),
            name: name.into(),
            ..Team::default()
        };
        let channel = |id: &str, team_id: &str, name: &str, kind| Channel {
            id: id.into(),
            team_id: team_id.into(),
            name: name.into(),
            channel_type: kind,
            ..Channel::default()
        };
        store
            .write_blocking(|w| {
                w.upsert_teams(&[team("t1", "gsm"), team("t2", "rs")])?;
                w.upsert_channels(&[
                    channel("c1", "t1", "town-square", ChannelType::Open),
                    channel("c2", "t2", "town-square", ChannelType::Open),
                    channel("d1", "", "u1__u2", ChannelType::Direct),
                ])
            })
            .unwrap();
        store
            .read_blocking(|c| {
                assert_eq!(
                    channel_id_by_names(c, "rs", "town-square")?.as_deref(),
                    Some("c2")
                );
                assert_eq!(
                    channel_id_by_names(c, "gsm", "u1__u2")?.as_deref(),
                    Some("d1")
                );
                assert_eq!(channel_id_by_names(c, "gsm", "nope")?, None);
                assert_eq!(channel_id_by_names(c, "xyz", "town-square")?, None);
                assert_eq!(
                    channel_id_in_team(c, "t1", "town-square")?.as_deref(),
                    Some("c1")
                );
                assert_eq!(channel_id_in_team(c, "t1", "u1__u2")?, None);
                Ok(())
            })
            .unwrap();
    }
}
