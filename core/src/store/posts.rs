use std::collections::BTreeSet;

use rusqlite::OptionalExtension;

use crate::model::{FileInfo, Post, Reaction};

use super::changes::StoreChange;
use super::error::StoreResult;
use super::reads::person_name;
use super::writer::Writer;

impl Writer<'_> {
    /// Inserts or updates posts with their reactions and file infos (from
    /// the post's metadata). An older copy (lower `update_at`) never
    /// overwrites a newer one. The search index follows by trigger.
    pub fn upsert_posts<'p>(
        &mut self,
        posts: impl IntoIterator<Item = &'p Post>,
    ) -> StoreResult<()> {
        let mut channels = BTreeSet::new();
        let mut threads = BTreeSet::new();
        let mut deleted_here = Vec::new();
        {
            let conn = self.conn();
            let deleting = super::outbox::queued_deletes(conn)?;
            let mut deleted_root =
                conn.prepare_cached("SELECT delete_at FROM posts WHERE id = ?1 AND delete_at > 0")?;
            // A new post's rowid orders posts by creation time (the search
            // index returns newest matches first by walking rowids down):
            // create_at * 4096 plus the first free slot of that millisecond.
            let mut upsert = conn.prepare_cached(
                "INSERT INTO posts (rowid, id, channel_id, root_id, user_id, type, message, props,
                     file_ids, is_pinned, create_at, update_at, edit_at, delete_at, reply_count,
                     last_reply_at, has_reactions)
                 VALUES ((SELECT coalesce(max(rowid) + 1, ?10 * 4096) FROM posts
                          WHERE rowid >= ?10 * 4096 AND rowid < (?10 + 1) * 4096),
                     ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
                 ON CONFLICT(id) DO UPDATE SET
                     channel_id = excluded.channel_id, root_id = excluded.root_id,
                     user_id = excluded.user_id, type = excluded.type,
                     message = excluded.message, props = excluded.props,
                     file_ids = excluded.file_ids, is_pinned = excluded.is_pinned,
                     update_at = excluded.update_at,
                     edit_at = excluded.edit_at, delete_at = excluded.delete_at,
                     reply_count = excluded.reply_count, last_reply_at = excluded.last_reply_at,
                     has_reactions = excluded.has_reactions
                 WHERE excluded.update_at >= posts.update_at AND posts.delete_at = 0",
            )?;
            let mut clear_reactions =
                conn.prepare_cached("DELETE FROM reactions WHERE post_id = ?1")?;
            let mut clear_files = conn.prepare_cached(
                "UPDATE file_infos SET delete_at = ?2 WHERE post_id = ?1 AND delete_at = 0",
            )?;
            for post in posts {
                if post.id.is_empty() || post.channel_id.is_empty() {
                    continue;
                }
                let deleted = post.delete_at > 0;
                // Rowids are create_at * 4096 + slot: keep create_at in range.
                let create_at = post.create_at.clamp(0, i64::MAX / 4096 - 1);
                // The server keeps a deleted post's text (soft delete); the
                // cache does not: nobody should read it offline.
                let (message, props) = if deleted {
                    ("", "{}".to_owned())
                } else {
                    (post.message.as_str(), serde_json::to_string(&post.props)?)
                };
                let file_ids = serde_json::to_string(&post.file_ids)?;
                let applied = upsert.execute(rusqlite::params![
                    post.id,
                    post.channel_id,
                    post.root_id,
                    post.user_id,
                    post.post_type,
                    message,
                    props,
                    file_ids,
                    post.is_pinned,
                    create_at,
                    post.update_at,
                    post.edit_at,
                    post.delete_at,
                    post.reply_count,
                    post.last_reply_at,
                    !post.metadata.reactions.is_empty(),
                ])? > 0;
                if !applied {
                    continue;
                }
                // The user deleted this post before this copy arrived: its
                // echo while the send was under way, or the post itself
                // while the delete waits in the outbox. The copy must not
                // bring it back to be answered or reacted to in vain.
                if !deleted && !deleting.is_empty() {
                    let key = post.props.get(super::outbox::CLIENT_KEY_PROP);
                    let at = deleting
                        .get(&post.id)
                        .or_else(|| key.and_then(|k| k.as_str()).and_then(|k| deleting.get(k)));
                    if let Some(at) = at {
                        deleted_here.push((post.id.clone(), *at));
                    }
                }
                // Nor may a reply outlive its deleted root: the server
                // deletes a thread with its root.
                if !deleted && !post.root_id.is_empty() {
                    let root_deleted: Option<i64> = deleted_root
                        .query_row([&post.root_id], |r| r.get(0))
                        .optional()?;
                    if let Some(at) = root_deleted {
                        deleted_here.push((post.id.clone(), at));
                    }
                }
                clear_reactions.execute([&post.id])?;
                if deleted {
                    clear_files.execute(rusqlite::params![post.id, post.delete_at])?;
                } else {
                    insert_reactions(conn, &post.metadata.reactions)?;
                    insert_file_infos(conn, &post.metadata.files, post)?;
                }
                channels.insert(post.channel_id.clone());
                if !post.root_id.is_empty() {
                    threads.insert(post.root_id.clone());
                } else if post.reply_count > 0 {
                    threads.insert(post.id.clone());
                }
            }
        }
        for (post_id, at) in deleted_here {
            self.mark_post_deleted(&post_id, at)?;
        }
        for channel_id in channels {
            self.notify(StoreChange::Posts { channel_id });
        }
        for root_id in threads {
            self.notify(StoreChange::Thread { root_id });
        }
        Ok(())
    }

    /// Marks a post deleted (as the server does), dropping its reactions
    /// and files and removing it from the search index.
    pub fn mark_post_deleted(&mut self, post_id: &str, delete_at: i64) -> StoreResult<()> {
        let target: Option<(String, String)> = {
            let mut stmt = self
                .conn()
                .prepare_cached("SELECT channel_id, root_id FROM posts WHERE id = ?1")?;
            let mut rows = stmt.query([post_id])?;
            match rows.next()? {
                Some(row) => Some((row.get(0)?, row.get(1)?)),
                None => None,
            }
        };
        let Some((channel_id, root_id)) = target else {
            return Ok(());
        };
        let conn = self.conn();
        // Deleting a thread's root deletes the thread, as on the server
        // (which sends one event, for the root); its replies would
        // otherwise stay here to be answered and reacted to in vain.
        conn.prepare_cached(
            "DELETE FROM reactions WHERE post_id IN
                 (SELECT id FROM posts WHERE id = ?1 OR (root_id = ?1 AND delete_at = 0))",
        )?
        .execute([post_id])?;
        conn.prepare_cached(
            "UPDATE file_infos SET delete_at = ?2 WHERE delete_at = 0 AND post_id IN
                 (SELECT id FROM posts WHERE id = ?1 OR (root_id = ?1 AND delete_at = 0))",
        )?
        .execute(rusqlite::params![post_id, delete_at])?;
        conn.prepare_cached(
            "UPDATE posts SET delete_at = ?2, update_at = max(update_at, ?2), message = ''
             WHERE id = ?1 OR (root_id = ?1 AND delete_at = 0)",
        )?
        .execute(rusqlite::params![post_id, delete_at])?;
        self.notify(StoreChange::Posts { channel_id });
        let thread = if root_id.is_empty() {
            post_id.to_owned()
        } else {
            root_id
        };
        self.notify(StoreChange::Thread { root_id: thread });
        Ok(())
    }

    pub fn add_reaction(&mut self, reaction: &Reaction) -> StoreResult<()> {
        insert_reactions(self.conn(), std::slice::from_ref(reaction))?;
        self.notify_post_changed(&reaction.post_id)
    }

    pub fn remove_reaction(
        &mut self,
        post_id: &str,
        user_id: &str,
        emoji_name: &str,
    ) -> StoreResult<()> {
        self.conn()
            .prepare_cached(
                "DELETE FROM reactions WHERE post_id = ?1 AND user_id = ?2 AND emoji_name = ?3",
            )?
            .execute([post_id, user_id, emoji_name])?;
        self.notify_post_changed(post_id)
    }

    fn notify_post_changed(&mut self, post_id: &str) -> StoreResult<()> {
        let channel: Option<String> = self
            .conn()
            .prepare_cached("SELECT channel_id FROM posts WHERE id = ?1")?
            .query_row([post_id], |r| r.get(0))
            .map(Some)
            .or_else(|err| match err {
                rusqlite::Error::QueryReturnedNoRows => Ok(None),
                other => Err(other),
            })?;
        if let Some(channel_id) = channel {
            self.notify(StoreChange::Posts { channel_id });
        }
        Ok(())
    }
}

fn insert_reactions(conn: &rusqlite::Connection, reactions: &[Reaction]) -> StoreResult<()> {
    if reactions.is_empty() {
        return Ok(());
    }
    let mut stmt = conn.prepare_cached(
        "INSERT INTO reactions (post_id, user_id, emoji_name, create_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(post_id, user_id, emoji_name) DO UPDATE SET create_at = excluded.create_at",
    )?;
    for r in reactions.iter().filter(|r| r.delete_at == 0) {
        stmt.execute(rusqlite::params![
            r.post_id,
            r.user_id,
            r.emoji_name,
            r.create_at
        ])?;
    }
    Ok(())
}

fn insert_file_infos(
    conn: &rusqlite::Connection,
    files: &[FileInfo],
    post: &Post,
) -> StoreResult<()> {
    if files.is_empty() {
        return Ok(());
    }
    let mut stmt = conn.prepare_cached(
        "INSERT INTO file_infos (id, post_id, channel_id, user_id, name, extension, size,
             mime_type, width, height, has_preview_image, mini_preview, create_at, delete_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
         ON CONFLICT(id) DO UPDATE SET
             post_id = excluded.post_id, channel_id = excluded.channel_id,
             user_id = excluded.user_id, name = excluded.name, extension = excluded.extension,
             size = excluded.size, mime_type = excluded.mime_type, width = excluded.width,
             height = excluded.height, has_preview_image = excluded.has_preview_image,
             mini_preview = excluded.mini_preview, create_at = excluded.create_at,
             delete_at = excluded.delete_at",
    )?;
    for f in files.iter().filter(|f| !f.id.is_empty()) {
        let post_id = if f.post_id.is_empty() {
            &post.id
        } else {
            &f.post_id
        };
        let channel_id = if f.channel_id.is_empty() {
            &post.channel_id
        } else {
            &f.channel_id
        };
        stmt.execute(rusqlite::params![
            f.id,
            post_id,
            channel_id,
            f.user_id,
            f.name,
            f.extension,
            f.size,
            f.mime_type,
            f.width,
            f.height,
            f.has_preview_image,
            f.mini_preview,
            f.create_at,
            f.delete_at,
        ])?;
    }
    Ok(())
}

/// Id and create time of the channel's oldest post created at or after
/// `at` (ties broken by id).
pub fn oldest_post_since(
    conn: &rusqlite::Connection,
    channel_id: &str,
    at: i64,
) -> StoreResult<Option<(String, i64)>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, create_at FROM posts WHERE channel_id = ?1 AND create_at >= ?2
             ORDER BY create_at, id LIMIT 1",
        )?
        .query_row(rusqlite::params![channel_id, at], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?)
}

/// One author's cached, undeleted replies to one root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepliesByAuthor {
    pub root_id: String,
    pub user_id: String,
    pub last_reply_at: i64,
    pub count: i64,
    /// The author's display name, when their profile is cached.
    pub name: Option<String>,
}

/// Per root of `root_ids`, who replied (cached replies, deleted ones left
/// out), how often and when last; each root's latest replier first.
pub fn replies_by_author(
    conn: &rusqlite::Connection,
    root_ids: &[&str],
) -> StoreResult<Vec<RepliesByAuthor>> {
    let ids = serde_json::Value::from(root_ids.to_vec()).to_string();
    let mut stmt = conn.prepare_cached(
        "SELECT p.root_id, p.user_id, max(p.create_at) AS last,
                u.first_name, u.last_name, u.nickname, u.username, count(*)
         FROM posts p LEFT JOIN users u ON u.id = p.user_id
         WHERE p.root_id IN (SELECT value FROM json_each(?1)) AND p.delete_at = 0
         GROUP BY p.root_id, p.user_id
         ORDER BY p.root_id, last DESC",
    )?;
    let rows = stmt.query_map([ids], |row| {
        let name = match row.get::<_, Option<String>>(6)? {
            Some(username) => Some(person_name(
                &row.get::<_, Option<String>>(3)?.unwrap_or_default(),
                &row.get::<_, Option<String>>(4)?.unwrap_or_default(),
                &row.get::<_, Option<String>>(5)?.unwrap_or_default(),
                &username,
            )),
            None => None,
        };
        Ok(RepliesByAuthor {
            root_id: row.get(0)?,
            user_id: row.get(1)?,
            last_reply_at: row.get(2)?,
            count: row.get(7)?,
            name,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The cached posts `user_id` wrote and did not delete, oldest first, with
/// the fields an export of one's own data holds.
pub fn cached_posts_by(conn: &rusqlite::Connection, user_id: &str) -> StoreResult<Vec<Post>> {
    let mut statement = conn.prepare_cached(
        "SELECT id, channel_id, root_id, create_at, edit_at, message, file_ids
         FROM posts WHERE user_id = ?1 AND delete_at = 0 ORDER BY create_at",
    )?;
    let rows = statement.query_map([user_id], |row| {
        let file_ids: String = row.get(6)?;
        Ok(Post {
            id: row.get(0)?,
            channel_id: row.get(1)?,
            root_id: row.get(2)?,
            create_at: row.get(3)?,
            edit_at: row.get(4)?,
            message: row.get(5)?,
            file_ids: serde_json::from_slice(file_ids.as_bytes()).unwrap_or_default(),
            ..Post::default()
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
