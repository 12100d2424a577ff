-- Claims up to $2 due pending messages of one destination like message_claim.sql, but an ordering
-- key may give several: a key's next rows, in seq order, as far as they lie in the window. The
-- worker sends them one after another (core/key_waves.hpp), so a backlog whose keys come in runs
-- (a key's messages enqueued together) drains a run per batch, instead of a batch of one row per
-- key that message_claim.sql finds only by probing every row of every run it walks past.
-- The window: the first $2 due pending rows of the destination not locked by others, in (priority,
-- seq) order, each locked (FOR UPDATE SKIP LOCKED). A keyed window row is claimable when every
-- pending row of its key with a smaller seq (any destination, due or not, locked or not) is in the
-- window too; the others are returned with claimable false and no payload, and stay locked, unsent,
-- until the caller's transaction ends (it takes message_claim.sql next: see core/worker.cpp).
-- Parameters $1-$6 and the columns are message_claim.sql's, and then whether the row is claimable.
-- $7 text[]  ordering keys the lane's other workers hold in their open batches: their rows stay out
--            of the window (core/keys_in_flight.hpp). Rows in (priority, seq) order.
WITH w AS MATERIALIZED (
  SELECT m.seq, m.id, m.destination, m.xmin, m.ordering_key, m.priority,
         CASE WHEN $5::boolean THEN m.payload::text END AS payload,
         CASE WHEN $5::boolean THEN m.headers::text END AS headers,
         m.attempt, m.max_attempts,
         CASE WHEN outbox.available_at_in_range(m.available_at)
              THEN floor(extract(epoch FROM m.available_at) * 1000)::bigint END AS available_at_ms,
         CASE WHEN NOT outbox.available_at_in_range(m.available_at) THEN m.available_at::text END
           AS available_at_text
    FROM outbox.messages m
   -- message_claim.sql's rows, but for the key test: keep the two in step (a db test compares
   -- them, tests/db/claim_key_runs_test.cpp).
   WHERE m.state = 'pending'
     AND m.destination = $1::text
     AND (NOT $6::boolean OR m.attempt = 0)
     AND NOT EXISTS (SELECT 1 FROM outbox.destination_controls p WHERE p.destination = $1::text AND p.paused)
     AND (m.available_at <= now() OR (m.attempt = 0 AND $3::boolean)
          OR NOT outbox.available_at_in_range(m.available_at))
     AND (m.ordering_key IS NULL OR m.ordering_key NOT IN (SELECT unnest($7::text[])))
   ORDER BY m.priority, m.seq
   LIMIT $2
     FOR UPDATE SKIP LOCKED),
-- Each window key's first pending row outside the window that comes before the key's last window
-- row: the key's window rows before it are claimable, the rest not (none such: all are). Most keys
-- have one window row, and then the range looked at is the one message_claim.sql's probe looks at.
blocked AS (
  SELECT k.ordering_key,
         (SELECT e.seq FROM outbox.messages e
           WHERE e.ordering_key = k.ordering_key AND e.state = 'pending' AND e.seq < k.last_seq
             AND e.seq NOT IN (SELECT w.seq FROM w)
           ORDER BY e.seq LIMIT 1) AS seq
    FROM (SELECT w.ordering_key, max(w.seq) AS last_seq FROM w WHERE w.ordering_key IS NOT NULL
           GROUP BY w.ordering_key) k),
c AS (
  SELECT w.*, (b.seq IS NULL OR w.seq < b.seq) AS claimable
    FROM w LEFT JOIN blocked b ON b.ordering_key = w.ordering_key)
SELECT c.seq, c.id, c.destination,
       CASE WHEN c.claimable AND octet_length(c.payload) + octet_length(c.headers) <= $4::bigint THEN c.payload END,
       CASE WHEN c.claimable AND octet_length(c.headers) <= $4::bigint THEN c.headers END,
       c.attempt, c.max_attempts, c.available_at_ms, c.available_at_text,
       octet_length(c.payload)::bigint + octet_length(c.headers), c.xmin::text, c.ordering_key, c.claimable
  FROM c
 ORDER BY c.priority, c.seq
