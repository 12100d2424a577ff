-- Delivered messages per destination and second from a time on, for the dashboard's overview
-- (delivered in the last minute and the last hour; api/dashboard_overview.cpp keeps the seconds
-- it has counted and asks only for the latest ones again).
-- $1 double precision  Unix time to count from
-- Returns destination, the Unix second of finalized_at (bigint) and count, in no particular order.
-- Takes no row locks.
-- Walks messages_finalized_idx from $1 on (state <> 'pending' is that index's predicate, spelled
-- out so that a generic plan may use it), so it costs the rows finalized since $1, not the history.
SELECT destination, floor(extract(epoch FROM finalized_at))::bigint, count(*)::bigint
  FROM outbox.messages
 WHERE state <> 'pending' AND state = 'delivered' AND finalized_at >= to_timestamp($1::double precision)
 GROUP BY destination, 2
