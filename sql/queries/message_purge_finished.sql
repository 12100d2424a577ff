-- Deletes up to $3 finished messages in the given states whose finalized_at is older than $2
-- seconds and not older than $4, oldest first.
-- $1 outbox.message_state[] states to purge (delivered; or dead and cancelled)
-- $2 bigint                 retention in seconds
-- $3 integer                batch size (small, so one sweep never holds many locks)
-- $4 timestamptz            where this batch starts: '-infinity' for a sweep's first, then the
--                           latest finalized_at the batch before it returned. Each batch resumes
--                           there instead of walking again, from the start of the finalized rows'
--                           index, past the entries of every row the sweep already deleted (they
--                           stay in the index until a VACUUM): without it a sweep through a backlog
--                           slows with its square (docs/BENCHMARKS.md, "Retiring a day of 60M rows").
--                           A row left behind (locked, or committed late with an earlier time) is
--                           the next sweep's. Rows of one time (a worker's batch shares its now())
--                           cannot be resumed past until the last of them goes, so a group larger
--                           than $3 is walked again by each batch through it; groups are a worker's
--                           batch_size at most.
-- Returns one row: how many were deleted, and the latest finalized_at among them (NULL if none),
-- as ISO 8601 text whatever the session's DateStyle (to_json's form): it comes back as $4, and a
-- DateStyle such as SQL writes zone abbreviations that another zone may read differently.
-- SKIP LOCKED: never waits on rows an operator is touching. `state <> 'pending'` is implied by $1
-- but written out, so that even a generic plan can use messages_finalized_idx, whose predicate it is.
WITH purged AS (
  DELETE FROM outbox.messages
   WHERE seq IN (SELECT seq FROM outbox.messages
                  WHERE state = ANY ($1::outbox.message_state[]) AND state <> 'pending'
                    AND finalized_at < now() - $2 * interval '1 second'
                    AND finalized_at >= $4::timestamptz
                  ORDER BY finalized_at
                  LIMIT $3
                    FOR UPDATE SKIP LOCKED)
  RETURNING finalized_at)
SELECT count(*)::bigint, to_json(max(finalized_at)) #>> '{}' FROM purged
