-- Writes one claimed message's payload and headers out as text, for a claim made without them
-- (message_claim.sql with $5 false). The caller runs it under a savepoint per row: if PostgreSQL
-- cannot write this row out, only this row fails, and the caller decides its outcome.
-- $1 bigint  seq of the message (claimed, and so row-locked, by the caller's transaction)
-- $2 bigint  the most bytes of payload and headers a plugin is handed, as in message_claim.sql
-- Returns one row: payload (text), NULL when payload and headers together are over $2, headers
-- (text), NULL only when they alone are, and the bytes of both. OFFSET 0 keeps the inner query
-- apart, so each is written out once.
SELECT CASE WHEN octet_length(t.payload) + octet_length(t.headers) <= $2::bigint THEN t.payload END,
       CASE WHEN octet_length(t.headers) <= $2::bigint THEN t.headers END,
       octet_length(t.payload)::bigint + octet_length(t.headers)
  FROM (SELECT payload::text AS payload, headers::text AS headers
          FROM outbox.messages
         WHERE seq = $1::bigint
        OFFSET 0) t
