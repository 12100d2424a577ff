-- Destinations of pending messages that this daemon has not loaded (they wait, never dropped).
-- $1 text[] destination names this daemon has loaded
-- Returns destination, count. Takes no row locks.
SELECT destination, count(*)::bigint
  FROM outbox.messages
 WHERE state = 'pending' AND destination <> ALL ($1::text[])
 GROUP BY destination
 ORDER BY destination
