-- Claims up to $2 due pending messages of one destination (its lane's), in (priority, seq) order.
-- One destination per claim, so a slow or hanging destination holds only its own lane's claims
-- (docs/architecture.md); messages_claim_idx is (destination, priority, seq), so the walk never
-- passes over another destination's backlog.
-- $1 text    the destination
-- $2 int     batch size
-- $3 boolean the destination's plugin schedules ahead (OUTBOXD_PLUGIN_SCHEDULES_AHEAD): its
--            messages are claimed on the first attempt even before available_at, so the plugin can
--            schedule them downstream. Only the first attempt: a retry waits for its backoff here,
--            or a failing forward would loop without pause.
-- A row whose available_at is outside outbox.available_at_in_range (written before migration 0002
-- added that check: 'infinity', '-infinity', year 2400) is claimed whether or not it is due, so the
-- caller can make it dead at once: left pending it would never be due, or hold up its ordering key.
-- $4 bigint  the most bytes of payload and headers written out (payload::text, headers::text) a
--            plugin is handed: a row over it comes with a NULL payload (the caller makes it dead),
--            and with NULL headers only when they alone are over it, so no worker ever receives
--            more than $2 times this
-- $5 boolean write payloads and headers out: true normally; false after this statement failed
--            with an error one row can cause (a payload over PostgreSQL's 1 GB, a value it cannot
--            convert): the caller then claims without them and writes each row out on its own
--            (message_write_out.sql), so one such row cannot stop every claim
-- $6 boolean first attempts only (attempt = 0): a lane's workers claim so every other time, so a
--            storm of due retries (older, so first in seq order) never starves new messages
-- Returns seq, id, destination, payload (text), headers (text), attempt, max_attempts (may be NULL),
-- available_at as Unix epoch milliseconds (NULL for a row outside the range, which has none that
-- could be converted without an error), available_at as text for such a row only (else NULL), and
-- the bytes of payload and headers written out (NULL when $5 is false), the row's xmin as text
-- (its version: see core/kept_outcomes.hpp), and its ordering key (NULL: none; its key's next row
-- waits for a later claim: the lane's beat does not stretch for such claims, core/beat_stretch.hpp,
-- and the worker's next claim is message_claim_key_runs.sql, which can take a key's run at once).
-- Each payload is written out once, in the inner query; the outer one only measures it (the
-- length of a text value is in its header, free) and leaves out what is too large to hand on.
-- Locks: FOR UPDATE SKIP LOCKED on each returned row; the row lock *is* the claim and lasts until
-- the caller's transaction ends. A row whose ordering_key has an earlier pending row (also one that
-- is locked by another worker or waiting for a retry) is skipped, so each key advances in order.
-- A paused destination (outbox.destination_controls) claims nothing: the check names only $1, so
-- it runs once per statement (a one-time filter), not per row.
SELECT c.seq, c.id, c.destination,
       CASE WHEN octet_length(c.payload) + octet_length(c.headers) <= $4::bigint THEN c.payload END,
       CASE WHEN octet_length(c.headers) <= $4::bigint THEN c.headers END,
       c.attempt, c.max_attempts, c.available_at_ms, c.available_at_text,
       octet_length(c.payload)::bigint + octet_length(c.headers), c.xmin::text, c.ordering_key
  FROM (SELECT m.seq, m.id, m.destination, m.xmin, m.ordering_key,
               CASE WHEN $5::boolean THEN m.payload::text END AS payload,
               CASE WHEN $5::boolean THEN m.headers::text END AS headers,
               m.attempt, m.max_attempts,
               CASE WHEN outbox.available_at_in_range(m.available_at)
                    THEN floor(extract(epoch FROM m.available_at) * 1000)::bigint END AS available_at_ms,
               CASE WHEN NOT outbox.available_at_in_range(m.available_at) THEN m.available_at::text END
                 AS available_at_text
          FROM outbox.messages m
         -- The rows message_claim_key_runs.sql's window takes: keep the two in step (a db test
         -- compares them, tests/db/claim_key_runs_test.cpp).
         WHERE m.state = 'pending'
           AND m.destination = $1::text
           AND (NOT $6::boolean OR m.attempt = 0)
           AND NOT EXISTS (SELECT 1 FROM outbox.destination_controls p WHERE p.destination = $1::text AND p.paused)
           AND (m.available_at <= now() OR (m.attempt = 0 AND $3::boolean)
                OR NOT outbox.available_at_in_range(m.available_at))
           AND (m.ordering_key IS NULL OR NOT EXISTS (
                 SELECT 1 FROM outbox.messages e
                  WHERE e.ordering_key = m.ordering_key AND e.state = 'pending' AND e.seq < m.seq))
         ORDER BY m.priority, m.seq
         LIMIT $2
           FOR UPDATE SKIP LOCKED) c
