-- 0003: the claim index leads with the destination, because each destination now claims on its
-- own (its lane, docs/architecture.md): message_claim.sql asks for one destination's due rows in
-- (priority, seq) order. With (priority, seq) alone, a claim for a quiet destination walked over
-- every pending row of a busy or throttled one (a 50,000-row backlog that is rate-limited, say)
-- before finding its own. Replaced, not added: one more index on the hot insert path would cost
-- every enqueue.
--
-- Locks, in this order, all held until the migration commits:
-- - CREATE INDEX takes a SHARE lock: reads and claims go on, enqueues wait while it reads the
--   table once (the index holds pending rows only, but building it reads every row). On a table
--   with a long delivered history, apply it at a quiet time, or shorten retention first.
-- - DROP INDEX takes an ACCESS EXCLUSIVE lock, which blocks reads too, but only from the end of
--   the build to the commit, moments later: the new index is built first and under another name.
-- (CREATE INDEX CONCURRENTLY would take neither, but cannot run inside the migration's transaction.)
CREATE INDEX messages_lane_claim_idx ON outbox.messages (destination, priority, seq) WHERE state = 'pending';
DROP INDEX outbox.messages_claim_idx;
ALTER INDEX outbox.messages_lane_claim_idx RENAME TO messages_claim_idx;
