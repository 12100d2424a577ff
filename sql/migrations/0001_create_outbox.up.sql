-- 0001: the outbox queue. The table *is* the queue: workers claim rows with FOR UPDATE SKIP LOCKED,
-- and the row lock is the claim, so there is no "running" state and nothing to rescue after a crash.
CREATE SCHEMA IF NOT EXISTS outbox;

CREATE TYPE outbox.message_state AS ENUM ('pending', 'delivered', 'dead', 'cancelled');

-- Time-ordered UUID (version 7 layout: 48-bit Unix milliseconds, then random bits), generated in SQL
-- so every way of inserting (outbox.enqueue, plain INSERT, COPY) gets one. Time order keeps the
-- unique index on id append-mostly instead of scattering inserts over the whole b-tree.
CREATE FUNCTION outbox.uuid_v7() RETURNS uuid
LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
  SELECT encode(
    set_bit(set_bit(
      overlay(uuid_send(gen_random_uuid())
              placing substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
              FROM 1 FOR 6),
      52, 1), 53, 1),
    'hex')::uuid
$$;

CREATE TABLE outbox.messages (
  -- seq first: it is the primary key, the claim order and the keyset-pagination cursor; a bigint
  -- compares and indexes cheaper than a uuid on the hot path.
  seq             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- The public id and the idempotency key every plugin passes on (HTTP header, Message-ID, task id).
  id              uuid NOT NULL DEFAULT outbox.uuid_v7() UNIQUE,
  destination     text NOT NULL CHECK (destination <> ''),
  payload         jsonb NOT NULL,
  headers         jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(headers) = 'object'),
  state           outbox.message_state NOT NULL DEFAULT 'pending',
  attempt         integer NOT NULL DEFAULT 0 CHECK (attempt >= 0),
  -- NULL: the destination's configured default applies (resolved by the daemon at outcome time).
  max_attempts    integer CHECK (max_attempts > 0),
  priority        smallint NOT NULL DEFAULT 0,  -- lower is claimed first
  available_at    timestamptz NOT NULL DEFAULT now(),  -- not before; also "retry at"
  ordering_key    text,
  idempotency_key text,
  last_error      text,
  -- Bounded history of the last failed attempts: [{"attempt": n, "at": ts, "error": "..."}].
  errors          jsonb NOT NULL DEFAULT '[]'::jsonb,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  finalized_at    timestamptz,
  -- finalized_at is set exactly when the message has left the queue for good (or for now).
  CONSTRAINT messages_finalized_matches_state
    CHECK ((state = 'pending') = (finalized_at IS NULL)),
  CONSTRAINT messages_attempt_within_max
    CHECK (max_attempts IS NULL OR attempt <= max_attempts)
);

-- Shaped like the claim query (message_claim.sql): pending rows in (priority, seq) order. A partial
-- index holds only pending rows, so claiming never walks over the delivered history.
CREATE INDEX messages_claim_idx ON outbox.messages (priority, seq) WHERE state = 'pending';

-- The wake-up timer asks for the earliest future available_at among pending rows.
CREATE INDEX messages_available_idx ON outbox.messages (available_at) WHERE state = 'pending';

-- Ordering keys: "is there an earlier pending row with my key?" must be an index probe.
CREATE INDEX messages_ordering_idx ON outbox.messages (ordering_key, seq)
  WHERE state = 'pending' AND ordering_key IS NOT NULL;

-- An idempotency key is unique per destination while its row exists.
CREATE UNIQUE INDEX messages_idempotency_idx ON outbox.messages (destination, idempotency_key)
  WHERE idempotency_key IS NOT NULL;

-- Retention sweeps walk finished rows by age.
CREATE INDEX messages_finalized_idx ON outbox.messages (finalized_at) WHERE state <> 'pending';

-- ---------------------------------------------------------------------------------------------
-- Wake-up signalling. A NOTIFY serialises the commits of every transaction that sent one (a
-- database-wide lock held through the commit flush), so notifying on every enqueue would cap the
-- application's own commit rate. Instead the trigger notifies only while a daemon has said it is
-- idle; a busy daemon polls quickly and needs no notification.
--
-- The "idle" flag is a sequence value, not a table row, because sequence reads ignore MVCC
-- snapshots: a REPEATABLE READ transaction that started before the daemon went idle still sees the
-- current flag. 1 = some daemon sleeps and wants a NOTIFY; 0 = a daemon is polling.
CREATE SEQUENCE outbox.wake_wanted MINVALUE 0 MAXVALUE 1 START 0 NO CYCLE;

-- Closing the race between "the daemon goes idle" and an enqueue that read the flag as 0 just
-- before: each enqueueing transaction holds a shared advisory lock on the "gate" until it ends;
-- a daemon going idle sets the flag to 1, then keeps polling until it can take the gate
-- exclusively (pg_try_advisory_lock: it never queues, so it never stalls new enqueues behind it),
-- which means every transaction that may have read 0 has ended; it releases the gate and polls
-- once more before sleeping. Any transaction that reads the flag afterwards sees 1 and notifies.
CREATE FUNCTION outbox.wake_gate_key() RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$ SELECT 7301946251847263001::bigint $$;

-- Wakes a sleeping daemon if one wants it; safe to call from any transaction that makes rows due.
CREATE FUNCTION outbox.request_wake() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock_shared(outbox.wake_gate_key());
  IF (SELECT last_value FROM outbox.wake_wanted) = 1 THEN
    PERFORM pg_notify('outbox_wake', '');
  END IF;
END
$$;

CREATE FUNCTION outbox.notify_new_messages() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM outbox.request_wake();
  RETURN NULL;
END
$$;

-- Statement-level: a COPY or a multi-row INSERT of 100k rows costs at most one notification.
-- Direct INSERTs and COPY wake the daemon exactly like outbox.enqueue does.
CREATE TRIGGER messages_wake_daemon
  AFTER INSERT ON outbox.messages
  FOR EACH STATEMENT EXECUTE FUNCTION outbox.notify_new_messages();

-- ---------------------------------------------------------------------------------------------
-- The public SQL API: call it inside the application's own transaction, so the business write and
-- the message commit or roll back together. Returns the message id; with an idempotency key that
-- already exists for the destination, returns the existing message's id and inserts nothing.
CREATE FUNCTION outbox.enqueue(
  destination     text,
  payload         jsonb,
  headers         jsonb DEFAULT '{}'::jsonb,
  available_at    timestamptz DEFAULT NULL,
  idempotency_key text DEFAULT NULL,
  ordering_key    text DEFAULT NULL,
  priority        integer DEFAULT 0,  -- integer, so `priority => 5` needs no cast; stored as smallint
  max_attempts    integer DEFAULT NULL
) RETURNS uuid
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  new_id uuid;
BEGIN
  IF destination IS NULL OR destination = '' THEN
    RAISE EXCEPTION 'outbox.enqueue: destination must not be empty';
  END IF;
  IF payload IS NULL THEN
    RAISE EXCEPTION 'outbox.enqueue: payload must not be NULL (use ''null''::jsonb for a JSON null)';
  END IF;
  INSERT INTO outbox.messages AS m
    (destination, payload, headers, available_at, idempotency_key, ordering_key, priority, max_attempts)
  VALUES (enqueue.destination, enqueue.payload, coalesce(enqueue.headers, '{}'::jsonb),
          coalesce(enqueue.available_at, now()), enqueue.idempotency_key, enqueue.ordering_key,
          coalesce(enqueue.priority, 0)::smallint, enqueue.max_attempts)
  ON CONFLICT (destination, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
  RETURNING m.id INTO new_id;
  IF new_id IS NULL THEN
    SELECT m.id INTO new_id FROM outbox.messages m
     WHERE m.destination = enqueue.destination AND m.idempotency_key = enqueue.idempotency_key;
  END IF;
  RETURN new_id;
END
$$;

-- Convenience overload taking a delay instead of a time; calls the one real implementation.
CREATE FUNCTION outbox.enqueue_in(destination text, payload jsonb, delay interval,
                                  headers jsonb DEFAULT '{}'::jsonb)
RETURNS uuid LANGUAGE sql AS $$
  SELECT outbox.enqueue(destination, payload, headers, now() + delay)
$$;
