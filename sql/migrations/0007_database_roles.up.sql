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
    -- A role of that name made by someone else, to log in with, gets no rights from us.
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = name AND (rolcanlogin OR rolsuper)) THEN
      RAISE WARNING 'outbox: role % exists and can log in (or is a superuser); it is not the NOLOGIN group role '
                    'this migration makes, so it is granted nothing: rename it, then grant by hand '
                    '(docs/sql-api.md#database-roles)', name;
      CONTINUE;
    END IF;
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
-- The INSERT trigger's function runs as whoever inserts (a producer's plain INSERT too); as its
-- owner, it reads the wake flag and takes the wake gate, which a producer has no right to do
-- itself, and it needs no EXECUTE right of the inserter (a trigger's function is checked when the
-- trigger is made, not when it fires), so roles that insert without calling our functions keep
-- working. request_wake() likewise, for roles that call it after making rows due by hand.
ALTER FUNCTION outbox.notify_new_messages() SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION outbox.request_wake() SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

-- Upgrading must not break producers that work today: a role that may insert into the table was
-- set up by hand (nothing said how before this migration) and may enqueue through the functions
-- that PUBLIC could execute until now; it keeps that right, granted to it by name.
DO $$
DECLARE
  grantee text;
BEGIN
  FOR grantee IN
    SELECT DISTINCT pg_get_userbyid(a.grantee)
      FROM pg_class c, aclexplode(c.relacl) a
     WHERE c.oid = 'outbox.messages'::regclass AND a.privilege_type = 'INSERT'
       AND a.grantee <> c.relowner AND a.grantee <> 0
  LOOP
    EXECUTE format('GRANT EXECUTE ON FUNCTION outbox.enqueue(text, jsonb, jsonb, timestamptz, text, text, integer, '
                   'integer), outbox.enqueue_in(text, jsonb, interval, jsonb), outbox.request_wake() TO %I', grantee);
  END LOOP;
  -- PUBLIC itself may insert: then everyone enqueues today, and everyone keeps doing so.
  IF EXISTS (SELECT 1 FROM pg_class c, aclexplode(c.relacl) a
              WHERE c.oid = 'outbox.messages'::regclass AND a.privilege_type = 'INSERT' AND a.grantee = 0) THEN
    RAISE WARNING 'outbox: PUBLIC may insert into outbox.messages, so every role keeps enqueueing; revoke that '
                  'and grant outbox_producer instead (docs/sql-api.md#database-roles)';
  ELSE
    REVOKE EXECUTE ON FUNCTION outbox.enqueue(text, jsonb, jsonb, timestamptz, text, text, integer, integer),
      outbox.enqueue_in(text, jsonb, interval, jsonb), outbox.request_wake() FROM PUBLIC;
  END IF;
END
$$;

-- Functions that run as whoever inserts (a column default, a CHECK) name everything with its
-- schema: a producer that may create objects in a schema of its own, and puts that schema first
-- on its search_path, could otherwise stand in its own gen_random_uuid() (and choose message ids)
-- or its own >= (and pass the range CHECK). Same bodies as in 0001 and 0002; no SET clause, so the
-- range check stays inlinable into the claim.
CREATE OR REPLACE FUNCTION outbox.uuid_v7() RETURNS uuid
LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
  SELECT pg_catalog.encode(
    pg_catalog.set_bit(pg_catalog.set_bit(
      pg_catalog.overlay(pg_catalog.uuid_send(pg_catalog.gen_random_uuid()),
              pg_catalog.substring(pg_catalog.int8send(pg_catalog.floor(
                pg_catalog.extract('epoch', pg_catalog.clock_timestamp()) OPERATOR(pg_catalog.*) 1000)::bigint), 3),
              1, 6),
      52, 1), 53, 1),
    'hex')::pg_catalog.uuid
$$;
CREATE OR REPLACE FUNCTION outbox.available_at_in_range(t timestamptz) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT t OPERATOR(pg_catalog.>=) pg_catalog.timestamptz '1970-01-01 00:00:00+00'
     AND t OPERATOR(pg_catalog.<) pg_catalog.timestamptz '2200-01-01 00:00:00+00'
$$;

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'outbox_producer' AND NOT rolcanlogin AND NOT rolsuper) THEN
    GRANT USAGE ON SCHEMA outbox TO outbox_producer;
    GRANT EXECUTE ON FUNCTION outbox.enqueue(text, jsonb, jsonb, timestamptz, text, text, integer, integer),
      outbox.enqueue_in(text, jsonb, interval, jsonb), outbox.request_wake() TO outbox_producer;
    -- A plain INSERT or COPY of what a producer decides; state, attempts, errors and times keep
    -- their defaults. No SELECT: RETURNING is refused (outbox.enqueue returns the id), and so is an
    -- ON CONFLICT naming its conflict columns (PostgreSQL wants SELECT on them); a bare
    -- ON CONFLICT DO NOTHING works.
    GRANT INSERT (destination, payload, headers, available_at, idempotency_key, ordering_key, priority,
                  max_attempts) ON outbox.messages TO outbox_producer;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'outbox_reader' AND NOT rolcanlogin AND NOT rolsuper) THEN
    GRANT USAGE ON SCHEMA outbox TO outbox_reader;
    GRANT SELECT ON ALL TABLES IN SCHEMA outbox TO outbox_reader;
    GRANT SELECT ON SEQUENCE outbox.wake_wanted TO outbox_reader;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'outbox_daemon' AND NOT rolcanlogin AND NOT rolsuper) THEN
    GRANT USAGE ON SCHEMA outbox TO outbox_daemon;
    GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA outbox TO outbox_daemon;
    GRANT SELECT, UPDATE ON SEQUENCE outbox.wake_wanted TO outbox_daemon;  -- setval: the wake flag
    GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA outbox TO outbox_daemon;
  END IF;
END
$$;
