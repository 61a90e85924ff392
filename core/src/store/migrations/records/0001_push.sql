-- The records file: what a rebuild of the cache must not lose, because the
-- server cannot give it back. It is erased only with the whole account.
--
-- Push consent (GDPR Art. 7(1): consent must be demonstrable, so the log is
-- append-only; the current state is its newest row), the device's
-- registration with a push service, and registrations still owed a
-- deletion (a withdrawal made offline completes later). Same columns as
-- the cache's tables of migration 0003 had; see there.
CREATE TABLE records.push_consent_log (
    seq                   INTEGER PRIMARY KEY AUTOINCREMENT,
    at                    INTEGER NOT NULL,
    decision              TEXT NOT NULL CHECK (decision IN ('granted', 'declined', 'withdrawn')),
    delivery              TEXT NOT NULL DEFAULT '',
    consent_text_version  TEXT NOT NULL DEFAULT ''
);

CREATE TRIGGER records.push_consent_log_no_update BEFORE UPDATE ON push_consent_log
BEGIN
    SELECT RAISE(ABORT, 'push_consent_log is append-only');
END;

CREATE TRIGGER records.push_consent_log_no_delete BEFORE DELETE ON push_consent_log
BEGIN
    SELECT RAISE(ABORT, 'push_consent_log is append-only');
END;

CREATE TABLE records.push_registration (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    delivery       TEXT NOT NULL,
    platform       TEXT NOT NULL,
    token          TEXT NOT NULL,
    registered_at  INTEGER NOT NULL,
    attached_at    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE records.push_teardown (
    token              TEXT PRIMARY KEY NOT NULL,
    delivery           TEXT NOT NULL,
    platform           TEXT NOT NULL,
    push_service_done  INTEGER NOT NULL DEFAULT 0,
    server_done        INTEGER NOT NULL DEFAULT 0,
    created_at         INTEGER NOT NULL
) WITHOUT ROWID;
