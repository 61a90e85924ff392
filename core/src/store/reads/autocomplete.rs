//! Cached candidates for the composer's autocomplete: people (members of
//! the channel marked) and the channels of a team.

use rusqlite::Connection;

use super::names::person_name;
use crate::composer::{ChannelCandidate, PersonCandidate};
use crate::store::StoreResult;

/// Every cached, active person; `in_channel` for the channel's members.
pub fn people_candidates(conn: &Connection, channel_id: &str) -> StoreResult<Vec<PersonCandidate>> {
    let mut stmt = conn.prepare_cached(
        "SELECT u.id, u.username, u.first_name, u.last_name, u.nickname,
                EXISTS (SELECT 1 FROM channel_members m
                        WHERE m.channel_id = ?1 AND m.user_id = u.id)
         FROM users u WHERE u.delete_at = 0",
    )?;
    let rows = stmt.query_map([channel_id], |r| {
        let (first, last, nickname, username): (String, String, String, String) =
            (r.get(2)?, r.get(3)?, r.get(4)?, r.get(1)?);
        Ok(PersonCandidate {
            user_id: r.get(0)?,
            display_name: person_name(&first, &last, &nickname, &username),
            username,
            first_name: first,
            last_name: last,
            nickname,
            in_channel: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The team's cached public and private channels that are not archived;
/// `is_member` for the user's own.
pub fn channel_candidates(conn: &Connection, team_id: &str) -> StoreResult<Vec<ChannelCandidate>> {
    let me = super::my_user_id(conn)?;
    let mut stmt = conn.prepare_cached(
        "SELECT c.id, c.name, c.display_name,
                EXISTS (SELECT 1 FROM channel_members m
                        WHERE m.channel_id = c.id AND m.user_id = ?2)
         FROM channels c
         WHERE c.team_id = ?1 AND c.type IN ('O', 'P') AND c.delete_at = 0",
    )?;
    let rows = stmt.query_map([team_id, me.as_str()], |r| {
        Ok(ChannelCandidate {
            channel_id: r.get(0)?,
            name: r.get(1)?,
            display_name: r.get(2)?,
            is_member: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
