-- Per destination and state: how many messages, and for pending ones the age of the oldest.
-- No parameters. Returns destination, state (text), count, oldest_pending_seconds (NULL unless
-- pending). Takes no row locks; a full scan of the table, so it is for operators, not the hot path.
SELECT destination, state::text, count(*)::bigint,
       CASE WHEN state = 'pending'
            THEN extract(epoch FROM (now() - min(created_at)))::double precision END
  FROM outbox.messages
 GROUP BY destination, state
 ORDER BY destination, state
