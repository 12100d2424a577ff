-- Deletes up to $3 finished messages in the given states whose finalized_at is older than $2 seconds.
-- $1 outbox.message_state[] states to purge (delivered; or dead and cancelled)
-- $2 bigint                 retention in seconds
-- $3 integer                batch size (small, so one sweep never holds many locks)
-- Returns the seq of each deleted row. SKIP LOCKED: never waits on rows an operator is touching.
DELETE FROM outbox.messages
 WHERE seq IN (SELECT seq FROM outbox.messages
                WHERE state = ANY ($1::outbox.message_state[])
                  AND finalized_at < now() - $2 * interval '1 second'
                LIMIT $3
                  FOR UPDATE SKIP LOCKED)
RETURNING seq
