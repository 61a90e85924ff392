//! What live events write beyond the plain upserts: the websocket's resume
//! point, new posts counted once, unread counts, thread counters, channel
//! state changes.

use rusqlite::{Connection, OptionalExtension};

use super::{StoreChange, StoreResult, Writer};
use crate::model::Post;

/// Unread counts as the server reports them for a channel marked unread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnreadCounts {
    pub msg_count: i64,
    pub msg_count_root: i64,
    pub mention_count: i64,
    pub mention_count_root: i64,
    pub urgent_mention_count: i64,
    pub last_viewed_at: i64,
}

/// The stored resume point (connection id, next sequence number) and
/// whether a catch-up is owed.
pub fn realtime_state(conn: &Connection) -> StoreResult<Option<(String, i64, bool)>> {
    Ok(conn
        .prepare_cached(
            "SELECT connection_id, next_seq, catch_up_owed FROM realtime_state WHERE id = 1",
        )?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?)
}

/// Whether the post is stored and not deleted.
pub fn post_is_live(conn: &Connection, post_id: &str) -> StoreResult<bool> {
    Ok(conn
        .prepare_cached("SELECT delete_at = 0 FROM posts WHERE id = ?1")?
        .query_row([post_id], |r| r.get(0))
        .optional()?
        .unwrap_or(false))
}

impl Writer<'_> {
    /// Stores where the websocket resumes; `catch_up_owed` is only ever
    /// raised here (cleared when a catch-up starts).
    pub fn set_realtime_state(
        &mut self,
        connection_id: &str,
        next_seq: i64,
        catch_up_owed: bool,
    ) -> StoreResult<()> {
        self.conn()
            .prepare_cached(
                "INSERT INTO realtime_state (id, connection_id, next_seq, catch_up_owed)
                 VALUES (1, ?1, ?2, ?3)
                 ON CONFLICT(id) DO UPDATE SET connection_id = excluded.connection_id,
                     next_seq = excluded.next_seq,
                     catch_up_owed = max(realtime_state.catch_up_owed, excluded.catch_up_owed)",
            )?
            .execute(rusqlite::params![connection_id, next_seq, catch_up_owed])?;
        Ok(())
    }

    pub fn clear_catch_up_owed(&mut self) -> StoreResult<()> {
        self.conn().execute(
            "UPDATE realtime_state SET catch_up_owed = 0 WHERE id = 1",
            [],
        )?;
        Ok(())
    }

    pub fn mark_catch_up_owed(&mut self) -> StoreResult<()> {
        self.conn().execute(
            "INSERT INTO realtime_state (id, connection_id, next_seq, catch_up_owed)
             VALUES (1, '', 0, 1)
             ON CONFLICT(id) DO UPDATE SET catch_up_owed = 1",
            [],
        )?;
        Ok(())
    }

    /// Stores a post new to us (from an event or our own send) and counts
    /// it in its channel's totals and thread, once.
    pub fn record_new_post(
        &mut self,
        post: &Post,
        mentions: &[String],
        me: &str,
    ) -> StoreResult<()> {
        let known: bool = self
            .conn()
            .prepare_cached("SELECT 1 FROM posts WHERE id = ?1")?
            .query_row([&post.id], |_| Ok(()))
            .optional()?
            .is_some();
        self.upsert_posts(std::iter::once(post))?;
        if known || post.is_deleted() {
            return Ok(());
        }
        let is_root = post.root_id.is_empty();
        let conn = self.conn();
        conn.prepare_cached(
            "UPDATE channels SET total_msg_count = total_msg_count + 1,
                 total_msg_count_root = total_msg_count_root + ?2,
                 last_post_at = max(last_post_at, ?3),
                 last_root_post_at = CASE WHEN ?2 = 1 THEN max(last_root_post_at, ?3)
                                          ELSE last_root_post_at END
             WHERE id = ?1",
        )?
        .execute(rusqlite::params![post.channel_id, is_root, post.create_at])?;
        if post.user_id == me {
            // The server marks the channel viewed for its author.
            self.mark_channel_read(&post.channel_id, me, post.create_at)?;
        } else if !me.is_empty() && mentions.iter().any(|m| m == me) {
            conn.prepare_cached(
                "UPDATE channel_members SET mention_count = mention_count + 1,
                     mention_count_root = mention_count_root + ?3
                 WHERE channel_id = ?1 AND user_id = ?2",
            )?
            .execute(rusqlite::params![post.channel_id, me, is_root])?;
        }
        if !is_root {
            conn.prepare_cached(
                "UPDATE posts SET reply_count = max(reply_count + 1, ?2),
                     last_reply_at = max(last_reply_at, ?3)
                 WHERE id = ?1",
            )?
            .execute(rusqlite::params![
                post.root_id,
                post.reply_count,
                post.create_at
            ])?;
            self.notify(StoreChange::Thread {
                root_id: post.root_id.clone(),
            });
        }
        self.notify_channel_lists_of(std::slice::from_ref(&post.channel_id))?;
        Ok(())
    }

    /// A live reply was deleted: one reply fewer in its thread.
    pub fn count_reply_removed(&mut self, root_id: &str) -> StoreResult<()> {
        self.conn()
            .prepare_cached("UPDATE posts SET reply_count = max(reply_count - 1, 0) WHERE id = ?1")?
            .execute([root_id])?;
        self.notify(StoreChange::Thread {
            root_id: root_id.to_owned(),
        });
        Ok(())
    }

    pub fn set_unread_counts(
        &mut self,
        channel_id: &str,
        me: &str,
        counts: &UnreadCounts,
    ) -> StoreResult<bool> {
        let updated = self
            .conn()
            .prepare_cached(
                "UPDATE channel_members SET msg_count = ?3, msg_count_root = ?4,
                     mention_count = ?5, mention_count_root = ?6,
                     urgent_mention_count = ?7, last_viewed_at = ?8
                 WHERE channel_id = ?1 AND user_id = ?2",
            )?
            .execute(rusqlite::params![
                channel_id,
                me,
                counts.msg_count,
                counts.msg_count_root,
                counts.mention_count,
                counts.mention_count_root,
                counts.urgent_mention_count,
                counts.last_viewed_at
            ])?;
        self.notify_channel_lists_of(std::slice::from_ref(&channel_id.to_owned()))?;
        Ok(updated > 0)
    }

    pub fn mark_has_reactions(&mut self, post_id: &str) -> StoreResult<()> {
        self.conn()
            .prepare_cached("UPDATE posts SET has_reactions = 1 WHERE id = ?1")?
            .execute([post_id])?;
        Ok(())
    }

    /// Archived (`delete_at` > 0) or restored (0). Archiving is an update
    /// at `delete_at` on the server: a copy read before it is older.
    pub fn set_channel_delete_at(&mut self, channel_id: &str, delete_at: i64) -> StoreResult<()> {
        self.conn()
            .prepare_cached(
                "UPDATE channels SET delete_at = ?2, update_at = max(update_at, ?2) WHERE id = ?1",
            )?
            .execute(rusqlite::params![channel_id, delete_at])?;
        self.notify_channel_lists_of(std::slice::from_ref(&channel_id.to_owned()))
    }

    /// Mattermost converts public channels to private ones, never back.
    pub fn make_channel_private(&mut self, channel_id: &str) -> StoreResult<()> {
        self.conn()
            .prepare_cached("UPDATE channels SET type = 'P' WHERE id = ?1 AND type = 'O'")?
            .execute([channel_id])?;
        self.notify_channel_lists_of(std::slice::from_ref(&channel_id.to_owned()))
    }

    /// Someone else left or was removed from a channel.
    pub fn remove_channel_member(&mut self, channel_id: &str, user_id: &str) -> StoreResult<()> {
        self.conn()
            .prepare_cached("DELETE FROM channel_members WHERE channel_id = ?1 AND user_id = ?2")?
            .execute([channel_id, user_id])?;
        self.notify_channel_lists_of(std::slice::from_ref(&channel_id.to_owned()))
    }

    /// A thread's counters as the server reports them; false when the root
    /// is not cached.
    pub fn set_thread_counts(
        &mut self,
        root_id: &str,
        reply_count: i64,
        last_reply_at: i64,
    ) -> StoreResult<bool> {
        let changed = self
            .conn()
            .prepare_cached(
                "UPDATE posts SET reply_count = ?2, last_reply_at = max(last_reply_at, ?3)
                 WHERE id = ?1",
            )?
            .execute(rusqlite::params![root_id, reply_count, last_reply_at])?;
        if changed > 0 {
            self.notify(StoreChange::Thread {
                root_id: root_id.to_owned(),
            });
        }
        Ok(changed > 0)
    }
}
