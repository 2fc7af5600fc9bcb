-- The operator can pause and resume a tier's sales: a paused tier refuses holds and bookings, while holds
-- already made can still be paid (those buyers were promised their tickets).
ALTER TABLE tiers ADD COLUMN on_sale INTEGER NOT NULL DEFAULT 1 CHECK (on_sale IN (0, 1));
