-- Operator pause: the claim (message_claim.sql) stops taking the destination's messages, for every
-- daemon on this database, until destination_resume.sql (POST /v1/destinations/{name}/pause).
-- $1 text  destination name
-- Returns one row: true when the destination was not paused and is now, false when it already was
-- (idempotent: a second pause keeps the first one's paused_at).
-- An upsert, because a row exists only once a destination has been paused; two pauses at once
-- both end paused, and exactly one of them answers true. Messages already claimed when it commits
-- finish their attempt: the pause holds from the next claim on.
WITH changed AS (
  INSERT INTO outbox.destination_controls AS c (destination, paused, paused_at, updated_at)
  VALUES ($1::text, true, now(), now())
  ON CONFLICT (destination) DO UPDATE
     SET paused = true, paused_at = now(), updated_at = now()
   WHERE NOT c.paused
  RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM changed)
