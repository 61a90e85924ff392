//! Offline full-text search over cached posts, with the same modifiers as
//! the server's search (`search::SearchQuery`).

use rusqlite::{named_params, Connection, OptionalExtension};
use serde::Serialize;

use super::my_user_id;
use super::posts::{query_posts, PostView, POST_COLUMNS};
use crate::search::SearchQuery;
use crate::store::search_text::{fts_all, fts_any};
use crate::store::StoreResult;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchHit {
    pub post: PostView,
    pub channel_display_name: String,
    /// Empty for direct and group messages.
    pub team_id: String,
}

/// Where and when to search, besides the query's words.
#[derive(Debug, Clone, Default)]
pub struct SearchScope {
    /// Only this team's channels and direct/group messages.
    pub team_id: Option<String>,
    /// Created at or after this time (ms).
    pub since: Option<i64>,
    /// Created before this time (ms).
    pub until: Option<i64>,
}

/// The filters every search applies; the parameters are named.
const FILTERS: &str = "p.delete_at = 0 AND p.type NOT LIKE 'system\\_%' ESCAPE '\\'
    AND (:team IS NULL OR c.team_id = :team OR c.team_id = '')
    AND (:from = '[]' OR u.username IN (SELECT value FROM json_each(:from)))
    AND (:in = '[]' OR c.name IN (SELECT value FROM json_each(:in)))
    AND (:since IS NULL OR p.create_at >= :since)
    AND (:until IS NULL OR p.create_at < :until)";

/// Posts matching `query` in `scope`, newest first, at most `limit`.
/// With words to look for, the full-text index yields matches newest
/// first (post rowids follow creation time) and the scan stops after
/// `limit` hits; with modifiers alone (`from:anna`), the posts are walked
/// newest first. A query of nothing finds nothing.
pub fn search_posts(
    conn: &Connection,
    query: &SearchQuery,
    scope: &SearchScope,
    limit: usize,
) -> StoreResult<Vec<SearchHit>> {
    let wanted = fts_all(&query.terms);
    let unwanted = fts_any(&query.excluded);
    let narrowed = !query.from.is_empty()
        || !query.in_channels.is_empty()
        || scope.since.is_some()
        || scope.until.is_some();
    if wanted.is_none() && !narrowed {
        return Ok(Vec::new());
    }
    let me = my_user_id(conn)?;
    let from = serde_json::to_string(&query.from).unwrap_or_else(|_| "[]".into());
    let channels = serde_json::to_string(&query.in_channels).unwrap_or_else(|_| "[]".into());
    let limit = limit.min(i64::MAX as usize) as i64;
    let posts = match wanted {
        Some(wanted) => {
            let expression = match unwanted {
                Some(unwanted) => format!("({wanted}) NOT ({unwanted})"),
                None => wanted,
            };
            let sql = format!(
                "SELECT {POST_COLUMNS}
                 FROM posts_fts f
                 JOIN posts p ON p.rowid = f.rowid
                 JOIN channels c ON c.id = p.channel_id
                 LEFT JOIN users u ON u.id = p.user_id
                 WHERE posts_fts MATCH :match AND {FILTERS}
                 ORDER BY f.rowid DESC LIMIT :limit"
            );
            query_posts(
                conn,
                &sql,
                named_params! {
                    ":match": expression, ":team": scope.team_id, ":from": from,
                    ":in": channels, ":since": scope.since, ":until": scope.until,
                    ":limit": limit,
                },
                &me,
            )?
        }
        None => {
            let sql = format!(
                "SELECT {POST_COLUMNS}
                 FROM posts p
                 JOIN channels c ON c.id = p.channel_id
                 LEFT JOIN users u ON u.id = p.user_id
                 WHERE {FILTERS}
                   AND (:unwanted IS NULL OR p.rowid NOT IN
                        (SELECT rowid FROM posts_fts WHERE posts_fts MATCH :unwanted))
                 ORDER BY p.rowid DESC LIMIT :limit"
            );
            query_posts(
                conn,
                &sql,
                named_params! {
                    ":unwanted": unwanted, ":team": scope.team_id, ":from": from,
                    ":in": channels, ":since": scope.since, ":until": scope.until,
                    ":limit": limit,
                },
                &me,
            )?
        }
    };
    with_channel_names(conn, posts)
}

/// Channel names come from a second lookup to keep query_posts generic.
fn with_channel_names(conn: &Connection, posts: Vec<PostView>) -> StoreResult<Vec<SearchHit>> {
    let mut hits = Vec::with_capacity(posts.len());
    let mut channel =
        conn.prepare_cached("SELECT display_name, team_id FROM channels WHERE id = ?1")?;
    for post in posts {
        // A channel joined since the last sync may not be cached yet.
        let (channel_display_name, team_id) = channel
            .query_row([&post.channel_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?
            .unwrap_or_default();
        hits.push(SearchHit {
            post,
            channel_display_name,
            team_id,
        });
    }
    Ok(hits)
}

/// The cached posts among `post_ids` as hits (deleted ones left out), in
/// no particular order.
pub fn search_hits_by_ids(conn: &Connection, post_ids: &[String]) -> StoreResult<Vec<SearchHit>> {
    if post_ids.is_empty() {
        return Ok(Vec::new());
    }
    let me = my_user_id(conn)?;
    let ids = serde_json::to_string(post_ids).unwrap_or_else(|_| "[]".into());
    let sql = format!(
        "SELECT {POST_COLUMNS}
         FROM posts p LEFT JOIN users u ON u.id = p.user_id
         WHERE p.id IN (SELECT value FROM json_each(?1)) AND p.delete_at = 0"
    );
    let posts = query_posts(conn, &sql, [ids], &me)?;
    with_channel_names(conn, posts)
}
