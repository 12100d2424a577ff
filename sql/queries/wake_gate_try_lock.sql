-- Tries to take the wake gate exclusively, without waiting. It is free once every transaction that
-- may have read the wake flag as 0 has ended (they hold it shared until they end).
-- A try, not a wait: a waiting exclusive request would queue every new enqueue's shared request
-- behind it, stalling producers for as long as one long application transaction stays open.
-- No parameters. Returns true when taken (release it at once with wake_gate_unlock.sql).
SELECT pg_try_advisory_lock(outbox.wake_gate_key())
