//! A window of a channel's timeline around one post (a search hit or a
//! permalink), within the cached range that holds it: never across a gap.

use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;

use super::collapsed_threads;
use super::my_user_id;
use super::posts::{query_posts, PostView, POST_COLUMNS};
use super::timeline::OlderPosts;
use crate::store::{timeline_ranges, StoreResult};

/// What lies after the newest post of a window around a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NewerPosts {
    /// More posts of the same range are cached: scroll on.
    Cached,
    /// The window reaches the channel's newest cached posts.
    Newest,
    /// Newer posts exist on the server and are not cached yet (the gap to
    /// the newest posts): load them before showing more.
    OnServer,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WindowAround {
    pub channel_id: String,
    /// Oldest first; the focus post among them.
    pub posts: Vec<PostView>,
    /// The post the window is around (to scroll to).
    pub focus_post_id: String,
    pub older: OlderPosts,
    pub newer: NewerPosts,
}

/// Up to `before` posts before `post_id` and `after` posts after it, from
/// the cached range holding it (only root posts when collapsed threads
/// are on, the focus post always). None when the post is not cached in
/// that channel.
pub fn timeline_around(
    conn: &Connection,
    channel_id: &str,
    post_id: &str,
    before: usize,
    after: usize,
) -> StoreResult<Option<WindowAround>> {
    let focus_at: Option<i64> = conn
        .prepare_cached("SELECT create_at FROM posts WHERE id = ?1 AND channel_id = ?2")?
        .query_row([post_id, channel_id], |r| r.get(0))
        .optional()?;
    let Some(focus_at) = focus_at else {
        return Ok(None);
    };
    let me = my_user_id(conn)?;
    let crt = collapsed_threads(conn)?;
    let ranges = timeline_ranges(conn, channel_id)?;
    let holding = ranges
        .iter()
        .position(|r| r.oldest_at <= focus_at && focus_at <= r.newest_at);
    // Outside every range only the post itself is known.
    let (lo, hi) = match holding {
        // The newest range also shows what arrived after its end (events).
        Some(0) => (ranges[0].oldest_at, i64::MAX),
        Some(i) => (ranges[i].oldest_at, ranges[i].newest_at),
        None => (focus_at, focus_at),
    };
    let side = |order: &str, compare: &str, limit: usize| -> StoreResult<Vec<PostView>> {
        let sql = format!(
            "SELECT {POST_COLUMNS} FROM posts p LEFT JOIN users u ON u.id = p.user_id
             WHERE p.channel_id = ?1 AND p.create_at >= ?2 AND p.create_at <= ?3
                   AND (p.create_at, p.id) {compare} (?4, ?5)
                   AND (?6 = 0 OR p.root_id = '')
             ORDER BY p.create_at {order}, p.id {order} LIMIT ?7"
        );
        let fetch = limit.saturating_add(1).min(i64::MAX as usize) as i64;
        query_posts(
            conn,
            &sql,
            rusqlite::params![channel_id, lo, hi, focus_at, post_id, crt, fetch],
            &me,
        )
    };
    let mut older_posts = side("DESC", "<", before)?;
    let mut newer_posts = side("ASC", ">", after)?;
    let more_older = older_posts.len() > before;
    let more_newer = newer_posts.len() > after;
    older_posts.truncate(before);
    newer_posts.truncate(after);
    older_posts.reverse();
    let focus_sql = format!(
        "SELECT {POST_COLUMNS} FROM posts p LEFT JOIN users u ON u.id = p.user_id
         WHERE p.id = ?1"
    );
    let mut posts = older_posts;
    posts.extend(query_posts(conn, &focus_sql, [post_id], &me)?);
    posts.extend(newer_posts);
    let older = if more_older {
        OlderPosts::Cached
    } else if holding.is_some_and(|i| ranges[i].reaches_start) {
        OlderPosts::None
    } else if holding.is_some_and(|i| i + 1 < ranges.len()) {
        OlderPosts::Gap
    } else {
        OlderPosts::OnServer
    };
    let newer = if more_newer {
        NewerPosts::Cached
    } else if holding == Some(0) {
        NewerPosts::Newest
    } else {
        NewerPosts::OnServer
    };
    Ok(Some(WindowAround {
        channel_id: channel_id.to_owned(),
        posts,
        focus_post_id: post_id.to_owned(),
        older,
        newer,
    }))
}
