-- Per destination: how many messages are pending (due or scheduled) and the age in seconds of the
-- oldest, for GET /metrics. Reads pending rows only, through a pending rows' partial index, so its
-- cost does not grow with the delivered history that retention keeps (the metrics' session prices
-- out sequential scans: stale statistics could otherwise choose to read the whole table).
-- No parameters. Returns destination, count, oldest_pending_seconds, in destination order. Takes
-- no row locks.
SELECT destination, count(*)::bigint,
       extract(epoch FROM (now() - min(created_at)))::double precision
  FROM outbox.messages
 WHERE state = 'pending'
 GROUP BY destination
 ORDER BY destination
