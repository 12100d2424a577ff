-- pgbench script: the throughput ceiling with retention.delivered = 0 (delivered rows are deleted).
-- Same claim as ceiling_update.sql; the outcome is a DELETE, as message_mark_outcomes.sql does in
-- that mode. :batch_size is given with pgbench -D batch_size=B.
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
DELETE FROM outbox.messages m
 USING claimed c
 WHERE m.seq = c.seq;
