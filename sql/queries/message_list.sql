-- A page of messages in seq order for keyset pagination (GET /v1/messages).
-- $1 text                 destination, or NULL for all
-- $2 outbox.message_state state, or NULL for all
-- $3 bigint               return rows with seq greater than this (0 for the first page)
-- $4 integer              page size
-- Returns seq and the message as JSON text, in the same shape as message_get.sql.
-- Takes no row locks; walks the primary key from $3, so a page costs the same at any depth.
SELECT m.seq,
       jsonb_build_object(
         'id', m.id, 'seq', m.seq, 'destination', m.destination, 'state', m.state,
         'payload', m.payload, 'headers', m.headers, 'attempt', m.attempt,
         'max_attempts', m.max_attempts, 'priority', m.priority, 'available_at', m.available_at,
         'ordering_key', m.ordering_key, 'idempotency_key', m.idempotency_key,
         'last_error', m.last_error, 'errors', m.errors, 'created_at', m.created_at,
         'updated_at', m.updated_at, 'finalized_at', m.finalized_at)::text
  FROM outbox.messages m
 WHERE m.seq > $3::bigint
   AND ($1::text IS NULL OR m.destination = $1::text)
   AND ($2::outbox.message_state IS NULL OR m.state = $2::outbox.message_state)
 ORDER BY m.seq
 LIMIT $4::integer
