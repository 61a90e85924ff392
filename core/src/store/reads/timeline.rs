//! A window onto a channel's timeline: the newest contiguous cached range,
//! with what is known about the posts around it.

use rusqlite::Connection;
use serde::Serialize;

use super::collapsed_threads;
use super::my_user_id;
use super::posts::{query_posts, PostView, POST_COLUMNS};
use crate::store::{newest_range, timeline_ranges, StoreResult};

/// What lies before the oldest post of a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OlderPosts {
    /// More posts of the same contiguous range are cached: scroll on.
    Cached,
    /// The channel starts here.
    None,
    /// Older posts exist on the server and were never loaded.
    OnServer,
    /// A known gap: posts are missing between this range and an older
    /// cached one (left by a catch-up); load them before showing more.
    Gap,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelineWindow {
    pub channel_id: String,
    /// Oldest first.
    pub posts: Vec<PostView>,
    pub older: OlderPosts,
    /// The channel has posts newer than the cached range (its last post
    /// time is later): the window is not complete until a sync runs.
    pub newer_missing: bool,
    /// Nothing of this channel's timeline was ever loaded.
    pub never_loaded: bool,
}

/// The newest `limit` posts of the newest cached range of `channel_id`
/// (only root posts when collapsed threads are on), or the `limit` posts
/// before `before_post_id` within the same range when scrolling up.
pub fn timeline(
    conn: &Connection,
    channel_id: &str,
    limit: usize,
    before_post_id: Option<&str>,
) -> StoreResult<TimelineWindow> {
    let me = my_user_id(conn)?;
    let crt = collapsed_threads(conn)?;
    let last_post_at: i64 = conn
        .prepare_cached("SELECT last_post_at FROM channels WHERE id = ?1")?
        .query_row([channel_id], |r| r.get(0))
        .unwrap_or(0);
    let Some(range) = newest_range(conn, channel_id)? else {
        return Ok(TimelineWindow {
            channel_id: channel_id.to_owned(),
            posts: Vec::new(),
            older: OlderPosts::OnServer,
            newer_missing: last_post_at > 0,
            never_loaded: true,
        });
    };
    // Posts newer than the range end arrived by events or local echo; they
    // are shown (newer_missing tells whether something may lie between).
    let before_at: i64 = match before_post_id {
        Some(id) => conn
            .prepare_cached("SELECT create_at FROM posts WHERE id = ?1")?
            .query_row([id], |r| r.get(0))
            .unwrap_or(i64::MAX),
        None => i64::MAX,
    };
    let sql = format!(
        "SELECT {POST_COLUMNS} FROM posts p LEFT JOIN users u ON u.id = p.user_id
         WHERE p.channel_id = ?1 AND p.create_at >= ?2 AND p.create_at < ?3
               AND (?4 = 0 OR p.root_id = '')
         ORDER BY p.create_at DESC, p.id DESC LIMIT ?5"
    );
    let fetch = limit.saturating_add(1).min(i64::MAX as usize) as i64;
    let mut posts = query_posts(
        conn,
        &sql,
        rusqlite::params![channel_id, range.oldest_at, before_at, crt, fetch],
        &me,
    )?;
    let more_cached = posts.len() > limit;
    posts.truncate(limit);
    posts.reverse();
    let older = if more_cached {
        OlderPosts::Cached
    } else if range.reaches_start {
        OlderPosts::None
    } else if timeline_ranges(conn, channel_id)?.len() > 1 {
        OlderPosts::Gap
    } else {
        OlderPosts::OnServer
    };
    Ok(TimelineWindow {
        channel_id: channel_id.to_owned(),
        posts,
        older,
        newer_missing: last_post_at > range.newest_at,
        never_loaded: false,
    })
}
