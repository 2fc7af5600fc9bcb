-- The venue's IANA time zone: a concert starts at the venue's wall-clock time, and its pages show that time.
-- Concerts from before zones were stored were stated in UTC, so UTC is what they keep.
ALTER TABLE events ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
