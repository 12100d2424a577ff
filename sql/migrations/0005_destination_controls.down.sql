-- 0005 down: removes the destination controls (every pause ends) and their triggers. For
-- development only: the claim of this version reads the table.
DROP TABLE IF EXISTS outbox.destination_controls;
