-- Deletes the breaker rows no daemon has refreshed for $1 seconds: their daemon died (a running one
-- rewrites its rows every 30 s). Run by every daemon's publisher now and then; any may delete any
-- daemon's rows, the rows being only a view of memory that is gone.
-- $1 bigint  the age, in seconds, past which a row is gone
-- Returns nothing.
DELETE FROM outbox.breaker_states WHERE refreshed_at < now() - make_interval(secs => $1::bigint)
