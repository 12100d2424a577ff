-- 0005: operator controls per destination, kept in the database. First: pause and resume.
--
-- Why a table and not a config key: a pause must hold for every daemon on this database at once
-- and survive their restarts and reloads, and an operator must be able to set it without editing
-- and reloading every daemon's file (POST /v1/destinations/{name}/pause, `outboxd pause NAME`).
-- The claim (sql/queries/message_claim.sql) reads the paused names once per statement.
--
-- A row exists only for a destination an operator has paused at least once: no row means not
-- paused. Resuming keeps the row (paused = false), so updated_at still says when it last changed.
-- No foreign key to anything: destinations live in the daemons' config files, not in the database,
-- and a destination may be paused before any message for it exists.
CREATE TABLE outbox.destination_controls (
  destination text PRIMARY KEY CHECK (destination <> ''),
  paused      boolean NOT NULL DEFAULT false,
  -- When the current pause began (set by destination_pause.sql); NULL while not paused.
  paused_at   timestamptz,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- A resume must wake a sleeping daemon: while the destination was paused the daemon may have gone
-- idle with its messages due, and nothing else would tell it before wakeup.safety_poll. Row
-- triggers, so a resume written by hand in SQL (UPDATE ... SET paused = false, or DELETE) wakes it
-- exactly like the API and the CLI do; they fire only when a pause ends, never on a pause. Their
-- function is the one the INSERT trigger on outbox.messages runs (0001): outbox.request_wake().
CREATE TRIGGER destination_controls_wake_on_resume
  AFTER UPDATE OF paused ON outbox.destination_controls
  FOR EACH ROW WHEN (OLD.paused AND NOT NEW.paused) EXECUTE FUNCTION outbox.notify_new_messages();

CREATE TRIGGER destination_controls_wake_on_delete
  AFTER DELETE ON outbox.destination_controls
  FOR EACH ROW WHEN (OLD.paused) EXECUTE FUNCTION outbox.notify_new_messages();
