-- Writes (or rewrites) one daemon's breaker state for one destination, for `outboxd stats`
-- (migration 0006). One autocommit statement on the publisher's own connection.
-- $1 text    the daemon (hostname:pid)
-- $2 text    the destination
-- $3 text    the state: closed, open or half_open
-- $4 text    the reason: the log line of the change
-- $5 bigint  milliseconds since the change (the daemon's clock is steady, the database's is the
--            one every row shares, so the time is made here)
-- $6 bigint  milliseconds until the next probe while open; NULL otherwise
-- Returns nothing. refreshed_at is set to now(): the daemon is alive.
INSERT INTO outbox.breaker_states AS b (daemon, destination, state, reason, changed_at, next_probe_at, refreshed_at)
VALUES ($1, $2, $3, $4, now() - make_interval(secs => $5::bigint / 1000.0),
        now() + make_interval(secs => $6::bigint / 1000.0), now())
ON CONFLICT (daemon, destination) DO UPDATE
   SET state = EXCLUDED.state, reason = EXCLUDED.reason, changed_at = EXCLUDED.changed_at,
       next_probe_at = EXCLUDED.next_probe_at, refreshed_at = EXCLUDED.refreshed_at
