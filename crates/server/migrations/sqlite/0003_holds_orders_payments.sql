-- Checkout: holds that expire, orders with secrets and tickets, payments, idempotency keys.
--
-- `held` counts tickets in holds not yet swept; the store keeps `sold + held <= capacity`, and the CHECK
-- below makes the database refuse anything else as a second line. Times the store compares are stored as
-- integer milliseconds since the Unix epoch (UTC), so comparisons never depend on a text format.
ALTER TABLE tiers ADD COLUMN held INTEGER NOT NULL DEFAULT 0 CHECK (held >= 0 AND sold + held <= capacity);

CREATE TABLE holds (
    id               TEXT    PRIMARY KEY,  -- unguessable: whoever knows it may pay the hold
    event_id         INTEGER NOT NULL,
    tier             TEXT    NOT NULL,
    user_id          TEXT    NOT NULL,     -- the buyer: their email from the page, a program's user id
    buyer_name       TEXT,
    quantity         INTEGER NOT NULL CHECK (quantity > 0),
    unit_price_cents INTEGER NOT NULL,
    total_cents      INTEGER NOT NULL,
    status           TEXT    NOT NULL CHECK (status IN ('held', 'paid', 'expired')),
    created_at       TEXT    NOT NULL,     -- RFC 3339, UTC
    expires_at_ms    INTEGER NOT NULL,
    order_id         TEXT,
    FOREIGN KEY (event_id, tier) REFERENCES tiers (event_id, tier)
);
-- The sweeper's and the availability read's way to the holds that have run out.
CREATE INDEX holds_running ON holds (expires_at_ms) WHERE status = 'held';
CREATE INDEX holds_by_buyer ON holds (event_id, tier, user_id) WHERE status = 'held';

-- Bookings become orders: a paid order is what a booking always was. Existing rows get a secret.
ALTER TABLE bookings RENAME TO orders;
ALTER TABLE orders ADD COLUMN secret TEXT;
UPDATE orders SET secret = lower(hex(randomblob(16)));
ALTER TABLE orders ADD COLUMN status TEXT NOT NULL DEFAULT 'paid' CHECK (status IN ('paid', 'cancelled'));
ALTER TABLE orders ADD COLUMN hold_id TEXT;
ALTER TABLE orders ADD COLUMN card_last4 TEXT;
ALTER TABLE orders ADD COLUMN cancelled_at TEXT;
CREATE INDEX orders_by_buyer ON orders (event_id, tier, user_id);

-- One row per ticket, each with its own unguessable code (what the QR code carries).
CREATE TABLE tickets (
    code     TEXT    PRIMARY KEY,
    order_id TEXT    NOT NULL REFERENCES orders (id),
    seat     INTEGER NOT NULL,            -- 1..=quantity within its order
    UNIQUE (order_id, seat)
);
WITH RECURSIVE seats (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seats WHERE n < 10)
INSERT INTO tickets (code, order_id, seat)
SELECT lower(hex(randomblob(12))), orders.id, seats.n FROM orders JOIN seats ON seats.n <= orders.quantity;

-- Every charge and refund the payment simulator made. Only a card's last four digits are ever kept.
CREATE TABLE payments (
    id           INTEGER PRIMARY KEY,
    hold_id      TEXT,
    order_id     TEXT,
    kind         TEXT    NOT NULL CHECK (kind IN ('charge', 'refund')),
    outcome      TEXT    NOT NULL CHECK (outcome IN ('approved', 'declined')),
    amount_cents INTEGER NOT NULL,
    card_last4   TEXT,
    created_at   TEXT    NOT NULL
);
CREATE INDEX payments_by_hold ON payments (hold_id);

-- Idempotency keys: the stored outcome of a mutating request, replayed for a retry with the same key.
CREATE TABLE idempotency_keys (
    scope         TEXT    NOT NULL,        -- which operation (hold, pay, cancel, book)
    key           TEXT    NOT NULL,
    fingerprint   TEXT    NOT NULL,        -- of the request, so the same key with another body is refused
    outcome       TEXT    NOT NULL,        -- JSON
    created_at_ms INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at_ms);
