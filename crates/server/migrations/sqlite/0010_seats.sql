-- Reserved seating (issue 16): a concert's seating plan as uploaded, and one row per seat, each in exactly
-- one state. A seated tier's capacity is its seat count; `blocked` counts the seats the operator took off
-- sale. A ticket keeps the words of its seat (they are printed on it and never change).
ALTER TABLE tiers ADD COLUMN seated INTEGER NOT NULL DEFAULT 0 CHECK (seated IN (0, 1));
ALTER TABLE tiers ADD COLUMN blocked INTEGER NOT NULL DEFAULT 0 CHECK (blocked >= 0 AND sold + held + blocked <= capacity);
CREATE TABLE seating_plans (
    event_id INTEGER PRIMARY KEY REFERENCES events (id),
    plan     TEXT    NOT NULL            -- the plan's JSON as uploaded, for the map
);
CREATE TABLE seats (
    event_id     INTEGER NOT NULL REFERENCES events (id),
    id           TEXT    NOT NULL,       -- the plan's seat_guid
    tier         TEXT    NOT NULL CHECK (tier IN ('vip', 'front_row', 'general')),
    zone         TEXT    NOT NULL,
    row_label    TEXT    NOT NULL,
    number       TEXT    NOT NULL,
    x            INTEGER NOT NULL,       -- hundredths of the plan's unit
    y            INTEGER NOT NULL,
    row_index    INTEGER NOT NULL,
    column_index INTEGER NOT NULL,
    distance     INTEGER NOT NULL,
    state        TEXT    NOT NULL CHECK (state IN ('free', 'held', 'sold', 'blocked')),
    hold_id      TEXT REFERENCES holds (id),
    order_id     TEXT REFERENCES orders (id),
    PRIMARY KEY (event_id, id),
    CHECK ((state = 'held') = (hold_id IS NOT NULL)),
    CHECK ((state = 'sold') = (order_id IS NOT NULL))
);
CREATE INDEX seats_free ON seats (event_id, tier) WHERE state = 'free';
CREATE INDEX seats_by_hold ON seats (hold_id) WHERE hold_id IS NOT NULL;
CREATE INDEX seats_by_order ON seats (order_id) WHERE order_id IS NOT NULL;
ALTER TABLE tickets ADD COLUMN seat_id TEXT;
ALTER TABLE tickets ADD COLUMN seat_zone TEXT;
ALTER TABLE tickets ADD COLUMN seat_row TEXT;
ALTER TABLE tickets ADD COLUMN seat_number TEXT;
