-- Releases the wake gate taken by wake_gate_try_lock.sql. No parameters.
SELECT pg_advisory_unlock(outbox.wake_gate_key())
