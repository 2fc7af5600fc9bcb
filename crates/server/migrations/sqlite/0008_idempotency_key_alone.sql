-- An idempotency key names one request across the whole API (0005): the key alone is the primary key, so
-- every keyed request writes one index fewer (each a random page of the log per request). Keys stored under
-- two scopes before the rule keep their first answer; the later one's retry is refused as a reused key, as
-- it would be now.
CREATE TABLE idempotency_keys_by_key_alone (
    key           TEXT    PRIMARY KEY,
    scope         TEXT    NOT NULL,        -- which operation (hold, pay, cancel, book, release)
    fingerprint   TEXT    NOT NULL,        -- of the request, so the same key with another body is refused
    outcome       TEXT    NOT NULL,        -- the stored answer (stored_answer.rs)
    created_at_ms INTEGER NOT NULL
);
INSERT OR IGNORE INTO idempotency_keys_by_key_alone (key, scope, fingerprint, outcome, created_at_ms)
SELECT key, scope, fingerprint, outcome, created_at_ms FROM idempotency_keys ORDER BY created_at_ms, scope;
DROP TABLE idempotency_keys;
ALTER TABLE idempotency_keys_by_key_alone RENAME TO idempotency_keys;
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at_ms);
