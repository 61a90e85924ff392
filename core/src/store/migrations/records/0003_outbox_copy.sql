-- A copy of every intent in the cache's outbox: an intent the app has
-- acknowledged must outlive a cache deleted after corruption. The writer
-- connection keeps it in step with TEMP triggers (a trigger of one file may
-- not write another); the outbox stays the truth while the cache lives.
CREATE TABLE records.outbox_copy (
    client_key  TEXT PRIMARY KEY NOT NULL,
    seq         INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    channel_id  TEXT NOT NULL,
    payload     TEXT NOT NULL,
    created_at  INTEGER NOT NULL
) WITHOUT ROWID;
