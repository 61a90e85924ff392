-- The threads the user follows (collapsed reply threads), as the server's
-- Threads list has them. The root post lives in `posts`; a thread belongs
-- to the team of its root's channel, and threads of direct and group
-- channels show in every team's list. Unfollowing deletes the row.
CREATE TABLE followed_threads (
    root_id         TEXT PRIMARY KEY,
    reply_count     INTEGER NOT NULL DEFAULT 0,
    last_reply_at   INTEGER NOT NULL DEFAULT 0,
    last_viewed_at  INTEGER NOT NULL DEFAULT 0,
    unread_replies  INTEGER NOT NULL DEFAULT 0,
    unread_mentions INTEGER NOT NULL DEFAULT 0,
    -- User ids, the server's order, as a JSON array.
    participants    TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX followed_threads_by_last_reply ON followed_threads (last_reply_at DESC);
