-- Enqueues one message through the public SQL API (used by `outboxd enqueue` and the HTTP API).
-- $1 destination, $2 payload (JSON text), $3 headers (JSON text), $4 available_at (timestamptz or
-- NULL = now), $5 idempotency_key, $6 ordering_key, $7 priority, $8 max_attempts (or NULL),
-- $9 delay in milliseconds (or NULL; used when $4 is NULL: available_at = now() + $9 ms)
-- Returns id (uuid) and whether this call inserted it (false: the idempotency key existed).
-- Locks: the inserted row; with a conflicting key, waits for the other inserter to finish.
WITH before AS (
  SELECT m.id FROM outbox.messages m
   WHERE $5::text IS NOT NULL AND m.destination = $1 AND m.idempotency_key = $5::text
)
SELECT outbox.enqueue($1, $2::jsonb, $3::jsonb,
                      coalesce($4::timestamptz, now() + $9::bigint * interval '1 millisecond'),
                      $5::text, $6::text,
                      $7::integer, $8::integer) AS id,
       NOT EXISTS (SELECT 1 FROM before) AS created
