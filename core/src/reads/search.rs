//! Offline full-text search over cached posts.

use rusqlite::Connection;
use serde::Serialize;

use super::my_user_id;
use super::posts::{query_posts, PostView, POST_COLUMNS};
use crate::store::search_text::fts_query;
use crate::store::StoreResult;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchHit {
    pub post: PostView,
    pub channel_display_name: String,
    /// Empty for direct and group messages.
    pub team_id: String,
}

/// Posts whose message contains every word of `terms` (the last word as a
/// prefix), newest first. With `team_id`, only that team's channels and
/// direct/group messages. Post rowids follow creation time, so the index
/// yields matches newest first and the scan stops after `limit` hits.
pub fn search_posts(
    conn: &Connection,
    terms: &str,
    team_id: Option<&str>,
    limit: usize,
) -> StoreResult<Vec<SearchHit>> {
    let Some(query) = fts_query(terms) else {
        return Ok(Vec::new());
    };
    let me = my_user_id(conn)?;
    let sql = format!(
        "SELECT {POST_COLUMNS}
         FROM posts_fts f
         JOIN posts p ON p.rowid = f.rowid
         JOIN channels c ON c.id = p.channel_id
         LEFT JOIN users u ON u.id = p.user_id
         WHERE posts_fts MATCH ?1 AND p.delete_at = 0
               AND (?2 IS NULL OR c.team_id = ?2 OR c.team_id = '')
         ORDER BY f.rowid DESC LIMIT ?3"
    );
    let limit = limit.min(i64::MAX as usize) as i64;
    let posts = query_posts(conn, &sql, rusqlite::params![query, team_id, limit], &me)?;
    // Channel names come from a second lookup to keep query_posts generic.
    let mut hits = Vec::with_capacity(posts.len());
    let mut channel =
        conn.prepare_cached("SELECT display_name, team_id FROM channels WHERE id = ?1")?;
    for post in posts {
        let (channel_display_name, team_id) =
            channel.query_row([&post.channel_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        hits.push(SearchHit {
            post,
            channel_display_name,
            team_id,
        });
    }
    Ok(hits)
}
