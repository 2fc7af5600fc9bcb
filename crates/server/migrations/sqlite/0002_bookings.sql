-- One row per confirmed booking. Prices are copied in, so a later price change never rewrites history.
CREATE TABLE bookings (
    id               TEXT    PRIMARY KEY,  -- the order code shown to the buyer
    event_id         INTEGER NOT NULL,
    tier             TEXT    NOT NULL,
    user_id          TEXT    NOT NULL,
    buyer_name       TEXT,
    quantity         INTEGER NOT NULL CHECK (quantity > 0),
    unit_price_cents INTEGER NOT NULL,
    total_cents      INTEGER NOT NULL,
    created_at       TEXT    NOT NULL,     -- RFC 3339, UTC
    FOREIGN KEY (event_id, tier) REFERENCES tiers (event_id, tier)
);

CREATE INDEX bookings_by_tier ON bookings (event_id, tier);
