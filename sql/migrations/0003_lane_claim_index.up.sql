-- 0003: the claim index leads with the destination, because each destination now claims on its
-- own (its lane, docs/architecture.md): message_claim.sql asks for one destination's due rows in
-- (priority, seq) order. With (priority, seq) alone, a claim for a quiet destination walked over
-- every pending row of a busy or throttled one (a 50,000-row backlog that is rate-limited, say)
-- before finding its own. Replaced, not added: one more index on the hot insert path would cost
-- every enqueue.
--
-- The index is partial (pending rows only), but building it reads the whole table once, under the
-- SHARE lock of a plain CREATE INDEX, held until this migration commits: enqueues wait for it.
-- On a table with a long delivered history, apply it at a quiet time (or shorten retention first).
DROP INDEX outbox.messages_claim_idx;
CREATE INDEX messages_claim_idx ON outbox.messages (destination, priority, seq) WHERE state = 'pending';
