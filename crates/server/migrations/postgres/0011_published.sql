-- A concert the operator took off the shop (unpublished) stays in the database, out of every buyer's
-- sight: the catalog, its pages and its sales. Only a concert with nothing sold or held is unpublished.
ALTER TABLE events ADD COLUMN published BIGINT NOT NULL DEFAULT 1 CHECK (published IN (0, 1));
