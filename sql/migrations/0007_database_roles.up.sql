-- 0007: database roles, so that an application role can enqueue without owning the outbox, a
-- dashboard can read without changing anything, and the daemon can run without owning the schema
-- (docs/sql-api.md#database-roles):
--
--   outbox_producer  enqueue only, inside the application's own transactions: outbox.enqueue,
--                    outbox.enqueue_in and a plain INSERT (or COPY) of the columns a producer
--                    sets; never reads a message, never changes one.
--   outbox_reader    reads every table of the schema (dashboards, `outboxd stats`).
--   outbox_daemon    what a running daemon needs: read and write the tables, raise the wake flag.
--                    Migrations stay with the schema's owner (`outboxd migrate`).
--
-- Grant them to login roles: GRANT outbox_producer TO app. They are NOLOGIN group roles.
--
-- Roles belong to the cluster, not to one database: several outbox databases on one cluster share
-- them, each granting them rights on its own schema. Creating a role needs CREATEROLE; a migrating
-- role without it gets a warning naming what to run instead, and the rest of the migration (which
-- grants to the roles that do exist) goes on, so an upgrade never stops on it.
DO $$
DECLARE
  name text;
BEGIN
  FOREACH name IN ARRAY ARRAY['outbox_producer', 'outbox_reader', 'outbox_daemon'] LOOP
    CONTINUE WHEN EXISTS (SELECT 1 FROM pg_roles WHERE rolname = name);
    BEGIN
      EXECUTE format('CREATE ROLE %I NOLOGIN', name);
    EXCEPTION
      WHEN duplicate_object OR unique_violation THEN
        NULL;  -- another database's migration created it at the same moment
      WHEN insufficient_privilege THEN
        RAISE WARNING 'outbox: role % not created: the migrating role lacks CREATEROLE; a role that has it can run '
                      'CREATE ROLE % NOLOGIN, and then the grants of docs/sql-api.md#database-roles', name, name;
    END;
  END LOOP;
END
$$;

-- The functions a producer calls run with their owner's rights (SECURITY DEFINER), so that a
-- producer needs no right on the table itself: with an idempotency key that exists, outbox.enqueue
-- reads the existing row's id, which a producer could not. Their search_path is fixed, as every
-- SECURITY DEFINER function's must be (a caller's own objects must not stand in for ours); their
-- bodies name every object of ours with its schema. PUBLIC loses EXECUTE on them: a definer's
-- function callable by everyone who may use the schema would let a reader enqueue.
ALTER FUNCTION outbox.enqueue(text, jsonb, jsonb, timestamptz, text, text, integer, integer)
  SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION outbox.enqueue_in(text, jsonb, interval, jsonb)
  SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
-- Run by the INSERT trigger as whoever inserts (a producer's plain INSERT too): it reads the wake
-- flag and takes the wake gate, which a producer has no right to do itself.
ALTER FUNCTION outbox.request_wake() SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
REVOKE EXECUTE ON FUNCTION outbox.enqueue(text, jsonb, jsonb, timestamptz, text, text, integer, integer),
  outbox.enqueue_in(text, jsonb, interval, jsonb), outbox.request_wake() FROM PUBLIC;

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'outbox_producer') THEN
    GRANT USAGE ON SCHEMA outbox TO outbox_producer;
    GRANT EXECUTE ON FUNCTION outbox.enqueue(text, jsonb, jsonb, timestamptz, text, text, integer, integer),
      outbox.enqueue_in(text, jsonb, interval, jsonb), outbox.request_wake() TO outbox_producer;
    -- A plain INSERT or COPY of what a producer decides; state, attempts, errors and times keep
    -- their defaults. ON CONFLICT DO NOTHING works with INSERT alone; no SELECT, so RETURNING is
    -- refused (outbox.enqueue returns the id).
    GRANT INSERT (destination, payload, headers, available_at, idempotency_key, ordering_key, priority,
                  max_attempts) ON outbox.messages TO outbox_producer;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'outbox_reader') THEN
    GRANT USAGE ON SCHEMA outbox TO outbox_reader;
    GRANT SELECT ON ALL TABLES IN SCHEMA outbox TO outbox_reader;
    GRANT SELECT ON SEQUENCE outbox.wake_wanted TO outbox_reader;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'outbox_daemon') THEN
    GRANT USAGE ON SCHEMA outbox TO outbox_daemon;
    GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA outbox TO outbox_daemon;
    GRANT SELECT, UPDATE ON SEQUENCE outbox.wake_wanted TO outbox_daemon;  -- setval: the wake flag
    GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA outbox TO outbox_daemon;
  END IF;
END
$$;
