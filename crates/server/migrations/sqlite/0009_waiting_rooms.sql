-- A concert's waiting room (issue 15): the operator's settings and the queue's counters, one row per
-- concert with the room on; its visitors; and each admission tick, for when a place was admitted.
CREATE TABLE waiting_rooms (
    event_id          INTEGER PRIMARY KEY REFERENCES events (id),
    rate_per_minute   INTEGER NOT NULL CHECK (rate_per_minute > 0),
    prequeue_minutes  INTEGER NOT NULL CHECK (prequeue_minutes >= 0),
    window_minutes    INTEGER NOT NULL CHECK (window_minutes > 0),
    max_buying        INTEGER CHECK (max_buying > 0),
    joined            INTEGER NOT NULL DEFAULT 0,
    prequeue          INTEGER NOT NULL DEFAULT 0 CHECK (prequeue <= joined),
    placed            INTEGER NOT NULL DEFAULT 0,
    admitted_through  INTEGER NOT NULL DEFAULT 0 CHECK (admitted_through <= joined),
    advanced_at_ms    INTEGER
);
CREATE TABLE queue_visitors (
    id           TEXT    PRIMARY KEY,  -- unguessable: shows the visitor's place and fetches their pass
    event_id     INTEGER NOT NULL REFERENCES waiting_rooms (event_id),
    draw         INTEGER NOT NULL,     -- random: a pre-queue visitor's place is its rank at the opening
    joined_at_ms INTEGER NOT NULL,
    place        INTEGER,              -- none in the pre-queue until the opening
    UNIQUE (event_id, place)
);
CREATE INDEX queue_prequeue ON queue_visitors (event_id, draw, id) WHERE place IS NULL;
CREATE TABLE queue_admissions (
    event_id INTEGER NOT NULL REFERENCES waiting_rooms (event_id),
    through  INTEGER NOT NULL,         -- places up to this one admitted
    at_ms    INTEGER NOT NULL,
    PRIMARY KEY (event_id, through)
);
CREATE INDEX queue_admissions_by_time ON queue_admissions (event_id, at_ms);
-- The queue pass's signing key, created once so that every instance and every restart accepts the passes
-- issued before (unless BOXOFFICE_QUEUE_SIGNING_KEY sets one).
CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
