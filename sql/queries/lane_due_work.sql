-- Which of the given destinations have a message that a claim would take now? The lane scout
-- (core/lane_scout.hpp) asks it once per busy_poll_interval, for the whole daemon, about the lanes
-- that are quiet (found no work within the linger while the daemon is busy), so that their workers
-- sleep until there is work instead of each polling with an empty claim (docs/architecture.md).
-- $1 text[] the quiet lanes' destinations
-- $2 text[] those of them whose plugin schedules ahead (OUTBOXD_PLUGIN_SCHEDULES_AHEAD): a first
--           attempt counts before it is due, as in message_claim.sql
-- Returns the destinations of $1 with at least one such message, in no particular order.
-- Takes no locks and reads only committed rows, so a message counts from the commit of its
-- transaction, however long that was open. A row that a claim would still skip counts (locked by a
-- claim in progress, or behind an earlier pending row of its ordering key): the lane then claims,
-- finds nothing and polls on its beat for a linger period before it is quiet again, as cheap as
-- before the scout. A paused destination has nothing to claim. Each EXISTS is one walk of
-- messages_claim_idx (destination, priority, seq) that stops at the first due row.
SELECT d.name
  FROM unnest($1::text[]) AS d(name)
 WHERE NOT EXISTS (SELECT 1 FROM outbox.destination_controls p WHERE p.destination = d.name AND p.paused)
   AND EXISTS (SELECT 1 FROM outbox.messages m
                WHERE m.state = 'pending' AND m.destination = d.name
                  AND (m.available_at <= now() OR (m.attempt = 0 AND d.name = ANY ($2::text[]))
                       OR NOT outbox.available_at_in_range(m.available_at)))
