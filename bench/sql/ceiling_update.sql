-- pgbench script: the throughput ceiling with retention (delivered rows are kept).
-- The claim is message_claim.sql's WHERE and ORDER BY verbatim, fused with the cheapest possible
-- "mark delivered" into one statement and one round trip: what the database can do when no daemon
-- sits in between (no BEGIN/COMMIT round trips, no rows shipped to a client, no per-row outcome).
-- :batch_size is given with pgbench -D batch_size=B.
WITH claimed AS (
  SELECT m.seq
    FROM outbox.messages m
   WHERE m.state = 'pending'
     AND m.destination = 'bench'::text
     AND (NOT false OR m.attempt = 0)
     AND (m.available_at <= now() OR (m.attempt = 0 AND false))
     AND (m.ordering_key IS NULL OR NOT EXISTS (
           SELECT 1 FROM outbox.messages e
            WHERE e.ordering_key = m.ordering_key AND e.state = 'pending' AND e.seq < m.seq))
   ORDER BY m.priority, m.seq
   LIMIT :batch_size
     FOR UPDATE SKIP LOCKED
)
UPDATE outbox.messages m
   SET state = 'delivered', attempt = m.attempt + 1, last_error = NULL,
       updated_at = now(), finalized_at = now()
  FROM claimed c
 WHERE m.seq = c.seq;
