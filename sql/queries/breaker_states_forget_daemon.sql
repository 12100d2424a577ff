-- Deletes one daemon's breaker rows when it stops cleanly: its breakers stop with it.
-- $1 text  the daemon (hostname:pid)
-- Returns nothing.
DELETE FROM outbox.breaker_states WHERE daemon = $1
