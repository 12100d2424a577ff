-- A message's destination and state, for the operator writes that answer 404 or 409 by them (and
-- an enqueue that found its idempotency key): never its payload, which PostgreSQL might not even
-- be able to write out. $1 uuid the message id. No row when there is none. Takes no row locks.
SELECT destination, state::text FROM outbox.messages WHERE id = $1::uuid
