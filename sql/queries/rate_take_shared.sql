-- Takes up to $4 tokens from a destination's shared bucket (outbox.rate_buckets, migration 0004):
-- refills it by the time elapsed since it was last refilled, grants min($4, whole tokens held) and
-- stores the rest. A missing row is inserted as a full bucket ($3 tokens) and taken from.
-- $1 text              the destination
-- $2 double precision  tokens per second (> 0)
-- $3 integer           the burst: the most tokens the bucket holds (>= 1)
-- $4 integer           tokens wanted (>= 0; 0 only asks when the next token is due)
-- Returns one row: granted (integer, 0..$4), and seconds_to_next_token (double precision): 0 when
-- a whole token is left, otherwise how long the refill takes to make one.
--
-- Why it is written this way:
-- - One statement, run on its own (autocommit, never inside the claim's transaction), so the row
--   lock is held only while this statement runs, microseconds, and not through a batch's sending.
--   Two daemons taking at once queue on that lock, and the second reads the first one's row
--   (ON CONFLICT DO UPDATE sees the latest committed version), so no token is granted twice.
-- - The clock is read once (clock_timestamp(), the time of this statement, not of a transaction)
--   and reaches the update through EXCLUDED. A take that read it before waiting for the lock may
--   hold an earlier time than the row: elapsed time never counts below zero and refilled_at never
--   moves back, so no token is made twice.
-- - Changing $2 or $3 (a reload, or daemons configured differently) applies from this take on: a
--   bucket holds at most $3 tokens.
-- - A whole token is one within 1e-9 of a whole number, so the rounding of a refill never leaves a
--   caller that slept for seconds_to_next_token waking to no token.
-- - RETURNING sees only the row as written, so the grant is stored in the row (granted) to be
--   returned.
INSERT INTO outbox.rate_buckets AS b (destination, tokens, refilled_at, granted)
SELECT $1::text, $3::integer - least($4::integer, $3::integer), clock.t, least($4::integer, $3::integer)
  FROM (SELECT clock_timestamp() AS t) clock
    ON CONFLICT (destination) DO UPDATE
   SET (tokens, refilled_at, granted) = (
         SELECT greatest(0, refilled.tokens - taken.n), greatest(b.refilled_at, EXCLUDED.refilled_at), taken.n
           FROM (SELECT least($3::integer,
                              b.tokens + greatest(0, extract(epoch FROM EXCLUDED.refilled_at - b.refilled_at)
                                                        ::double precision) * $2::double precision)
                        AS tokens) refilled,
                LATERAL (SELECT least($4::integer, floor(refilled.tokens + 1e-9))::integer AS n) taken)
RETURNING granted,
          CASE WHEN tokens + 1e-9 >= 1 THEN 0 ELSE (1 - tokens) / $2::double precision END AS seconds_to_next_token
