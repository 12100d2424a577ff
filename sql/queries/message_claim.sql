-- Claims up to $2 due pending messages of the loaded destinations, in (priority, seq) order.
-- $1 text[]  destination names this daemon has loaded (rows of others are never claimed)
-- $2 int     batch size
-- $3 text[]  destinations whose plugin schedules ahead (OUTBOXD_PLUGIN_SCHEDULES_AHEAD): their
--            messages are claimed on the first attempt even before available_at, so the plugin can
--            schedule them downstream. Only the first attempt: a retry waits for its backoff here,
--            or a failing forward would loop without pause.
-- A row whose available_at is outside outbox.available_at_in_range (written before migration 0002
-- added that check: 'infinity', '-infinity', year 2400) is claimed whether or not it is due, so the
-- caller can make it dead at once: left pending it would never be due, or hold up its ordering key.
-- Returns seq, id, destination, payload (text), headers (text), attempt, max_attempts (may be NULL),
-- available_at as Unix epoch milliseconds (NULL for a row outside the range, which has none that
-- could be converted without an error), and available_at as text for such a row only (else NULL).
-- Locks: FOR UPDATE SKIP LOCKED on each returned row; the row lock *is* the claim and lasts until
-- the caller's transaction ends. A row whose ordering_key has an earlier pending row (also one that
-- is locked by another worker or waiting for a retry) is skipped, so each key advances in order.
SELECT m.seq, m.id, m.destination, m.payload::text, m.headers::text, m.attempt, m.max_attempts,
       CASE WHEN outbox.available_at_in_range(m.available_at)
            THEN floor(extract(epoch FROM m.available_at) * 1000)::bigint END,
       CASE WHEN NOT outbox.available_at_in_range(m.available_at) THEN m.available_at::text END
  FROM outbox.messages m
 WHERE m.state = 'pending'
   AND (m.available_at <= now() OR (m.attempt = 0 AND m.destination = ANY ($3::text[]))
        OR NOT outbox.available_at_in_range(m.available_at))
   AND m.destination = ANY ($1::text[])
   AND (m.ordering_key IS NULL OR NOT EXISTS (
         SELECT 1 FROM outbox.messages e
          WHERE e.ordering_key = m.ordering_key AND e.state = 'pending' AND e.seq < m.seq))
 ORDER BY m.priority, m.seq
 LIMIT $2
   FOR UPDATE SKIP LOCKED
