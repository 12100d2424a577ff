-- Waits until every transaction that may have read the wake flag as 0 has ended (they hold the gate
-- shared until they end). Session-level exclusive lock; release with wake_gate_unlock.sql at once.
-- No parameters.
SELECT pg_advisory_lock(outbox.wake_gate_key())
