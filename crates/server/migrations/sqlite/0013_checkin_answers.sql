-- A scan's answer is kept in its own log row (the log is unique per device and nonce already), instead of
-- a second row under an idempotency key: a retried scan is answered from here. Rows logged before keep
-- their answers in idempotency_keys, which the store still reads.
ALTER TABLE checkins ADD COLUMN fingerprint TEXT;
ALTER TABLE checkins ADD COLUMN answer TEXT;
