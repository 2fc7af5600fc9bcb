-- Concerts and their ticket tiers. `sold` is the counter every booking moves; the CHECKs make the database
-- itself refuse a count outside 0..=capacity, a second line behind the store's conditional update.
CREATE TABLE events (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    venue      TEXT    NOT NULL,
    starts_at  TEXT    NOT NULL,           -- RFC 3339, UTC
    created_at TEXT    NOT NULL
);

CREATE TABLE tiers (
    event_id    INTEGER NOT NULL REFERENCES events (id),
    tier        TEXT    NOT NULL CHECK (tier IN ('vip', 'front_row', 'general')),
    name        TEXT    NOT NULL,
    price_cents INTEGER NOT NULL CHECK (price_cents >= 0),
    capacity    INTEGER NOT NULL CHECK (capacity >= 0),
    sold        INTEGER NOT NULL DEFAULT 0 CHECK (sold >= 0 AND sold <= capacity),
    PRIMARY KEY (event_id, tier)
);
