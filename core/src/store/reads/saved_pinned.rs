//! Saved posts (the user's `flagged_post` preferences) and a channel's
//! pinned posts, as cached.

use rusqlite::Connection;

use super::my_user_id;
use super::posts::{query_posts, PostView, POST_COLUMNS};
use crate::store::StoreResult;

/// The preference category Mattermost keeps saved ("flagged") posts in.
pub const SAVED_POST_CATEGORY: &str = "flagged_post";

/// The user's saved posts that are cached and not deleted, newest first.
pub fn saved_posts(conn: &Connection) -> StoreResult<Vec<PostView>> {
    let me = my_user_id(conn)?;
    let sql = format!(
        "SELECT {POST_COLUMNS} FROM preferences pr
         JOIN posts p ON p.id = pr.name
         LEFT JOIN users u ON u.id = p.user_id
         WHERE pr.category = ?1 AND pr.value = 'true' AND p.delete_at = 0
         ORDER BY p.create_at DESC, p.id"
    );
    query_posts(conn, &sql, [SAVED_POST_CATEGORY], &me)
}

/// Whether the user saved this post.
pub fn is_post_saved(conn: &Connection, post_id: &str) -> StoreResult<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM preferences WHERE category = ?1 AND name = ?2 AND value = 'true'",
        )?
        .exists([SAVED_POST_CATEGORY, post_id])?)
}

/// The channel's cached pinned posts that are not deleted, newest first.
pub fn pinned_posts(conn: &Connection, channel_id: &str) -> StoreResult<Vec<PostView>> {
    let me = my_user_id(conn)?;
    let sql = format!(
        "SELECT {POST_COLUMNS} FROM posts p LEFT JOIN users u ON u.id = p.user_id
         WHERE p.channel_id = ?1 AND p.is_pinned = 1 AND p.delete_at = 0
         ORDER BY p.create_at DESC, p.id"
    );
    query_posts(conn, &sql, [channel_id], &me)
}
