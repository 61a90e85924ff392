-- Channels whose membership of the signed-in user came or went in this
-- store, and when, counted in channel listings begun (`listings_begun` in
-- `sync_state`). A catch-up counts its listing before fetching it, and when
-- it writes the listing it leaves alone the channels that changed since:
-- their listed state is older than the store's (a channel left meanwhile
-- would otherwise come back, one joined would go). Triggers note every
-- such change, whoever writes it; rows older than the newest written
-- listing are deleted.
CREATE TABLE membership_changes (
    channel_id TEXT PRIMARY KEY,
    listing    INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TRIGGER my_membership_added AFTER INSERT ON channel_members
WHEN NEW.user_id = (SELECT value FROM account WHERE key = 'user_id')
BEGIN
    INSERT INTO membership_changes (channel_id, listing)
    VALUES (NEW.channel_id,
            coalesce((SELECT value FROM sync_state WHERE name = 'listings_begun'), 0))
    ON CONFLICT (channel_id) DO UPDATE SET listing = excluded.listing;
END;

CREATE TRIGGER my_membership_removed AFTER DELETE ON channel_members
WHEN OLD.user_id = (SELECT value FROM account WHERE key = 'user_id')
BEGIN
    INSERT INTO membership_changes (channel_id, listing)
    VALUES (OLD.channel_id,
            coalesce((SELECT value FROM sync_state WHERE name = 'listings_begun'), 0))
    ON CONFLICT (channel_id) DO UPDATE SET listing = excluded.listing;
END;
