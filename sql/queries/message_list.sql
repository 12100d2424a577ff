-- A page of messages in seq order for keyset pagination (GET /v1/messages), bounded in rows and
-- bytes; with $8, the one message GET /v1/messages/{id} shows.
-- $1 text                 destination, or NULL for all
-- $2 outbox.message_state state, or NULL for all
-- $3 bigint               return rows with seq greater than this (0 for the first page)
-- $4 integer              page size in rows
-- $5 bigint               page size in bytes of message JSON: rows are added while their total stays
--                         within it, but the first row always comes, however large it is
-- $6 bigint               the most bytes of payload and headers written out that a message shows
--                         (kMaxMessageTextBytes); a larger one shows "omitted" instead
-- $7 text                 NULL to show payloads and headers; else every message shows "omitted"
--                         with this reason, and nothing is written out (the caller's way around a
--                         row PostgreSQL cannot write out, which fails the whole statement)
-- $8 uuid                 NULL for a page; else only the message with this id ($1..$3 and $9..$12
--                         are ignored, $4 is 1), found through the id's unique index
-- $9 text                 ordering key, or NULL for all
-- $10 uuid, $11 uuid      ids from $10 to $11 (an id prefix padded with 0s and fs), or NULL for all
-- $12 boolean             true: newest first, rows with seq less than $3 ($3 = 0: from the newest)
-- Returns seq and the message as JSON text: id, seq, destination, state, payload, headers, attempt,
-- max_attempts, priority, available_at, ordering_key, idempotency_key, last_error, errors,
-- created_at, updated_at, finalized_at; for a message not shown, payload and headers are null and
-- "omitted" says why, with their stored (compressed) sizes. In seq order ($12: descending). When the byte budget ends
-- the page before $4 rows, one last row has a seq and a NULL message: the first row that did not
-- fit, which says that more follow (the next page starts after the last full row).
-- Takes no row locks. Walks the primary key from $3 one row at a time (forwards or backwards: each
-- direction is a branch of its own, so that each keeps an ordered index scan) and stops at the budget, so
-- neither the server nor the client ever holds a page much larger than $5 (a LIMIT alone would
-- fetch $4 rows of any size, 1000 rows of 1 MiB each are 1 GiB), and a page costs the same at any
-- depth. A shown payload is written out twice, once to measure it (OFFSET 0 keeps that apart).
-- Run unprepared (core/queries.cpp): with the filters' values in the plan, a filter on a state or
-- an ordering key walks that state's or key's index instead of the whole primary key.
WITH RECURSIVE page (n, seq, bytes, message) AS (
    SELECT 0,
           CASE WHEN $8::uuid IS NOT NULL THEN (SELECT i.seq - 1 FROM outbox.messages i WHERE i.id = $8::uuid)
                WHEN $12::boolean AND $3::bigint = 0 THEN 9223372036854775807
                ELSE $3::bigint END,
           0::bigint, NULL::text
  UNION ALL
    SELECT p.n + 1, r.seq, p.bytes + octet_length(r.message),
           CASE WHEN p.n = 0 OR p.bytes + octet_length(r.message) <= $5::bigint THEN r.message END
      FROM page p
     CROSS JOIN LATERAL (
           SELECT n.seq
             FROM ((SELECT m.seq
                      FROM outbox.messages m
                     WHERE NOT $12::boolean AND m.seq > p.seq
                       AND ($8::uuid IS NOT NULL OR $1::text IS NULL OR m.destination = $1::text)
                       AND ($8::uuid IS NOT NULL OR $2::outbox.message_state IS NULL
                            OR m.state = $2::outbox.message_state)
                       AND ($8::uuid IS NOT NULL OR $9::text IS NULL OR m.ordering_key = $9::text)
                       AND ($8::uuid IS NOT NULL OR $10::uuid IS NULL OR m.id BETWEEN $10::uuid AND $11::uuid)
                     ORDER BY m.seq
                     LIMIT 1)
                   UNION ALL
                   (SELECT m.seq
                      FROM outbox.messages m
                     WHERE $12::boolean AND $8::uuid IS NULL AND m.seq < p.seq
                       AND ($1::text IS NULL OR m.destination = $1::text)
                       AND ($2::outbox.message_state IS NULL OR m.state = $2::outbox.message_state)
                       AND ($9::text IS NULL OR m.ordering_key = $9::text)
                       AND ($10::uuid IS NULL OR m.id BETWEEN $10::uuid AND $11::uuid)
                     ORDER BY m.seq DESC
                     LIMIT 1)) n
            LIMIT 1) nx
     CROSS JOIN LATERAL (
           SELECT m.seq,
                  (jsonb_build_object(
                     'id', m.id, 'seq', m.seq, 'destination', m.destination, 'state', m.state,
                     'payload', CASE WHEN w.shown THEN m.payload END,
                     'headers', CASE WHEN w.shown THEN m.headers END, 'attempt', m.attempt,
                     'max_attempts', m.max_attempts, 'priority', m.priority, 'available_at', m.available_at,
                     'ordering_key', m.ordering_key, 'idempotency_key', m.idempotency_key,
                     'last_error', m.last_error, 'errors', m.errors, 'created_at', m.created_at,
                     'updated_at', m.updated_at, 'finalized_at', m.finalized_at)
                   || CASE WHEN w.shown THEN '{}'::jsonb
                      ELSE jsonb_build_object('omitted', jsonb_build_object(
                             'reason', coalesce($7::text, format(
                               'payload and headers are %s bytes written out, more than the %s a message may show',
                               w.bytes, $6::bigint)),
                             'payload_stored_bytes', pg_column_size(m.payload),
                             'headers_stored_bytes', pg_column_size(m.headers))) END)::text AS message
             FROM outbox.messages m
            CROSS JOIN LATERAL (
                  SELECT b.bytes, $7::text IS NULL AND b.bytes <= $6::bigint AS shown
                    FROM (SELECT CASE WHEN $7::text IS NULL
                                      THEN octet_length(m.payload::text)::bigint + octet_length(m.headers::text) END
                                   AS bytes
                          OFFSET 0) b) w
            WHERE m.seq = nx.seq) r
     WHERE p.n < (CASE WHEN $8::uuid IS NULL THEN $4::integer ELSE 1 END) AND (p.n = 0 OR p.message IS NOT NULL)
)
SELECT seq, message FROM page WHERE n > 0 ORDER BY n
