-- Registrations at the school's push gateway: the secret that alone can
-- delete one (the token travels to Mattermost inside the device id; the
-- secret never leaves the device). Kept with the other push records so a
-- withdrawal made after a cache rebuild, or at sign-out, can still delete
-- the registration at the gateway. `endpoint_digest` (SHA-256 of the
-- distributor's endpoint and keys) tells a repeated endpoint from a new
-- one without keeping the endpoint itself.
CREATE TABLE records.push_gateway (
    token            TEXT PRIMARY KEY NOT NULL,
    gateway          TEXT NOT NULL,
    secret           TEXT NOT NULL,
    endpoint_digest  TEXT NOT NULL,
    created_at       INTEGER NOT NULL
) WITHOUT ROWID;
