-- The scanners' offline copy of a concert's tickets (issue 17) is refreshed by delta: every change a door
-- decides by (a ticket sold, its order cancelled, the ticket in or out) stamps the ticket with the batch's
-- moment. Tickets from before this column read as changed at 0: the first download has them all.
ALTER TABLE tickets ADD COLUMN changed_ms BIGINT NOT NULL DEFAULT 0;
CREATE INDEX tickets_by_change ON tickets (changed_ms);
