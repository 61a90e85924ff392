//! Post views shared by timelines, threads and search results.

use std::collections::HashMap;

use rusqlite::{Connection, Params};
use serde::Serialize;

use super::names::person_name;
use crate::store::StoreResult;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PostView {
    pub id: String,
    pub channel_id: String,
    /// Empty for a root post.
    pub root_id: String,
    pub user_id: String,
    /// The author's name (full name, nickname or username); the user id
    /// when the author is not cached.
    pub author_name: String,
    pub author_username: String,
    pub message: String,
    /// Empty for normal posts, `system_*` for system messages.
    pub post_type: String,
    pub props: serde_json::Value,
    pub create_at: i64,
    pub edited: bool,
    pub edit_at: i64,
    pub deleted: bool,
    pub is_pinned: bool,
    pub reply_count: i64,
    pub reactions: Vec<ReactionView>,
    pub files: Vec<FileView>,
}

/// One emoji under a post, with everyone who used it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReactionView {
    pub emoji_name: String,
    pub count: usize,
    pub user_ids: Vec<String>,
    /// The signed-in user reacted with it.
    pub mine: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileView {
    pub id: String,
    pub name: String,
    pub extension: String,
    pub size: i64,
    pub mime_type: String,
    pub width: i64,
    pub height: i64,
    pub has_preview_image: bool,
    pub mini_preview: Option<String>,
}

/// Columns every post query selects, in the order [`post_from_row`] reads.
pub(crate) const POST_COLUMNS: &str = "p.id, p.channel_id, p.root_id, p.user_id, p.message, \
     p.type, p.props, p.create_at, p.edit_at, p.delete_at, p.is_pinned, p.reply_count, \
     u.username, u.first_name, u.last_name, u.nickname";

/// Runs a post query (selecting [`POST_COLUMNS`] from `posts p LEFT JOIN
/// users u`) and attaches reactions and files.
pub(crate) fn query_posts(
    conn: &Connection,
    sql: &str,
    params: impl Params,
    me: &str,
) -> StoreResult<Vec<PostView>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(params, post_from_row)?;
    let mut posts: Vec<PostView> = rows.collect::<Result<_, _>>()?;
    attach_reactions(conn, &mut posts, me)?;
    attach_files(conn, &mut posts)?;
    Ok(posts)
}

fn post_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<PostView> {
    let user_id: String = r.get(3)?;
    let username: Option<String> = r.get(12)?;
    let author_name = match &username {
        Some(username) => person_name(
            &r.get::<_, String>(13)?,
            &r.get::<_, String>(14)?,
            &r.get::<_, String>(15)?,
            username,
        ),
        None => user_id.clone(),
    };
    let props: String = r.get(6)?;
    let edit_at: i64 = r.get(8)?;
    Ok(PostView {
        id: r.get(0)?,
        channel_id: r.get(1)?,
        root_id: r.get(2)?,
        user_id,
        author_name,
        author_username: username.unwrap_or_default(),
        message: r.get(4)?,
        post_type: r.get(5)?,
        // Stored by us from a parsed object; a damaged value shows as empty.
        props: serde_json::from_slice(props.as_bytes()).unwrap_or(serde_json::Value::Null),
        create_at: r.get(7)?,
        edited: edit_at > 0,
        edit_at,
        deleted: r.get::<_, i64>(9)? > 0,
        is_pinned: r.get(10)?,
        reply_count: r.get(11)?,
        reactions: Vec::new(),
        files: Vec::new(),
    })
}

fn ids_json(posts: &[PostView]) -> String {
    serde_json::Value::from(posts.iter().map(|p| p.id.as_str()).collect::<Vec<_>>()).to_string()
}

fn attach_reactions(conn: &Connection, posts: &mut [PostView], me: &str) -> StoreResult<()> {
    if posts.is_empty() {
        return Ok(());
    }
    let mut stmt = conn.prepare_cached(
        "SELECT post_id, emoji_name, user_id FROM reactions
         WHERE post_id IN (SELECT value FROM json_each(?1))
         ORDER BY post_id, create_at, emoji_name",
    )?;
    let mut by_post: HashMap<String, Vec<ReactionView>> = HashMap::new();
    let mut rows = stmt.query([ids_json(posts)])?;
    while let Some(row) = rows.next()? {
        let post_id: String = row.get(0)?;
        let emoji_name: String = row.get(1)?;
        let user_id: String = row.get(2)?;
        let list = by_post.entry(post_id).or_default();
        let index = match list.iter().position(|r| r.emoji_name == emoji_name) {
            Some(index) => index,
            None => {
                list.push(ReactionView {
                    emoji_name,
                    count: 0,
                    user_ids: Vec::new(),
                    mine: false,
                });
                list.len() - 1
            }
        };
        let reaction = &mut list[index];
        reaction.count += 1;
        reaction.mine |= user_id == me;
        reaction.user_ids.push(user_id);
    }
    for post in posts {
        if let Some(reactions) = by_post.remove(&post.id) {
            post.reactions = reactions;
        }
    }
    Ok(())
}

fn attach_files(conn: &Connection, posts: &mut [PostView]) -> StoreResult<()> {
    if posts.is_empty() {
        return Ok(());
    }
    let mut stmt = conn.prepare_cached(
        "SELECT post_id, id, name, extension, size, mime_type, width, height,
                has_preview_image, mini_preview
         FROM file_infos
         WHERE post_id IN (SELECT value FROM json_each(?1)) AND delete_at = 0
         ORDER BY post_id, create_at, id",
    )?;
    let mut by_post: HashMap<String, Vec<FileView>> = HashMap::new();
    let mut rows = stmt.query([ids_json(posts)])?;
    while let Some(row) = rows.next()? {
        by_post
            .entry(row.get::<_, String>(0)?)
            .or_default()
            .push(FileView {
                id: row.get(1)?,
                name: row.get(2)?,
                extension: row.get(3)?,
                size: row.get(4)?,
                mime_type: row.get(5)?,
                width: row.get(6)?,
                height: row.get(7)?,
                has_preview_image: row.get(8)?,
                mini_preview: row.get(9)?,
            });
    }
    for post in posts {
        if let Some(files) = by_post.remove(&post.id) {
            post.files = files;
        }
    }
    Ok(())
}
