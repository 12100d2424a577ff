-- Operator cancel: a pending message becomes cancelled (POST /v1/messages/{id}/cancel).
-- $1 uuid  the message id
-- Never cancels a message a worker has claimed (its row lock is the claim): SKIP LOCKED leaves
-- such a row alone, and the caller answers 409. Returns the id when the row was pending, unlocked
-- and is now cancelled; no row otherwise (the caller reads the row to answer 404 or 409).
-- An available_at outside outbox.available_at_in_range (a row from before migration 0002) becomes
-- now(): the CHECK applies to every UPDATE, and such a row must stay cancellable.
UPDATE outbox.messages
   SET state = 'cancelled', finalized_at = now(), updated_at = now(),
       available_at = CASE WHEN outbox.available_at_in_range(available_at) THEN available_at ELSE now() END
 WHERE seq = (SELECT seq FROM outbox.messages
               WHERE id = $1::uuid AND state = 'pending'
                 FOR UPDATE SKIP LOCKED)
   AND state = 'pending'
RETURNING id
