-- Per destination, for the dashboard's overview (GET /v1/overview): pending messages due now,
-- pending ones scheduled for later, pending ones that have failed at least once (retrying; a part
-- of the first two), dead ones, cancelled ones, and the age in seconds of the oldest pending one
-- (NULL when none is pending), in destination order.
-- No parameters. Takes no row locks. Reads the pending rows through a pending rows' partial index
-- and the dead and cancelled ones through messages_stopped_idx (0008), never the delivered history
-- that retention keeps, so its cost grows with the backlog and the dead, not with the table (the
-- dashboard's session prices out sequential scans, as the gauges' does).
SELECT destination,
       count(*) FILTER (WHERE state = 'pending' AND available_at <= now())::bigint,
       count(*) FILTER (WHERE state = 'pending' AND available_at > now())::bigint,
       count(*) FILTER (WHERE state = 'pending' AND attempt > 0)::bigint,
       count(*) FILTER (WHERE state = 'dead')::bigint,
       count(*) FILTER (WHERE state = 'cancelled')::bigint,
       extract(epoch FROM (now() - min(created_at) FILTER (WHERE state = 'pending')))::double precision
  FROM (SELECT destination, state, available_at, attempt, created_at
          FROM outbox.messages
         WHERE state = 'pending'
        UNION ALL
        SELECT destination, state, NULL, NULL, NULL
          FROM outbox.messages
         WHERE state IN ('dead', 'cancelled')) m
 GROUP BY destination
 ORDER BY destination
