-- Every destination an operator has paused at some time, for GET /v1/stats, GET /metrics and
-- `outboxd stats`. No parameters.
-- Returns destination, paused, paused_at (ISO 8601 text as the API writes times; NULL while not
-- paused), in destination order. Takes no row locks; the table has a row per destination ever
-- paused, so it is small.
SELECT destination, paused, to_json(paused_at) #>> '{}'
  FROM outbox.destination_controls
 ORDER BY destination
