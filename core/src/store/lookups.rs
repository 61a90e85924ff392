//! Finding cached channels by the names in an address (`team/channel`),
//! as slash command answers and links give them, and the people and
//! channels a message names.

use rusqlite::{Connection, OptionalExtension};

use crate::markdown::{ChannelRef, PersonRef};

use super::error::StoreResult;
use super::reads::person_name;

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

/// The channel and thread root of a cached post.
pub fn post_place(conn: &Connection, post_id: &str) -> StoreResult<Option<(String, String)>> {
    Ok(conn
        .prepare_cached("SELECT channel_id, root_id FROM posts WHERE id = ?1")?
        .query_row([post_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// The channel, thread root and creation time of a cached post.
pub fn post_anchor(conn: &Connection, post_id: &str) -> StoreResult<Option<(String, String, i64)>> {
    Ok(conn
        .prepare_cached("SELECT channel_id, root_id, create_at FROM posts WHERE id = ?1")?
        .query_row([post_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?)
}

/// The team of a cached channel ("" for direct and group messages).
pub fn channel_team(conn: &Connection, channel_id: &str) -> StoreResult<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT team_id FROM channels WHERE id = ?1")?
        .query_row([channel_id], |r| r.get(0))
        .optional()?)
}

/// The id of the cached team named `team_name`.
pub fn team_id_by_name(conn: &Connection, team_name: &str) -> StoreResult<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT id FROM teams WHERE name = ?1")?
        .query_row([team_name], |r| r.get(0))
        .optional()?)
}

/// The id of the cached user named `username`.
pub fn user_id_by_username(conn: &Connection, username: &str) -> StoreResult<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT id FROM users WHERE username = ?1")?
        .query_row([username], |r| r.get(0))
        .optional()?)
}

/// The cached person with the username `username`, as a message's
/// `@mention` names them.
pub fn person_ref_by_username(conn: &Connection, username: &str) -> StoreResult<Option<PersonRef>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, first_name, last_name, nickname, username FROM users
             WHERE username = ?1",
        )?
        .query_row([username], |r| {
            Ok(PersonRef {
                user_id: r.get(0)?,
                display_name: person_name(
                    &r.get::<_, String>(1)?,
                    &r.get::<_, String>(2)?,
                    &r.get::<_, String>(3)?,
                    &r.get::<_, String>(4)?,
                ),
            })
        })
        .optional()?)
}

/// The cached public or private channel named `name`, as a message's
/// `~channel` names it; `team_id`'s channel wins when several teams have
/// one of that name.
pub fn channel_ref_by_name(
    conn: &Connection,
    name: &str,
    team_id: &str,
) -> StoreResult<Option<ChannelRef>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, display_name FROM channels
             WHERE name = ?1 AND type IN ('O', 'P')
             ORDER BY team_id = ?2 DESC LIMIT 1",
        )?
        .query_row([name, team_id], |r| {
            Ok(ChannelRef {
                channel_id: r.get(0)?,
                display_name: r.get(1)?,
            })
        })
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
                ])?;
                w.upsert_users(&[crate::model::User {
                    id: "u1".into(),
                    username: "alice".into(),
                    ..Default::default()
                }])?;
                w.upsert_posts(&[crate::model::Post {
                    id: "p2".into(),
                    channel_id: "c1".into(),
                    root_id: "p1".into(),
                    create_at: 1,
                    ..Default::default()
                }])
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
                assert_eq!(channel_team(c, "c2")?.as_deref(), Some("t2"));
                assert_eq!(channel_team(c, "d1")?.as_deref(), Some(""));
                assert_eq!(channel_team(c, "nope")?, None);
                assert_eq!(team_id_by_name(c, "rs")?.as_deref(), Some("t2"));
                assert_eq!(team_id_by_name(c, "xyz")?, None);
                assert_eq!(user_id_by_username(c, "alice")?.as_deref(), Some("u1"));
                assert_eq!(user_id_by_username(c, "bob")?, None);
                assert_eq!(
                    post_place(c, "p2")?,
                    Some(("c1".to_owned(), "p1".to_owned()))
                );
                assert_eq!(post_place(c, "p9")?, None);
                assert_eq!(
                    post_anchor(c, "p2")?,
                    Some(("c1".to_owned(), "p1".to_owned(), 1))
                );
                assert_eq!(post_anchor(c, "p9")?, None);
                Ok(())
            })
            .unwrap();
    }
}
