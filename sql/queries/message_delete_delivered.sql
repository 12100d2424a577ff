-- Deletes a whole claimed batch that was delivered, when retention.delivered is 0.
-- $1 bigint[] seq of each message (all claimed, and so row-locked, by the caller's transaction)
-- Returns the seq of each row deleted; the caller checks there is one per message.
DELETE FROM outbox.messages
 WHERE seq = ANY ($1::bigint[]) AND state = 'pending'
RETURNING seq
