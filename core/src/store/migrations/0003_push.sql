-- Push notifications: the user's consent decisions and this device's
-- registration with a push service.

-- Every consent decision, oldest first: GDPR Art. 7(1) asks that consent be
-- demonstrable, so this table is append-only (the triggers refuse updates
-- and deletes); the current state is the newest row. It goes away only with
-- the whole account (logout erases the account's data).
-- decision: granted | declined | withdrawn. delivery (granted only):
-- platform_push | unified_push | background_connection.
CREATE TABLE push_consent_log (
    seq                   INTEGER PRIMARY KEY AUTOINCREMENT,
    at                    INTEGER NOT NULL,
    decision              TEXT NOT NULL CHECK (decision IN ('granted', 'declined', 'withdrawn')),
    delivery              TEXT NOT NULL DEFAULT '',
    consent_text_version  TEXT NOT NULL DEFAULT ''
);

CREATE TRIGGER push_consent_log_no_update BEFORE UPDATE ON push_consent_log
BEGIN
    SELECT RAISE(ABORT, 'push_consent_log is append-only');
END;

CREATE TRIGGER push_consent_log_no_delete BEFORE DELETE ON push_consent_log
BEGIN
    SELECT RAISE(ABORT, 'push_consent_log is append-only');
END;

-- The device's current registration (at most one): the platform prefix the
-- server accepts (android_rn-v2, apple_rn-v2) and the token (the platform's
-- push token, or the opaque id the push gateway issued for a UnifiedPush
-- endpoint). attached_at: when the server session last took it (0: not yet,
-- e.g. registered while offline).
CREATE TABLE push_registration (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    delivery       TEXT NOT NULL,
    platform       TEXT NOT NULL,
    token          TEXT NOT NULL,
    registered_at  INTEGER NOT NULL,
    attached_at    INTEGER NOT NULL DEFAULT 0
);

-- Registrations that must be undone (consent withdrawn, token replaced),
-- kept until every step succeeded so a withdrawal made offline completes
-- later. push_service_done: deleted at the push service (gateway or
-- platform). server_done: the server session no longer carries the token
-- (not needed when a new token replaced it on the session).
CREATE TABLE push_teardown (
    token              TEXT PRIMARY KEY NOT NULL,
    delivery           TEXT NOT NULL,
    platform           TEXT NOT NULL,
    push_service_done  INTEGER NOT NULL DEFAULT 0,
    server_done        INTEGER NOT NULL DEFAULT 0,
    created_at         INTEGER NOT NULL
) WITHOUT ROWID;
