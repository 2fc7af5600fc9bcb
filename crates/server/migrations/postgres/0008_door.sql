-- Check-in (issue 17): the scanner devices, each ticket's way through the door, and the log of every scan.
-- A device's pairing code and token are stored only as SHA-256 hashes: whoever reads the database cannot
-- scan with them. A ticket's door columns change only through the writer, conditional on what it loaded.
CREATE TABLE devices (
    id                 BIGSERIAL PRIMARY KEY,
    name               TEXT    NOT NULL,
    pairing_code_hash  TEXT    UNIQUE,     -- NULL once paired (a code pairs once)
    pairing_expires_ms BIGINT,
    token_hash         TEXT    UNIQUE,     -- NULL until paired
    created_at_ms      BIGINT NOT NULL,
    paired_at_ms       BIGINT,
    revoked_at_ms      BIGINT,
    last_seen_at_ms    BIGINT
);
ALTER TABLE tickets ADD COLUMN entries BIGINT NOT NULL DEFAULT 0 CHECK (entries >= 0);
ALTER TABLE tickets ADD COLUMN inside BIGINT NOT NULL DEFAULT 0 CHECK (inside IN (0, 1));
ALTER TABLE tickets ADD COLUMN first_entry_at_ms BIGINT;
ALTER TABLE tickets ADD COLUMN first_entry_device BIGINT REFERENCES devices (id);
-- Whether a ticket that went out may come in again (entry and exit scans), or one entry is all.
ALTER TABLE events ADD COLUMN reentry BIGINT NOT NULL DEFAULT 0 CHECK (reentry IN (0, 1));
CREATE TABLE checkins (
    id             BIGSERIAL PRIMARY KEY,
    event_id       BIGINT NOT NULL,
    ticket         TEXT    NOT NULL,     -- as scanned: a ticket's code, or whatever else was scanned
    device_id      BIGINT NOT NULL REFERENCES devices (id),
    nonce          TEXT    NOT NULL,
    direction      TEXT    NOT NULL CHECK (direction IN ('entry', 'exit')),
    outcome        TEXT    NOT NULL,     -- ok, conflict, or the refusal's code
    offline        BIGINT NOT NULL CHECK (offline IN (0, 1)),
    scanned_at_ms  BIGINT NOT NULL,     -- the device's clock
    recorded_at_ms BIGINT NOT NULL,     -- the server's
    UNIQUE (device_id, nonce)            -- a scan retried is the same scan: never logged twice
);
CREATE INDEX checkins_by_event ON checkins (event_id, id);
CREATE INDEX checkins_by_ticket ON checkins (ticket);
