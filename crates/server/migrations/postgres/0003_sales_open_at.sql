-- When a concert's sales open (integer milliseconds since the epoch, UTC); NULL: on sale since it was created.
ALTER TABLE events ADD COLUMN sales_open_at_ms BIGINT;
