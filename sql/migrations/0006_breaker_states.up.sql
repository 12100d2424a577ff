-- 0006: each daemon's circuit breakers, for `outboxd stats`. A breaker lives in one daemon's memory
-- (core/circuit_breaker.hpp), while the CLI reads only PostgreSQL; so each daemon writes a row per
-- destination whose breaker has changed state in it (core/breaker_publisher.cpp): on every change,
-- by one short autocommit statement on a connection of its own (never in a delivery transaction,
-- never in a worker's way), and again every 30 s, which repairs a write that failed and shows that
-- the daemon is alive (refreshed_at). A clean stop deletes the daemon's rows; the rows of a daemon
-- that died are shown with their age and deleted by any daemon once 10 minutes old.
--
-- No row for a daemon and destination: that breaker never changed state there (closed, or off).
-- `daemon` is hostname:pid, as the daemon logs it at start.
--
-- UNLOGGED, on purpose: the rows mirror memory and are rewritten every 30 s, so they need no WAL and
-- no crash safety; after a crash, or on a promoted standby, the table starts empty.
CREATE UNLOGGED TABLE outbox.breaker_states (
  daemon        text NOT NULL,
  destination   text NOT NULL,
  state         text NOT NULL CHECK (state IN ('closed', 'open', 'half_open')),
  -- The log line of the change, e.g. "breaker of mail opened after 5 consecutive failures; ...".
  reason        text NOT NULL,
  changed_at    timestamptz NOT NULL,
  -- While open: when the next probe may go. NULL otherwise.
  next_probe_at timestamptz,
  refreshed_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (daemon, destination)
);
