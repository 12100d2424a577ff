-- When is the earliest pending message of the loaded destinations due in the future?
-- $1 text[] destination names this daemon has loaded
-- Returns one row: milliseconds from now until it is due, or NULL when nothing is scheduled.
-- Takes no row locks; uses messages_available_idx.
SELECT ceil(extract(epoch FROM (min(available_at) - clock_timestamp())) * 1000)::bigint
  FROM outbox.messages
 WHERE state = 'pending' AND available_at > clock_timestamp() AND destination = ANY ($1::text[])
