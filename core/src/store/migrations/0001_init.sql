-- Pausenhof offline cache, schema version 1.
--
-- Everything here can be rebuilt from the server: the cache is disposable.
-- Timestamps are Mattermost milliseconds since the epoch; 0 means "never".
-- JSON columns hold the server's objects verbatim (props, notify_props) so
-- later readers can use fields this schema does not name yet.

CREATE TABLE users (
    id          TEXT PRIMARY KEY NOT NULL,
    username    TEXT NOT NULL,
    email       TEXT NOT NULL DEFAULT '',
    first_name  TEXT NOT NULL DEFAULT '',
    last_name   TEXT NOT NULL DEFAULT '',
    nickname    TEXT NOT NULL DEFAULT '',
    position    TEXT NOT NULL DEFAULT '',
    locale      TEXT NOT NULL DEFAULT '',
    roles       TEXT NOT NULL DEFAULT '',
    is_bot      INTEGER NOT NULL DEFAULT 0,
    create_at   INTEGER NOT NULL DEFAULT 0,
    update_at   INTEGER NOT NULL DEFAULT 0,
    delete_at   INTEGER NOT NULL DEFAULT 0,
    last_picture_update INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX users_username ON users(username);

CREATE TABLE teams (
    id           TEXT PRIMARY KEY NOT NULL,
    name         TEXT NOT NULL,
    display_name TEXT NOT NULL DEFAULT '',
    description  TEXT NOT NULL DEFAULT '',
    type         TEXT NOT NULL DEFAULT 'O',
    create_at    INTEGER NOT NULL DEFAULT 0,
    update_at    INTEGER NOT NULL DEFAULT 0,
    delete_at    INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

CREATE TABLE team_members (
    team_id             TEXT NOT NULL,
    user_id             TEXT NOT NULL,
    roles               TEXT NOT NULL DEFAULT '',
    delete_at           INTEGER NOT NULL DEFAULT 0,
    msg_count           INTEGER NOT NULL DEFAULT 0,
    mention_count       INTEGER NOT NULL DEFAULT 0,
    msg_count_root      INTEGER NOT NULL DEFAULT 0,
    mention_count_root  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (team_id, user_id)
) WITHOUT ROWID;

-- Direct and group channels have team_id '' and belong to every team's list.
CREATE TABLE channels (
    id                    TEXT PRIMARY KEY NOT NULL,
    team_id               TEXT NOT NULL DEFAULT '',
    type                  TEXT NOT NULL,
    name                  TEXT NOT NULL DEFAULT '',
    display_name          TEXT NOT NULL DEFAULT '',
    header                TEXT NOT NULL DEFAULT '',
    purpose               TEXT NOT NULL DEFAULT '',
    creator_id            TEXT NOT NULL DEFAULT '',
    create_at             INTEGER NOT NULL DEFAULT 0,
    update_at             INTEGER NOT NULL DEFAULT 0,
    delete_at             INTEGER NOT NULL DEFAULT 0,
    last_post_at          INTEGER NOT NULL DEFAULT 0,
    last_root_post_at     INTEGER NOT NULL DEFAULT 0,
    total_msg_count       INTEGER NOT NULL DEFAULT 0,
    total_msg_count_root  INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX channels_team ON channels(team_id);

-- Memberships: the signed-in user's (with read state) and, for group and
-- direct channels, the other members (so names can be shown offline).
CREATE TABLE channel_members (
    channel_id          TEXT NOT NULL,
    user_id             TEXT NOT NULL,
    roles               TEXT NOT NULL DEFAULT '',
    last_viewed_at      INTEGER NOT NULL DEFAULT 0,
    msg_count           INTEGER NOT NULL DEFAULT 0,
    msg_count_root      INTEGER NOT NULL DEFAULT 0,
    mention_count       INTEGER NOT NULL DEFAULT 0,
    mention_count_root  INTEGER NOT NULL DEFAULT 0,
    urgent_mention_count INTEGER NOT NULL DEFAULT 0,
    notify_props        TEXT NOT NULL DEFAULT '{}',
    mark_unread         TEXT NOT NULL DEFAULT 'all',
    last_update_at      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (channel_id, user_id)
) WITHOUT ROWID;
CREATE INDEX channel_members_user ON channel_members(user_id);

-- A rowid table: the FTS index below refers to posts by rowid.
CREATE TABLE posts (
    id              TEXT NOT NULL UNIQUE,
    channel_id      TEXT NOT NULL,
    root_id         TEXT NOT NULL DEFAULT '',
    user_id         TEXT NOT NULL DEFAULT '',
    type            TEXT NOT NULL DEFAULT '',
    message         TEXT NOT NULL DEFAULT '',
    props           TEXT NOT NULL DEFAULT '{}',
    file_ids        TEXT NOT NULL DEFAULT '[]',
    is_pinned       INTEGER NOT NULL DEFAULT 0,
    create_at       INTEGER NOT NULL,
    update_at       INTEGER NOT NULL DEFAULT 0,
    edit_at         INTEGER NOT NULL DEFAULT 0,
    delete_at       INTEGER NOT NULL DEFAULT 0,
    reply_count     INTEGER NOT NULL DEFAULT 0,
    last_reply_at   INTEGER NOT NULL DEFAULT 0,
    has_reactions   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX posts_channel_time ON posts(channel_id, create_at);
CREATE INDEX posts_root_time ON posts(root_id, create_at) WHERE root_id <> '';

CREATE TABLE reactions (
    post_id     TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    emoji_name  TEXT NOT NULL,
    create_at   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (post_id, user_id, emoji_name)
) WITHOUT ROWID;

CREATE TABLE file_infos (
    id          TEXT PRIMARY KEY NOT NULL,
    post_id     TEXT NOT NULL DEFAULT '',
    channel_id  TEXT NOT NULL DEFAULT '',
    user_id     TEXT NOT NULL DEFAULT '',
    name        TEXT NOT NULL DEFAULT '',
    extension   TEXT NOT NULL DEFAULT '',
    size        INTEGER NOT NULL DEFAULT 0,
    mime_type   TEXT NOT NULL DEFAULT '',
    width       INTEGER NOT NULL DEFAULT 0,
    height      INTEGER NOT NULL DEFAULT 0,
    has_preview_image INTEGER NOT NULL DEFAULT 0,
    mini_preview TEXT,
    create_at   INTEGER NOT NULL DEFAULT 0,
    delete_at   INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX file_infos_post ON file_infos(post_id);

-- Only the signed-in user's preferences are cached.
CREATE TABLE preferences (
    category    TEXT NOT NULL,
    name        TEXT NOT NULL,
    value       TEXT NOT NULL,
    PRIMARY KEY (category, name)
) WITHOUT ROWID;

CREATE TABLE sidebar_categories (
    id            TEXT PRIMARY KEY NOT NULL,
    team_id       TEXT NOT NULL,
    type          TEXT NOT NULL,
    display_name  TEXT NOT NULL DEFAULT '',
    sorting       TEXT NOT NULL DEFAULT '',
    muted         INTEGER NOT NULL DEFAULT 0,
    collapsed     INTEGER NOT NULL DEFAULT 0,
    sort_order    INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX sidebar_categories_team ON sidebar_categories(team_id, sort_order);

CREATE TABLE sidebar_category_channels (
    category_id TEXT NOT NULL REFERENCES sidebar_categories(id) ON DELETE CASCADE,
    channel_id  TEXT NOT NULL,
    sort_order  INTEGER NOT NULL,
    PRIMARY KEY (category_id, channel_id)
) WITHOUT ROWID;

CREATE TABLE drafts (
    channel_id  TEXT NOT NULL,
    root_id     TEXT NOT NULL DEFAULT '',
    message     TEXT NOT NULL,
    file_ids    TEXT NOT NULL DEFAULT '[]',
    props       TEXT NOT NULL DEFAULT '{}',
    update_at   INTEGER NOT NULL,
    PRIMARY KEY (channel_id, root_id)
) WITHOUT ROWID;

-- Contiguous spans of a channel's timeline known to be complete in the
-- cache: every post of the channel with oldest_at <= create_at <= newest_at
-- is stored. Ranges of one channel never overlap; a hole between two ranges
-- is a known gap. reaches_start: the server has nothing older.
CREATE TABLE timeline_ranges (
    channel_id    TEXT NOT NULL,
    oldest_at     INTEGER NOT NULL,
    newest_at     INTEGER NOT NULL,
    reaches_start INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (channel_id, oldest_at)
) WITHOUT ROWID;

-- Facts about the account this database belongs to (user id, server
-- settings the reads need offline).
CREATE TABLE account (
    key     TEXT PRIMARY KEY NOT NULL,
    value   TEXT NOT NULL
) WITHOUT ROWID;

-- Named sync cursors (last sync time, first sync done, ...).
CREATE TABLE sync_state (
    name    TEXT PRIMARY KEY NOT NULL,
    value   INTEGER NOT NULL
) WITHOUT ROWID;

-- Offline search. Contentless: the indexed text is the message folded by
-- ph_search_fold() (ß -> ss); unicode61 folds case and removes diacritics,
-- so "ubung" finds "Übung". Deleted posts are not indexed.
CREATE VIRTUAL TABLE posts_fts USING fts5(
    message,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER posts_fts_insert AFTER INSERT ON posts
WHEN new.delete_at = 0 AND new.message <> ''
BEGIN
    INSERT INTO posts_fts(rowid, message) VALUES (new.rowid, ph_search_fold(new.message));
END;

CREATE TRIGGER posts_fts_update AFTER UPDATE OF message, delete_at ON posts
WHEN old.message IS NOT new.message OR old.delete_at IS NOT new.delete_at
BEGIN
    DELETE FROM posts_fts WHERE rowid = old.rowid;
    INSERT INTO posts_fts(rowid, message)
        SELECT new.rowid, ph_search_fold(new.message)
        WHERE new.delete_at = 0 AND new.message <> '';
END;

CREATE TRIGGER posts_fts_delete AFTER DELETE ON posts
BEGIN
    DELETE FROM posts_fts WHERE rowid = old.rowid;
END;
