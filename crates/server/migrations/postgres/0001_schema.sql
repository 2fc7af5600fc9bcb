-- The same schema as the SQLite migrations end with (see migrations/sqlite), for PostgreSQL. Counts and
-- prices are BIGINT (what the store reads as i64 on both databases); times the store compares are integer
-- milliseconds since the Unix epoch, other times RFC 3339 text in UTC, as on SQLite, so one set of queries
-- serves both. The CHECKs are the database's own second line behind the store's conditional updates.

CREATE TABLE events (
    id         BIGSERIAL PRIMARY KEY,
    name       TEXT NOT NULL,
    venue      TEXT NOT NULL,
    starts_at  TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE tiers (
    event_id    BIGINT NOT NULL REFERENCES events (id),
    tier        TEXT   NOT NULL CHECK (tier IN ('vip', 'front_row', 'general')),
    name        TEXT   NOT NULL,
    price_cents BIGINT NOT NULL CHECK (price_cents >= 0),
    capacity    BIGINT NOT NULL CHECK (capacity >= 0),
    sold        BIGINT NOT NULL DEFAULT 0 CHECK (sold >= 0),
    held        BIGINT NOT NULL DEFAULT 0 CHECK (held >= 0),
    on_sale     BIGINT NOT NULL DEFAULT 1 CHECK (on_sale IN (0, 1)),
    PRIMARY KEY (event_id, tier),
    CHECK (sold + held <= capacity)
);

CREATE TABLE orders (
    id               TEXT   PRIMARY KEY,
    event_id         BIGINT NOT NULL,
    tier             TEXT   NOT NULL,
    user_id          TEXT   NOT NULL,
    buyer_name       TEXT,
    quantity         BIGINT NOT NULL CHECK (quantity > 0),
    unit_price_cents BIGINT NOT NULL,
    total_cents      BIGINT NOT NULL,
    created_at       TEXT   NOT NULL,
    secret           TEXT,
    status           TEXT   NOT NULL DEFAULT 'paid' CHECK (status IN ('paid', 'cancelled')),
    hold_id          TEXT,
    card_last4       TEXT,
    cancelled_at     TEXT,
    FOREIGN KEY (event_id, tier) REFERENCES tiers (event_id, tier)
);
CREATE INDEX bookings_by_tier ON orders (event_id, tier);
CREATE INDEX orders_by_buyer ON orders (event_id, tier, user_id);

CREATE TABLE holds (
    id               TEXT   PRIMARY KEY,
    event_id         BIGINT NOT NULL,
    tier             TEXT   NOT NULL,
    user_id          TEXT   NOT NULL,
    buyer_name       TEXT,
    quantity         BIGINT NOT NULL CHECK (quantity > 0),
    unit_price_cents BIGINT NOT NULL,
    total_cents      BIGINT NOT NULL,
    status           TEXT   NOT NULL CHECK (status IN ('held', 'paid', 'expired')),
    created_at       TEXT   NOT NULL,
    expires_at_ms    BIGINT NOT NULL,
    order_id         TEXT,
    FOREIGN KEY (event_id, tier) REFERENCES tiers (event_id, tier)
);
CREATE INDEX holds_running ON holds (expires_at_ms) WHERE status = 'held';
CREATE INDEX holds_by_buyer ON holds (event_id, tier, user_id) WHERE status = 'held';

CREATE TABLE tickets (
    code     TEXT   PRIMARY KEY,
    order_id TEXT   NOT NULL REFERENCES orders (id),
    seat     BIGINT NOT NULL,
    UNIQUE (order_id, seat)
);

CREATE TABLE payments (
    id           BIGSERIAL PRIMARY KEY,
    hold_id      TEXT,
    order_id     TEXT,
    kind         TEXT   NOT NULL CHECK (kind IN ('charge', 'refund')),
    outcome      TEXT   NOT NULL CHECK (outcome IN ('approved', 'declined')),
    amount_cents BIGINT NOT NULL,
    card_last4   TEXT,
    created_at   TEXT   NOT NULL
);
CREATE INDEX payments_by_hold ON payments (hold_id);

CREATE TABLE idempotency_keys (
    scope         TEXT   NOT NULL,
    key           TEXT   NOT NULL,
    fingerprint   TEXT   NOT NULL,
    outcome       TEXT   NOT NULL,
    created_at_ms BIGINT NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at_ms);
