-- 0008: an index of the dead and cancelled messages, for the dashboard (GET /v1/overview, /ui).
--
-- The overview counts each destination's dead and cancelled messages every few seconds while an
-- operator looks at it. Without an index of their own that count reads the whole table, delivered
-- history included (2.6 s at 10 million rows, GET /v1/stats); with it, it reads the dead and
-- cancelled rows only, which are few unless something is badly wrong. The same index serves the
-- dashboard's list of a destination's dead messages, newest first (message_list.sql walks it by
-- seq). Its cost on the hot path is small: a row enters it only when it dies or is cancelled, and
-- leaves it when it is retried or pruned; enqueues and deliveries never touch it.
--
-- Locks: CREATE INDEX takes a SHARE lock: reads and claims go on, enqueues and outcome writes wait
-- while it reads the table once (the index holds few rows, but building it reads every row). On a
-- table with a long delivered history, apply it at a quiet time, or shorten retention first.
CREATE INDEX messages_stopped_idx ON outbox.messages (state, destination, seq)
  WHERE state IN ('dead', 'cancelled');
