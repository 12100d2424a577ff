-- Locks the rows of messages this daemon sent but could not record (core/kept_outcomes.hpp), so
-- their kept outcomes can be written now.
-- $1 bigint[] seq of each such message
-- Returns, for every seq in $1: seq; attempt, state and xmin (as text) when this transaction now
-- holds the row's lock (NULL when another transaction holds it, or the row is gone); and whether
-- the row exists. The caller writes a kept outcome only to a row still pending in the version it
-- was sent from (same xmin: no change committed since, such as an operator's cancel and retry);
-- a row another transaction holds is left for later, one that moved on or is gone is settled.
-- Locks: FOR UPDATE SKIP LOCKED on each row returned with an attempt, until the transaction ends.
WITH mine AS (
  SELECT m.seq, m.attempt, m.state, m.xmin
    FROM outbox.messages m
   WHERE m.seq = ANY ($1::bigint[])
     FOR UPDATE SKIP LOCKED
)
SELECT k.seq, mine.attempt, mine.state::text,
       EXISTS (SELECT 1 FROM outbox.messages e WHERE e.seq = k.seq), mine.xmin::text
  FROM unnest($1::bigint[]) AS k(seq)
  LEFT JOIN mine ON mine.seq = k.seq
