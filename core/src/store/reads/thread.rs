use rusqlite::Connection;
use serde::Serialize;

use super::my_user_id;
use super::posts::{query_posts, PostView, POST_COLUMNS};
use crate::store::StoreResult;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThreadView {
    pub root_id: String,
    /// None when the root post is not cached.
    pub root: Option<PostView>,
    /// Oldest first.
    pub replies: Vec<PostView>,
    /// All replies the server counted are cached.
    pub complete: bool,
}

pub fn thread(conn: &Connection, root_id: &str) -> StoreResult<ThreadView> {
    let me = my_user_id(conn)?;
    let root_sql = format!(
        "SELECT {POST_COLUMNS} FROM posts p LEFT JOIN users u ON u.id = p.user_id
         WHERE p.id = ?1"
    );
    let root = query_posts(conn, &root_sql, [root_id], &me)?.pop();
    let replies_sql = format!(
        "SELECT {POST_COLUMNS} FROM posts p LEFT JOIN users u ON u.id = p.user_id
         WHERE p.root_id = ?1 ORDER BY p.create_at, p.id"
    );
    let replies = query_posts(conn, &replies_sql, [root_id], &me)?;
    let live_replies = replies.iter().filter(|r| !r.deleted).count() as i64;
    let complete = root
        .as_ref()
        .is_some_and(|root| live_replies >= root.reply_count);
    Ok(ThreadView {
        root_id: root_id.to_owned(),
        root,
        replies,
        complete,
    })
}
