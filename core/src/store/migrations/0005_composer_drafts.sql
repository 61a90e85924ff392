-- Drafts are written here first, as typed, then sent to the server (which
-- keeps them only when its AllowSyncedDrafts setting is on). synced = 0:
-- the server is owed this version; an owed draft with an empty message is
-- an owed deletion. A draft the server sends never overwrites an owed one.
ALTER TABLE drafts ADD COLUMN synced INTEGER NOT NULL DEFAULT 0;
