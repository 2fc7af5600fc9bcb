-- Reserved seating (issue 16): a concert's seating plan as uploaded, and one row per seat, each in exactly
-- one state. A seated tier's capacity is its seat count; `blocked` counts the seats the operator took off
-- sale. A ticket keeps the words of its seat (they are printed on it and never change).
ALTER TABLE tiers ADD COLUMN seated BIGINT NOT NULL DEFAULT 0 CHECK (seated IN (0, 1));
ALTER TABLE tiers ADD COLUMN blocked BIGINT NOT NULL DEFAULT 0 CHECK (blocked >= 0);
ALTER TABLE tiers ADD CONSTRAINT tiers_blocked_within CHECK (sold + held + blocked <= capacity);
CREATE TABLE seating_plans (
    event_id BIGINT PRIMARY KEY REFERENCES events (id),
    plan     TEXT    NOT NULL            -- the plan's JSON as uploaded, for the map
);
CREATE TABLE seats (
    event_id     BIGINT NOT NULL REFERENCES events (id),
    id           TEXT    NOT NULL,       -- the plan's seat_guid
    tier         TEXT    NOT NULL CHECK (tier IN ('vip', 'front_row', 'general')),
    zone         TEXT    NOT NULL,
    row_label    TEXT    NOT NULL,
    number       TEXT    NOT NULL,
    x            BIGINT NOT NULL,       -- hundredths of the plan's unit
    y            BIGINT NOT NULL,
    row_index    BIGINT NOT NULL,
    column_index BIGINT NOT NULL,
    distance     BIGINT NOT NULL,
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
