-- Every daemon's breaker rows, for `outboxd stats`. No parameters.
-- Returns daemon, destination, state, reason, changed_at and next_probe_at (ISO 8601 text as the
-- API writes times; next_probe_at NULL unless open), seconds since the change, seconds until the
-- next probe (NULL unless open; negative when overdue) and seconds since the daemon last refreshed
-- the row (over 30 s or so: the daemon may have stopped), in destination, then daemon, order.
-- Takes no row locks; the table holds a row per daemon and destination whose breaker changed.
SELECT daemon, destination, state, reason,
       to_json(changed_at) #>> '{}', to_json(next_probe_at) #>> '{}',
       extract(epoch FROM now() - changed_at)::float8,
       extract(epoch FROM next_probe_at - now())::float8,
       extract(epoch FROM now() - refreshed_at)::float8
  FROM outbox.breaker_states
 ORDER BY destination, daemon
