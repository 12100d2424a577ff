-- Back to 0001's claim index, ordered across every destination.
DROP INDEX outbox.messages_claim_idx;
CREATE INDEX messages_claim_idx ON outbox.messages (priority, seq) WHERE state = 'pending';
