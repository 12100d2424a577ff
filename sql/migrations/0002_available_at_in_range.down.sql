-- 0002 down: available_at takes any timestamptz again. For development only.
ALTER TABLE outbox.messages DROP CONSTRAINT IF EXISTS messages_available_at_in_range;
DROP FUNCTION IF EXISTS outbox.available_at_in_range(timestamptz);
