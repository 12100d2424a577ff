-- Operator retry: a dead or cancelled message becomes pending and due now (POST .../retry).
-- $1 uuid     the message id
-- $2 integer  the destination's configured max_attempts, for rows that do not set their own
-- When the attempts are spent, max_attempts becomes attempt + the allowance (the row's own or $2),
-- so the message gets a full new round and the CHECK attempt <= max_attempts holds.
-- Returns the id when the row was dead or cancelled and is now pending; no row otherwise (the
-- caller reads the row to answer 404 or 409). Locks the updated row until the transaction ends.
-- The caller runs wake_request.sql in the same transaction so a sleeping daemon wakes.
UPDATE outbox.messages
   SET state = 'pending', available_at = now(), finalized_at = NULL, updated_at = now(),
       max_attempts = CASE WHEN attempt >= coalesce(max_attempts, $2::integer)
                           THEN attempt + coalesce(max_attempts, $2::integer)
                           ELSE max_attempts END
 WHERE id = $1::uuid AND state IN ('dead', 'cancelled')
RETURNING id
