-- The waiting list (issue 18): buyers who came after a tier sold out, in the order they joined; an entry's offer
-- is a hold of returned tickets (`holds.waitlist_id`), counted as held like any other.
ALTER TABLE tiers ADD COLUMN waiting BIGINT NOT NULL DEFAULT 0 CHECK (waiting >= 0);
ALTER TABLE tiers ADD COLUMN lined BIGINT NOT NULL DEFAULT 0;
ALTER TABLE tiers ADD CONSTRAINT tiers_lined_check CHECK (lined >= waiting);
ALTER TABLE holds ADD COLUMN waitlist_id TEXT;

CREATE TABLE waitlist (
    id           TEXT   PRIMARY KEY,
    event_id     BIGINT NOT NULL,
    tier         TEXT   NOT NULL,
    place        BIGINT NOT NULL CHECK (place >= 1),
    quantity     BIGINT NOT NULL CHECK (quantity >= 1),
    user_id      TEXT   NOT NULL,
    buyer_name   TEXT,
    state        TEXT   NOT NULL CHECK (state IN ('waiting', 'offered', 'bought', 'lapsed', 'declined')),
    hold_id      TEXT   REFERENCES holds (id),
    joined_at_ms BIGINT NOT NULL,
    UNIQUE (event_id, tier, place),
    FOREIGN KEY (event_id, tier) REFERENCES tiers (event_id, tier)
);
-- The next in line of a tier.
CREATE INDEX waitlist_line ON waitlist (event_id, tier, place) WHERE state = 'waiting';
-- A buyer is in a tier's line once, whatever wrote the row.
CREATE UNIQUE INDEX waitlist_one_per_buyer ON waitlist (event_id, tier, user_id) WHERE state IN ('waiting', 'offered');
CREATE INDEX waitlist_by_hold ON waitlist (hold_id) WHERE hold_id IS NOT NULL;

-- The outbox tells of holds (a waiting-list offer) and of a buyer's orders (find my orders), not only of one order.
ALTER TABLE outbox ALTER COLUMN order_id DROP NOT NULL;
ALTER TABLE outbox ADD COLUMN hold_id TEXT REFERENCES holds (id);
ALTER TABLE outbox DROP CONSTRAINT outbox_kind_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_kind_check
    CHECK (kind IN ('order_confirmed', 'order_cancelled', 'waitlist_offer', 'orders_found'));
-- Find my orders answers an address at most once in a while: its latest such mail.
CREATE INDEX outbox_by_recipient ON outbox (recipient, kind, queued_at_ms);
