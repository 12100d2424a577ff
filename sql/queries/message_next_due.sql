-- When is the earliest pending message of the loaded destinations due in the future?
-- $1 text[] destination names this daemon has loaded
-- Returns one row: milliseconds from now until it is due, or NULL when nothing is scheduled.
-- Takes no row locks; uses messages_available_idx.
-- Only rows within outbox.available_at_in_range count: the difference of an infinite time has no
-- milliseconds, and a row outside the range is due for the claim at once anyway (it makes it dead).
-- So the answer is at most about 2200 - now, which the caller's nanosecond arithmetic holds.
SELECT ceil(extract(epoch FROM (min(available_at) - clock_timestamp())) * 1000)::bigint
  FROM outbox.messages
 WHERE state = 'pending' AND available_at > clock_timestamp() AND outbox.available_at_in_range(available_at)
   AND destination = ANY ($1::text[])
