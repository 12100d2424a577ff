-- 0004: token buckets for destinations whose rate limit is shared by every daemon on this database
-- (rate_limit with shared: true). One row per destination, written only by
-- sql/queries/rate_take_shared.sql, which refills a bucket by the time elapsed since refilled_at,
-- takes what it grants and inserts a missing row full. A daemon-local limit keeps its bucket in
-- memory (core/rate_limiter.hpp) and never touches this table.
--
-- UNLOGGED, on purpose: every take is a commit of its own, and a commit that wrote only to unlogged
-- tables writes no WAL to flush, so a take does not wait for the disk. The state is of the moment:
-- after a crash the table is empty, and each bucket starts full again when next used, which lets
-- through at most one extra burst. A standby has no rows either, so a promoted one starts the same way.
--
-- granted: what the last take granted. RETURNING sees only the row as written, not the tokens it
-- held before, so the take stores its grant in the row to return it.
CREATE UNLOGGED TABLE outbox.rate_buckets (
  destination text PRIMARY KEY,
  tokens      double precision NOT NULL,
  refilled_at timestamptz NOT NULL,
  granted     integer NOT NULL DEFAULT 0
);
