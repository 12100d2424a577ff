-- Delivered messages per destination and second, for the dashboard's overview (delivered in the
-- last minute and the last hour; api/dashboard_overview.cpp keeps the seconds it has counted and
-- asks only for the latest ones again).
-- $1 double precision  Unix second to count from (where the last count is no longer sure), or NULL
-- $2 double precision  but never more than this many seconds back from the database's now()
-- The first row is the window itself: destination NULL, the Unix second counted from (the later of
-- $1 and now() - $2, whole) and the database's current Unix second; then one row per destination
-- and Unix second of finalized_at: destination, second, count, in no particular order.
-- Takes no row locks. Walks messages_finalized_idx from the window's start (state <> 'pending' is
-- that index's predicate, spelled out so that a generic plan may use it), so it costs the rows
-- finalized since then, never more than $2 seconds of them, not the history. The window comes from
-- the database's clock, so a daemon whose clock is off neither skips seconds nor counts ahead.
-- The window's start is written out twice, the same expression each time, rather than taken from a
-- CTE: inline, the planner sees its value (now() is stable) and plans for the few rows of a few
-- seconds; through a CTE it planned for a third of the table, and sized its aggregate for that.
SELECT NULL::text,
       floor(extract(epoch FROM greatest(to_timestamp($1::double precision),
                                         now() - $2::double precision * interval '1 second')))::bigint,
       floor(extract(epoch FROM now()))::bigint
UNION ALL
SELECT m.destination, floor(extract(epoch FROM m.finalized_at))::bigint, count(*)::bigint
  FROM outbox.messages m
 WHERE m.state <> 'pending' AND m.state = 'delivered'
   AND m.finalized_at >= to_timestamp(floor(extract(epoch FROM greatest(to_timestamp($1::double precision),
                                                                        now() - $2::double precision * interval '1 second'))))
 GROUP BY m.destination, 2
