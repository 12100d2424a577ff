-- The database's clock as Unix time: the seconds finalized_at is counted in (a daemon's own clock
-- may be off by seconds). In a transaction, the time it began, like every now() in it.
-- No parameters. Returns one row, one double precision.
SELECT extract(epoch FROM now())::double precision
