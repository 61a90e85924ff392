use rusqlite::Connection;
use serde::Serialize;

use super::{collapsed_threads, my_user_id};
use crate::store::StoreResult;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TeamView {
    pub id: String,
    pub name: String,
    pub display_name: String,
    /// Some unmuted channel of the team has unread posts.
    pub has_unread: bool,
    /// Mentions in the team's channels (not direct messages).
    pub mention_count: i64,
}

/// The teams the user belongs to, by display name, with unread state
/// computed from the cached channel memberships.
pub fn teams(conn: &Connection) -> StoreResult<Vec<TeamView>> {
    let me = my_user_id(conn)?;
    let crt = collapsed_threads(conn)?;
    let (total, read, mentions) = if crt {
        (
            "c.total_msg_count_root",
            "m.msg_count_root",
            "m.mention_count_root",
        )
    } else {
        ("c.total_msg_count", "m.msg_count", "m.mention_count")
    };
    let sql = format!(
        "SELECT t.id, t.name, t.display_name,
             coalesce(max(m.mark_unread <> 'mention' AND {total} > {read}), 0),
             coalesce(sum({mentions}), 0)
         FROM teams t
         JOIN team_members tm ON tm.team_id = t.id AND tm.user_id = ?1 AND tm.delete_at = 0
         LEFT JOIN channels c ON c.team_id = t.id AND c.delete_at = 0
         LEFT JOIN channel_members m ON m.channel_id = c.id AND m.user_id = ?1
         WHERE t.delete_at = 0
         GROUP BY t.id
         ORDER BY lower(t.display_name), t.id"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([&me], |r| {
        Ok(TeamView {
            id: r.get(0)?,
            name: r.get(1)?,
            display_name: r.get(2)?,
            has_unread: r.get::<_, i64>(3)? != 0,
            mention_count: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
