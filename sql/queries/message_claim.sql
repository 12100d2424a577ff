-- Claims up to $2 due pending messages of the loaded destinations, in (priority, seq) order.
-- $1 text[]  destination names this daemon has loaded (rows of others are never claimed)
-- $2 int     batch size
-- $3 text[]  destinations whose plugin schedules ahead (OUTBOXD_PLUGIN_SCHEDULES_AHEAD): their
--            messages are claimed on the first attempt even before available_at, so the plugin can
--            schedule them downstream. Only the first attempt: a retry waits for its backoff here,
--            or a failing forward would loop without pause.
-- Returns seq, id, destination, payload (text), headers (text), attempt, max_attempts (may be NULL),
-- available_at as Unix epoch milliseconds.
-- Locks: FOR UPDATE SKIP LOCKED on each returned row; the row lock *is* the claim and lasts until
-- the caller's transaction ends. A row whose ordering_key has an earlier pending row (also one that
-- is locked by another worker or waiting for a retry) is skipped, so each key advances in order.
SELECT m.seq, m.id, m.destination, m.payload::text, m.headers::text, m.attempt, m.max_attempts,
       floor(extract(epoch FROM m.available_at) * 1000)::bigint
  FROM outbox.messages m
 WHERE m.state = 'pending'
   AND (m.available_at <= now() OR (m.attempt = 0 AND m.destination = ANY ($3::text[])))
   AND m.destination = ANY ($1::text[])
   AND (m.ordering_key IS NULL OR NOT EXISTS (
         SELECT 1 FROM outbox.messages e
          WHERE e.ordering_key = m.ordering_key AND e.state = 'pending' AND e.seq < m.seq))
 ORDER BY m.priority, m.seq
 LIMIT $2
   FOR UPDATE SKIP LOCKED
