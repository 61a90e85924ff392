-- Push consent, registration and owed deletions move from the cache to the
-- records file (records/0001_push.sql), which a cache rebuild after
-- corruption does not delete: the consent log is a legal record, and a
-- lost teardown would leave a withdrawn registration alive at the gateway.
-- Unqualified names resolve to the records tables once these are gone.
INSERT OR IGNORE INTO records.push_consent_log (seq, at, decision, delivery, consent_text_version)
    SELECT seq, at, decision, delivery, consent_text_version FROM main.push_consent_log;
INSERT OR IGNORE INTO records.push_registration
    SELECT id, delivery, platform, token, registered_at, attached_at FROM main.push_registration;
INSERT OR IGNORE INTO records.push_teardown
    SELECT token, delivery, platform, push_service_done, server_done, created_at FROM main.push_teardown;

DROP TRIGGER main.push_consent_log_no_update;
DROP TRIGGER main.push_consent_log_no_delete;
DROP TABLE main.push_consent_log;
DROP TABLE main.push_registration;
DROP TABLE main.push_teardown;
