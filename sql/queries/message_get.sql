-- One message, everything an operator wants to see, as a JSON object (GET /v1/messages/{id}).
-- $1 uuid  the message id
-- Returns seq and the message as JSON text (id, seq, destination, state, payload, headers, attempt,
-- max_attempts, priority, available_at, ordering_key, idempotency_key, last_error, errors,
-- created_at, updated_at, finalized_at); no row when there is no such message. Takes no row locks.
SELECT m.seq,
       jsonb_build_object(
         'id', m.id, 'seq', m.seq, 'destination', m.destination, 'state', m.state,
         'payload', m.payload, 'headers', m.headers, 'attempt', m.attempt,
         'max_attempts', m.max_attempts, 'priority', m.priority, 'available_at', m.available_at,
         'ordering_key', m.ordering_key, 'idempotency_key', m.idempotency_key,
         'last_error', m.last_error, 'errors', m.errors, 'created_at', m.created_at,
         'updated_at', m.updated_at, 'finalized_at', m.finalized_at)::text
  FROM outbox.messages m
 WHERE m.id = $1::uuid
