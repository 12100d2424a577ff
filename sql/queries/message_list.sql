-- A page of messages in seq order for keyset pagination (GET /v1/messages), bounded in rows and bytes.
-- $1 text                 destination, or NULL for all
-- $2 outbox.message_state state, or NULL for all
-- $3 bigint               return rows with seq greater than this (0 for the first page)
-- $4 integer              page size in rows
-- $5 bigint               page size in bytes of message JSON: rows are added while their total stays
--                         within it, but the first row always comes, however large it is
-- Returns seq and the message as JSON text (the shape of message_get.sql), in seq order. When the
-- byte budget ends the page before $4 rows, one last row has a seq and a NULL message: the first
-- row that did not fit, which says that more follow (the next page starts after the last full row).
-- Takes no row locks. Walks the primary key from $3 one row at a time and stops at the budget, so
-- neither the server nor the client ever holds a page much larger than $5 (a LIMIT alone would
-- fetch $4 rows of any size, 1000 rows of 1 MiB each are 1 GiB), and a page costs the same at any
-- depth.
WITH RECURSIVE page (n, seq, bytes, message) AS (
    SELECT 0, $3::bigint, 0::bigint, NULL::text
  UNION ALL
    SELECT p.n + 1, r.seq, p.bytes + octet_length(r.message),
           CASE WHEN p.n = 0 OR p.bytes + octet_length(r.message) <= $5::bigint THEN r.message END
      FROM page p
     CROSS JOIN LATERAL (
           SELECT m.seq,
                  jsonb_build_object(
                    'id', m.id, 'seq', m.seq, 'destination', m.destination, 'state', m.state,
                    'payload', m.payload, 'headers', m.headers, 'attempt', m.attempt,
                    'max_attempts', m.max_attempts, 'priority', m.priority, 'available_at', m.available_at,
                    'ordering_key', m.ordering_key, 'idempotency_key', m.idempotency_key,
                    'last_error', m.last_error, 'errors', m.errors, 'created_at', m.created_at,
                    'updated_at', m.updated_at, 'finalized_at', m.finalized_at)::text AS message
             FROM outbox.messages m
            WHERE m.seq > p.seq
              AND ($1::text IS NULL OR m.destination = $1::text)
              AND ($2::outbox.message_state IS NULL OR m.state = $2::outbox.message_state)
            ORDER BY m.seq
            LIMIT 1) r
     WHERE p.n < $4::integer AND (p.n = 0 OR p.message IS NOT NULL)
)
SELECT seq, message FROM page WHERE n > 0 ORDER BY n
