-- An idempotency key names one request across the whole API, whatever its scope: the store looks a key up
-- by itself, in every scope, to refuse it for another kind of request.
CREATE INDEX idempotency_keys_by_key ON idempotency_keys (key);
