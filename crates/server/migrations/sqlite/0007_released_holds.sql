-- A buyer may give a running hold back before paying: status `released`. SQLite cannot change a CHECK in
-- place, so the table is rebuilt as SQLite's documentation prescribes (new table, copy, drop, rename).
CREATE TABLE holds_new (
    id               TEXT    PRIMARY KEY,  -- unguessable: whoever knows it may pay or release the hold
    event_id         INTEGER NOT NULL,
    tier             TEXT    NOT NULL,
    user_id          TEXT    NOT NULL,     -- the buyer: their email from the page, a program's user id
    buyer_name       TEXT,
    quantity         INTEGER NOT NULL CHECK (quantity > 0),
    unit_price_cents INTEGER NOT NULL,
    total_cents      INTEGER NOT NULL,
    status           TEXT    NOT NULL CHECK (status IN ('held', 'paid', 'expired', 'released')),
    created_at       TEXT    NOT NULL,     -- RFC 3339, UTC
    expires_at_ms    INTEGER NOT NULL,
    order_id         TEXT,
    FOREIGN KEY (event_id, tier) REFERENCES tiers (event_id, tier)
);
INSERT INTO holds_new (id, event_id, tier, user_id, buyer_name, quantity, unit_price_cents, total_cents, status,
                       created_at, expires_at_ms, order_id)
    SELECT id, event_id, tier, user_id, buyer_name, quantity, unit_price_cents, total_cents, status, created_at,
           expires_at_ms, order_id
    FROM holds;
DROP TABLE holds;
ALTER TABLE holds_new RENAME TO holds;
CREATE INDEX holds_running ON holds (expires_at_ms) WHERE status = 'held';
CREATE INDEX holds_by_buyer ON holds (event_id, tier, user_id) WHERE status = 'held';
