//! Unsent messages: the drafts the composer kept, for the composer itself
//! and for a "drafts" list.

use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;

use super::names::person_name;
use crate::store::StoreResult;

/// A draft with the channel it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DraftView {
    pub channel_id: String,
    /// Empty for the channel's own composer, else the thread's root.
    pub root_id: String,
    pub message: String,
    pub update_at: i64,
    /// The channel's name as the sidebar shows it ("" when not cached).
    pub channel_name: String,
    /// "" for a direct or group message.
    pub team_id: String,
}

const DRAFT_SELECT: &str = "SELECT d.channel_id, d.root_id, d.message, d.update_at,
        COALESCE(c.display_name, ''), COALESCE(c.team_id, ''), COALESCE(c.type, ''),
        u.username, u.first_name, u.last_name, u.nickname
     FROM drafts d
     LEFT JOIN channels c ON c.id = d.channel_id
     LEFT JOIN users u ON c.type = 'D'
         AND u.id = replace(replace(c.name, ?1, ''), '__', '')";

/// The unsent drafts, newest first (owed deletions left out).
pub fn drafts(conn: &Connection) -> StoreResult<Vec<DraftView>> {
    let me = super::my_user_id(conn)?;
    let sql = format!("{DRAFT_SELECT} WHERE d.message <> '' ORDER BY d.update_at DESC");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([&me], draft_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The draft of one composer, when there is text in it.
pub fn draft(conn: &Connection, channel_id: &str, root_id: &str) -> StoreResult<Option<DraftView>> {
    let me = super::my_user_id(conn)?;
    let sql =
        format!("{DRAFT_SELECT} WHERE d.channel_id = ?2 AND d.root_id = ?3 AND d.message <> ''");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([me.as_str(), channel_id, root_id], draft_from_row)
        .optional()?)
}

fn draft_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<DraftView> {
    let display_name: String = r.get(4)?;
    // A direct message is named after the other person.
    let channel_name = match r.get::<_, Option<String>>(7)? {
        Some(username) if r.get::<_, String>(6)? == "D" => person_name(
            &r.get::<_, String>(8)?,
            &r.get::<_, String>(9)?,
            &r.get::<_, String>(10)?,
            &username,
        ),
        _ => display_name,
    };
    Ok(DraftView {
        channel_id: r.get(0)?,
        root_id: r.get(1)?,
        message: r.get(2)?,
        update_at: r.get(3)?,
        channel_name,
        team_id: r.get(5)?,
    })
}
