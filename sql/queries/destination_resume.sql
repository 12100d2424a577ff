-- Operator resume: the claim takes the destination's messages again (POST .../resume).
-- $1 text  destination name
-- Returns one row: true when the destination was paused and is not now, false when it was not
-- paused (idempotent). The row stays, with paused = false, so updated_at says when it changed.
-- Ending a pause wakes a sleeping daemon: the table's trigger (migration 0005) runs
-- outbox.request_wake() in this transaction, as it does for a resume written by hand in SQL.
WITH changed AS (
  UPDATE outbox.destination_controls
     SET paused = false, paused_at = NULL, updated_at = now()
   WHERE destination = $1::text AND paused
  RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM changed)
