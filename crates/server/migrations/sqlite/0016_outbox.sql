-- The transactional outbox (issue 18): a mail to send is a row written in the same transaction as the order it
-- tells of; senders deliver the rows and mark them. A row is never deleted: the operator sees what went out.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT   NOT NULL CHECK (kind IN ('order_confirmed', 'order_cancelled')),
    order_id        TEXT   NOT NULL REFERENCES orders (id),
    recipient       TEXT   NOT NULL,
    status          TEXT   NOT NULL DEFAULT 'queued'
                           CHECK (status IN ('queued', 'sending', 'sent', 'retrying', 'failed')),
    attempts        BIGINT NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    queued_at_ms    BIGINT NOT NULL,
    -- When it may be tried (again); while `sending`, when the sender's lease runs out.
    next_attempt_ms BIGINT NOT NULL,
    sent_at_ms      BIGINT,
    last_error      TEXT
);
-- The senders' question: what is due, oldest first.
CREATE INDEX outbox_due ON outbox (status, next_attempt_ms, id);
