-- Back to 0001's claim index, ordered across every destination. For development only.
CREATE INDEX messages_global_claim_idx ON outbox.messages (priority, seq) WHERE state = 'pending';
DROP INDEX outbox.messages_claim_idx;
ALTER INDEX outbox.messages_global_claim_idx RENAME TO messages_claim_idx;
