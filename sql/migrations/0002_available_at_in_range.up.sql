-- 0002: available_at must be a finite time within a fixed window, for every way of writing a row.
--
-- Why: 'infinity', '-infinity' and absurd times such as 2400-01-01 have no use as "not before"
-- and break what consumes the column: the claim hands plugins available_at as Unix epoch
-- milliseconds (an infinite time has none), and the wake-up timer turns the earliest one into a
-- steady-clock deadline in nanoseconds (64-bit nanoseconds end in April 2262).
--
-- The window, [1970-01-01 00:00:00+00, 2200-01-01 00:00:00+00):
-- - from the Unix epoch, so the milliseconds a plugin sees are never negative. An earlier time
--   means "due now", which now() (or no available_at at all) says just as well;
-- - up to 2200: the HTTP API's delay_ms is at most 10 years, so anything a client may ask for
--   fits until the 2190s, and the engine's nanosecond arithmetic stays far from overflowing.
-- Fixed constants, not now() + something: a CHECK must be immutable. A now()-relative one would
-- make stored rows violate it as time passes, and a dump taken today might not restore tomorrow.
--
-- NOT VALID, on purpose:
-- - A validating ADD CONSTRAINT scans the whole table under an ACCESS EXCLUSIVE lock, which this
--   transaction holds until it commits: on a large outbox every application's enqueue (and its
--   commit) and every claim would wait for the scan, and the daemon applies this at start.
-- - A validating ADD fails if a single old row is outside the window, and the daemon would then
--   refuse to start: exactly when such a row is already stopping delivery.
-- With NOT VALID, every row inserted or updated from now on is checked (INSERT, COPY,
-- outbox.enqueue, UPDATE); rows written before stay as they are, and the daemon copes with them:
-- such a row is made dead at its next claim with an error saying why, never sent (see
-- docs/sql-api.md#the-range-of-available_at). To have PostgreSQL mark the constraint validated later, run
--   ALTER TABLE outbox.messages VALIDATE CONSTRAINT messages_available_at_in_range;
-- which takes only a SHARE UPDATE EXCLUSIVE lock: enqueues and claims go on while it scans.

-- The one definition of the window: the CHECK below and the claim (message_claim.sql) use it.
-- IMMUTABLE is true: timestamptz comparisons with literals that carry their offset do not depend
-- on the session's TimeZone or DateStyle. Simple enough for the planner to inline.
CREATE FUNCTION outbox.available_at_in_range(t timestamptz) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT t >= timestamptz '1970-01-01 00:00:00+00' AND t < timestamptz '2200-01-01 00:00:00+00'
$$;

ALTER TABLE outbox.messages
  ADD CONSTRAINT messages_available_at_in_range CHECK (outbox.available_at_in_range(available_at)) NOT VALID;
