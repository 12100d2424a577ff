-- Per destination and state: how many messages, for pending ones the age of the oldest, and for
-- delivered ones how many were delivered in the last minute (only those retention still keeps).
-- No parameters. Returns destination, state (text), count, oldest_pending_seconds (NULL unless
-- pending), delivered_last_minute (0 unless delivered). Takes no row locks; a full scan of the
-- table, so it is for operators, not the hot path.
SELECT destination, state::text, count(*)::bigint,
       CASE WHEN state = 'pending'
            THEN extract(epoch FROM (now() - min(created_at)))::double precision END,
       count(*) FILTER (WHERE state = 'delivered'
                          AND finalized_at > now() - interval '1 minute')::bigint
  FROM outbox.messages
 GROUP BY destination, state
 ORDER BY destination, state
