-- Bulk operator retry: every dead message of one destination becomes pending and due now.
-- $1 text     destination name
-- $2 integer  the destination's configured max_attempts, for rows that do not set their own
-- Raises spent max_attempts like message_retry.sql. Returns the id of each message retried.
-- Locks the updated rows until the transaction ends; the caller runs wake_request.sql after.
UPDATE outbox.messages
   SET state = 'pending', available_at = now(), finalized_at = NULL, updated_at = now(),
       max_attempts = CASE WHEN attempt >= coalesce(max_attempts, $2::integer)
                           THEN attempt + coalesce(max_attempts, $2::integer)
                           ELSE max_attempts END
 WHERE destination = $1::text AND state = 'dead'
RETURNING id
