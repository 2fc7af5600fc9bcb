-- The waiting list (issue 18): buyers who came after a tier sold out, in the order they joined; an entry's offer
-- is a hold of returned tickets (`holds.waitlist_id`), counted as held like any other.
ALTER TABLE tiers ADD COLUMN waiting BIGINT NOT NULL DEFAULT 0 CHECK (waiting >= 0);
ALTER TABLE tiers ADD COLUMN lined BIGINT NOT NULL DEFAULT 0 CHECK (lined >= waiting);
ALTER TABLE holds ADD COLUMN waitlist_id TEXT;

CREATE TABLE waitlist (
    id           TEXT    PRIMARY KEY,
    event_id     INTEGER NOT NULL,
    tier         TEXT    NOT NULL,
    place        BIGINT  NOT NULL CHECK (place >= 1),
    quantity     BIGINT  NOT NULL CHECK (quantity >= 1),
    user_id      TEXT    NOT NULL,
    buyer_name   TEXT,
    state        TEXT    NOT NULL CHECK (state IN ('waiting', 'offered', 'bought', 'lapsed', 'declined')),
    hold_id      TEXT    REFERENCES holds (id),
    joined_at_ms BIGINT  NOT NULL,
    UNIQUE (event_id, tier, place),
    FOREIGN KEY (event_id, tier) REFERENCES tiers (event_id, tier)
);
-- The next in line of a tier.
CREATE INDEX waitlist_line ON waitlist (event_id, tier, place) WHERE state = 'waiting';
-- A buyer is in a tier's line once, whatever wrote the row.
CREATE UNIQUE INDEX waitlist_one_per_buyer ON waitlist (event_id, tier, user_id) WHERE state IN ('waiting', 'offered');
CREATE INDEX waitlist_by_hold ON waitlist (hold_id) WHERE hold_id IS NOT NULL;

-- The outbox tells of holds (a waiting-list offer) and of a buyer's orders (find my orders), not only of one
-- order: SQLite changes a CHECK only by rebuilding the table.
CREATE TABLE outbox_new (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT   NOT NULL
                           CHECK (kind IN ('order_confirmed', 'order_cancelled', 'waitlist_offer', 'orders_found')),
    order_id        TEXT   REFERENCES orders (id),
    hold_id         TEXT   REFERENCES holds (id),
    recipient       TEXT   NOT NULL,
    status          TEXT   NOT NULL DEFAULT 'queued'
                           CHECK (status IN ('queued', 'sending', 'sent', 'retrying', 'failed')),
    attempts        BIGINT NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    queued_at_ms    BIGINT NOT NULL,
    next_attempt_ms BIGINT NOT NULL,
    sent_at_ms      BIGINT,
    last_error      TEXT
);
INSERT INTO outbox_new (id, kind, order_id, recipient, status, attempts, queued_at_ms, next_attempt_ms, sent_at_ms,
                        last_error)
    SELECT id, kind, order_id, recipient, status, attempts, queued_at_ms, next_attempt_ms, sent_at_ms, last_error
    FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (status, next_attempt_ms, id);
-- Find my orders answers an address at most once in a while: its latest such mail.
CREATE INDEX outbox_by_recipient ON outbox (recipient, kind, queued_at_ms);
