-- Writes the outcomes of a claimed batch in one set-based statement, in the claim's transaction.
-- $1 bigint[]               seq of each message
-- $2 outbox.message_state[] new state: delivered, pending (retry later) or dead
-- $3 bigint[]               retry delay in milliseconds (used for pending only); the retry is due
--                           at now + delay, but never before the message's own available_at (a
--                           message claimed ahead of its time for a scheduling plugin keeps its time)
-- $4 text[]                 error line, or NULL
-- $5 boolean                delete delivered rows right away (retention.delivered = 0)
-- $6 integer                how many entries of the error history to keep
-- Returns one row: the number of messages written (updated or deleted). The caller checks it equals
-- the batch size. Every write names the state it replaces (pending) and needs the caller's row lock.
-- A retry's delay (and updated_at and finalized_at) count from clock_timestamp(), when the outcome
-- is written, not from now(), the claim's start: a receiver's Retry-After is measured from its
-- answer, and the sends in between may take up to timeout_ms. finalized_at so, too, because what
-- counts deliveries by it (the dashboard's overview, api/dashboard_overview.cpp) looks back only
-- seconds for rows committed after it counted: the claim's start may be minutes before the commit.
WITH outcome AS (
  SELECT o.*, clock_timestamp() AS written_at
    FROM unnest($1::bigint[], $2::outbox.message_state[], $3::bigint[], $4::text[])
         AS o(seq, state, delay_ms, error)
), removed AS (
  DELETE FROM outbox.messages m
   USING outcome o
   WHERE $5 AND o.state = 'delivered' AND m.seq = o.seq AND m.state = 'pending'
  RETURNING m.seq
), updated AS (
  UPDATE outbox.messages m
     SET state = o.state,
         -- Never past max_attempts nor past integer: a row already there is made dead at its
         -- claim without being sent (core/batch_claim.cpp), and keeps its count.
         attempt = least(m.attempt::bigint + 1, coalesce(m.max_attempts, 2147483647))::integer,
         -- A row outside outbox.available_at_in_range (from before migration 0002; the caller
         -- makes it dead) gets the time of its outcome: the CHECK applies to every UPDATE.
         available_at = CASE WHEN NOT outbox.available_at_in_range(m.available_at) THEN o.written_at
                             WHEN o.state = 'pending'
                             THEN greatest(m.available_at, o.written_at + o.delay_ms * interval '1 millisecond')
                             ELSE m.available_at END,
         last_error = o.error,
         errors = CASE WHEN o.error IS NULL THEN m.errors ELSE (
                    SELECT coalesce(jsonb_agg(h.entry ORDER BY h.n), '[]'::jsonb)
                      FROM (SELECT x.entry, x.n
                              FROM jsonb_array_elements(
                                     m.errors || jsonb_build_array(jsonb_build_object(
                                       'attempt', least(m.attempt::bigint + 1, coalesce(m.max_attempts, 2147483647)), 'at', now(), 'error', o.error)))
                                   WITH ORDINALITY AS x(entry, n)
                             ORDER BY x.n DESC LIMIT $6) h) END,
         updated_at = o.written_at,
         finalized_at = CASE WHEN o.state = 'pending' THEN NULL ELSE o.written_at END
    FROM outcome o
   WHERE m.seq = o.seq AND m.state = 'pending' AND NOT ($5 AND o.state = 'delivered')
  RETURNING m.seq
)
SELECT (SELECT count(*) FROM removed) + (SELECT count(*) FROM updated)
