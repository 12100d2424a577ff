-- Marks a whole claimed batch delivered: the common case, cheaper than message_mark_outcomes.sql.
-- $1 bigint[] seq of each message (all claimed, and so row-locked, by the caller's transaction)
-- Returns the seq of each row written; the caller checks there is one per message.
-- updated_at and finalized_at are when the outcome is written (clock_timestamp()), not the claim's
-- start, which may be minutes earlier for a slow batch (message_mark_outcomes.sql says why).
UPDATE outbox.messages
   SET state = 'delivered', attempt = least(attempt::bigint + 1, coalesce(max_attempts, 2147483647))::integer, last_error = NULL,
       updated_at = clock_timestamp(), finalized_at = clock_timestamp()
 WHERE seq = ANY ($1::bigint[]) AND state = 'pending'
RETURNING seq
