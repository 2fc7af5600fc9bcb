-- A buyer may give a running hold back before paying: status `released`.
ALTER TABLE holds DROP CONSTRAINT holds_status_check;
ALTER TABLE holds ADD CONSTRAINT holds_status_check CHECK (status IN ('held', 'paid', 'expired', 'released'));
