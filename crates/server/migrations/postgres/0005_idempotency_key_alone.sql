-- An idempotency key names one request across the whole API (0002): the key alone is the primary key, so
-- every keyed request writes one index fewer, and two instances storing the same key under two scopes at
-- once conflict (one batch runs again and finds the key taken) instead of both succeeding. Keys stored
-- under two scopes before the rule keep their first answer.
DELETE FROM idempotency_keys later
USING idempotency_keys earlier
WHERE later.key = earlier.key
  AND (later.created_at_ms, later.scope) > (earlier.created_at_ms, earlier.scope);
ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_pkey;
ALTER TABLE idempotency_keys ADD PRIMARY KEY (key);
DROP INDEX idempotency_keys_by_key;
