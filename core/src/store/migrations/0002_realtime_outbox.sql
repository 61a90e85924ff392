-- Real-time resume point and the durable outbox.

-- Where the websocket resumes after a disconnect or a process restart:
-- the server's connection id and the next sequence number expected.
-- catch_up_owed: the server started a new connection (events were lost)
-- and the REST catch-up has not finished yet.
CREATE TABLE realtime_state (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    connection_id   TEXT NOT NULL,
    next_seq        INTEGER NOT NULL,
    catch_up_owed   INTEGER NOT NULL DEFAULT 0
);

-- Intents not yet confirmed by the server, in the order they were made.
-- client_key: the post's client-generated key (also the local echo's id
-- and props.pausenhof_client_key of the created post); for other kinds a
-- random id. state: queued | sending | failed. maybe_sent: a request left
-- without a definite answer, so the server must be asked before a resend.
CREATE TABLE outbox (
    seq               INTEGER PRIMARY KEY AUTOINCREMENT,
    client_key        TEXT NOT NULL UNIQUE,
    kind              TEXT NOT NULL,
    channel_id        TEXT NOT NULL,
    payload           TEXT NOT NULL,
    state             TEXT NOT NULL DEFAULT 'queued',
    attempts          INTEGER NOT NULL DEFAULT 0,
    next_attempt_at   INTEGER NOT NULL DEFAULT 0,
    first_attempt_at  INTEGER NOT NULL DEFAULT 0,
    maybe_sent        INTEGER NOT NULL DEFAULT 0,
    last_error        TEXT NOT NULL DEFAULT '',
    created_at        INTEGER NOT NULL
);
CREATE INDEX outbox_channel ON outbox(channel_id, seq);

-- When the server's copy of one of our posts arrives by any path (event,
-- send response, sync), it replaces the local echo and settles the intent.
CREATE TRIGGER outbox_post_arrived AFTER INSERT ON posts
WHEN new.props LIKE '%pausenhof_client_key%' AND json_valid(new.props)
     AND json_type(new.props, '$.pausenhof_client_key') = 'text'
     AND json_extract(new.props, '$.pausenhof_client_key') <> new.id
BEGIN
    DELETE FROM posts WHERE id = json_extract(new.props, '$.pausenhof_client_key');
    DELETE FROM outbox
    WHERE client_key = json_extract(new.props, '$.pausenhof_client_key') AND kind = 'post';
END;
