//! Writes of the followed threads (collapsed reply threads): the server's
//! Threads list, its live updates, follow and read state.

use crate::model::{Thread, User};

use super::changes::StoreChange;
use super::error::StoreResult;
use super::writer::Writer;

impl Writer<'_> {
    /// Takes followed threads as the server sends them (a page of the
    /// Threads list, a `thread_updated` event): their root posts, the
    /// people in them and their counts. A thread whose root is deleted is
    /// no longer followed.
    pub fn upsert_followed_threads(&mut self, threads: &[Thread]) -> StoreResult<()> {
        let roots: Vec<_> = threads
            .iter()
            .map(|t| &t.post)
            .filter(|p| !p.id.is_empty() && !p.channel_id.is_empty())
            .collect();
        self.upsert_posts(roots)?;
        let people: Vec<User> = threads
            .iter()
            .flat_map(|t| t.participants.iter())
            .filter(|u| !u.username.is_empty())
            .cloned()
            .collect();
        self.upsert_users(&people)?;
        for thread in threads.iter().filter(|t| !t.id.is_empty()) {
            if thread.delete_at > 0 || thread.post.delete_at > 0 {
                self.unfollow_thread(&thread.id)?;
                continue;
            }
            let participants = serde_json::to_string(
                &thread
                    .participants
                    .iter()
                    .map(|u| u.id.as_str())
                    .collect::<Vec<_>>(),
            )?;
            self.conn()
                .prepare_cached(
                    "INSERT INTO followed_threads (root_id, reply_count, last_reply_at,
                         last_viewed_at, unread_replies, unread_mentions, participants)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                     ON CONFLICT(root_id) DO UPDATE SET
                         reply_count = excluded.reply_count,
                         last_reply_at = max(last_reply_at, excluded.last_reply_at),
                         last_viewed_at = max(last_viewed_at, excluded.last_viewed_at),
                         unread_replies = excluded.unread_replies,
                         unread_mentions = excluded.unread_mentions,
                         participants = excluded.participants",
                )?
                .execute(rusqlite::params![
                    thread.id,
                    thread.reply_count,
                    thread.last_reply_at,
                    thread.last_viewed_at,
                    thread.unread_replies,
                    thread.unread_mentions,
                    participants,
                ])?;
            self.set_thread_counts(&thread.id, thread.reply_count, thread.last_reply_at)?;
            self.notify(StoreChange::FollowedThreads);
        }
        Ok(())
    }

    /// Makes `threads` a team's followed threads. When `complete` (the
    /// server sent the whole list), a cached thread of the team (or of a
    /// direct or group channel) missing from it was unfollowed elsewhere.
    pub fn replace_followed_threads(
        &mut self,
        team_id: &str,
        threads: &[Thread],
        complete: bool,
    ) -> StoreResult<()> {
        self.upsert_followed_threads(threads)?;
        if !complete {
            return Ok(());
        }
        let kept = serde_json::to_string(&threads.iter().map(|t| &t.id).collect::<Vec<_>>())?;
        let removed = self.conn().execute(
            "DELETE FROM followed_threads
             WHERE root_id NOT IN (SELECT value FROM json_each(?2))
               AND root_id IN (
                   SELECT p.id FROM posts p JOIN channels c ON c.id = p.channel_id
                   WHERE c.team_id = ?1 OR c.team_id = '')",
            rusqlite::params![team_id, kept],
        )?;
        if removed > 0 {
            self.notify(StoreChange::FollowedThreads);
        }
        Ok(())
    }

    /// The user follows the thread again: shown once its root is cached,
    /// with the counts the server sends next.
    pub fn follow_thread(&mut self, root_id: &str, reply_count: i64) -> StoreResult<()> {
        let added = self.conn().execute(
            "INSERT INTO followed_threads (root_id, reply_count, last_reply_at)
             SELECT ?1, ?2, coalesce((SELECT last_reply_at FROM posts WHERE id = ?1), 0)
             WHERE true -- SQLite parses an upsert after a SELECT only with a WHERE
             ON CONFLICT(root_id) DO NOTHING",
            rusqlite::params![root_id, reply_count],
        )?;
        if added > 0 {
            self.notify(StoreChange::FollowedThreads);
        }
        Ok(())
    }

    pub fn unfollow_thread(&mut self, root_id: &str) -> StoreResult<()> {
        let removed = self
            .conn()
            .execute("DELETE FROM followed_threads WHERE root_id = ?1", [root_id])?;
        if removed > 0 {
            self.notify(StoreChange::FollowedThreads);
        }
        Ok(())
    }

    /// A `clear` push says the thread was read on another device, without
    /// counts: nothing in it is unread any more, up to its newest reply
    /// (`at` may be behind the server's clock).
    pub fn thread_read_elsewhere(&mut self, root_id: &str, at: i64) -> StoreResult<()> {
        let changed = self.conn().execute(
            "UPDATE followed_threads
             SET last_viewed_at = max(last_viewed_at, last_reply_at, ?2),
                 unread_replies = 0, unread_mentions = 0
             WHERE root_id = ?1 AND (unread_replies > 0 OR unread_mentions > 0
                                     OR last_viewed_at < max(last_reply_at, ?2))",
            rusqlite::params![root_id, at],
        )?;
        if changed > 0 {
            self.notify(StoreChange::FollowedThreads);
        }
        Ok(())
    }

    /// The thread was read (here or on another device) up to `viewed_at`.
    pub fn set_thread_read(
        &mut self,
        root_id: &str,
        viewed_at: i64,
        unread_replies: i64,
        unread_mentions: i64,
    ) -> StoreResult<()> {
        let changed = self.conn().execute(
            "UPDATE followed_threads
             SET last_viewed_at = ?2, unread_replies = ?3, unread_mentions = ?4
             WHERE root_id = ?1",
            rusqlite::params![root_id, viewed_at, unread_replies, unread_mentions],
        )?;
        if changed > 0 {
            self.notify(StoreChange::FollowedThreads);
        }
        Ok(())
    }
}
