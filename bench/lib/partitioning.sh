# Partitioning mode: would time-partitioning the outbox table (dropping a day's partition) beat the
# pruner's DELETEs at the size 7-day retention keeps at 100 msg/s (60M rows)? Measured on the real
# schema: the table is filled with PARTITION_ROWS delivered rows finalized evenly over 7 days in
# insertion order (as a daemon leaves them), VACUUM ANALYZEd as autovacuum would have by then. Then,
# in this order:
#  1. the oldest day's rows are copied into one partition of a table partitioned by day with the
#     same columns and indexes (bench_part.messages), the shape the alternative would have;
#  2. the pruner retires the oldest day with its own statement (sql/queries/message_purge_finished.sql,
#     batches of retention.prune_batch's default, one transaction each, each resuming where the
#     last ended, as core/pruner.cpp runs them): first the
#     autovacuum_vacuum_threshold docs/configuration.md recommends (100,000 rows), then a VACUUM as
#     autovacuum would run at that threshold; then the rest of the day, and a VACUUM;
#  3. that day's partition is dropped.
# Reported for each step: elapsed time and WAL written, and the ratios of the DELETE path to the
# DROP. Needs about 25 GB of disk at 60M rows (--retained N scales it). Sourced; needs common.sh.

PARTITION_ROWS=60000000  # --retained sets it
PARTITION_DAYS=7
PARTITION_PRUNE_BATCH=1000         # retention.prune_batch's default
PARTITION_VACUUM_THRESHOLD=100000  # docs/configuration.md's autovacuum_vacuum_threshold

# Runs SQL and prints "SECONDS WAL_MB" for it (wall time on this side; WAL from the server's LSN).
partition_timed() {
  local before after start end
  before=$(sql "SELECT pg_current_wal_lsn()")
  start=$EPOCHREALTIME
  sql "$1" >/dev/null || die "partitioning: failed: $1"
  end=$EPOCHREALTIME
  after=$(sql "SELECT pg_current_wal_lsn()")
  echo "$(calc "$end - $start" 3) $(sql "SELECT round(pg_wal_lsn_diff('$after', '$before') / 1048576.0, 1)")"
}

# Fills outbox.messages with PARTITION_ROWS delivered rows; row g of n was created and finalized at
# now() - 7 days + g/n of 7 days, so the oldest day is the first seventh of the table, as it is
# when rows finish in about the order they were written.
partition_fill() {
  local total=$PARTITION_ROWS have=0 chunk=2000000 n
  say "partitioning: writing $total delivered rows over $PARTITION_DAYS days"
  while [ "$have" -lt "$total" ]; do
    n=$((total - have < chunk ? total - have : chunk))
    sql "INSERT INTO outbox.messages (destination, payload, state, attempt, created_at, available_at, finalized_at)
         SELECT 'bench', '{\"order\": 1, \"note\": \"a delivered message kept by retention\"}', 'delivered', 1, t, t, t
           FROM (SELECT now() - make_interval(secs => 86400 * $PARTITION_DAYS * (1 - g::float8 / $total)) AS t
                   FROM generate_series($have + 1, $have + $n) AS g) AS s" >/dev/null
    have=$((have + n))
    say "partitioning: $have rows"
  done
  say "partitioning: VACUUM ANALYZE (what autovacuum would have done by now)"
  sql "VACUUM ANALYZE outbox.messages" >/dev/null
}

# bench_part.messages: outbox.messages' columns and indexes, partitioned by day of created_at, with
# one partition holding a copy of the oldest day. Unique indexes become plain ones (a partitioned
# table's unique index must hold the partition key; the write cost is the same).
partition_make_copy() {
  local day_end=$1 def
  sql "SET client_min_messages = warning; DROP SCHEMA IF EXISTS bench_part CASCADE; CREATE SCHEMA bench_part;
       CREATE TABLE bench_part.messages (LIKE outbox.messages INCLUDING DEFAULTS) PARTITION BY RANGE (created_at);
       CREATE TABLE bench_part.messages_day1 PARTITION OF bench_part.messages
         FOR VALUES FROM ('-infinity') TO ('$day_end')" >/dev/null
  while IFS= read -r def; do
    def=${def/CREATE UNIQUE INDEX/CREATE INDEX}
    sql "${def/ ON outbox.messages / ON bench_part.messages }" >/dev/null
  done < <(sql "SELECT indexdef FROM pg_indexes WHERE schemaname = 'outbox' AND tablename = 'messages'")
  sql "INSERT INTO bench_part.messages SELECT * FROM outbox.messages WHERE created_at < '$day_end'" >/dev/null
  sql "VACUUM ANALYZE bench_part.messages" >/dev/null
}

run_partitioning() {
  reset_table
  partition_fill
  local day_end day_rows purge_sql first rest vac1 vac2 drop size
  day_end=$(sql "SELECT now() - interval '$((PARTITION_DAYS - 1)) days'")
  day_rows=$(sql "SELECT count(*) FROM outbox.messages WHERE created_at < '$day_end'")
  size=$(sql "SELECT pg_size_pretty(pg_table_size('outbox.messages')) || ' + ' ||
                     pg_size_pretty(pg_indexes_size('outbox.messages')) || ' of indexes'")
  say "partitioning: copying the oldest day ($day_rows rows) into a partition"
  partition_make_copy "$day_end"

  # The pruner's own statement, run as it runs it: batches of PARTITION_PRUNE_BATCH, each committed
  # and resuming where the last ended. Static SQL in PL/pgSQL, with the statement's parameters
  # turned into variables, is prepared once and planned as the daemon's prepared statement is
  # (five custom plans, then a generic one if it costs no more); EXECUTE would plan every batch
  # afresh, and planning has a cost of its own here (docs/BENCHMARKS.md says which).
  purge_sql=$(grep -v '^--' "$REPO/sql/queries/message_purge_finished.sql" |
    sed 's/\$1/states/; s/\$2/keep_s/; s/\$3/batch_n/; s/\$4/resume_at/')
  sql "CREATE OR REPLACE PROCEDURE bench_prune(keep_s bigint, max_rows bigint) LANGUAGE plpgsql AS \$p\$
       DECLARE states outbox.message_state[] := ARRAY['delivered']; batch_n integer; n bigint; latest text;
               resume_at text := '-infinity'; done_rows bigint := 0;
       BEGIN
         LOOP
           batch_n := least($PARTITION_PRUNE_BATCH, max_rows - done_rows);
           $purge_sql INTO n, latest;
           COMMIT;
           done_rows := done_rows + n;
           EXIT WHEN n = 0 OR done_rows >= max_rows;
           resume_at := latest;  -- as core/pruner.cpp resumes a sweep
         END LOOP;
       END \$p\$" >/dev/null
  local keep_s=$((86400 * (PARTITION_DAYS - 1)))
  sql "CHECKPOINT" >/dev/null
  say "partitioning: the pruner deletes $PARTITION_VACUUM_THRESHOLD rows, then VACUUM"
  first=$(partition_timed "CALL bench_prune($keep_s, $PARTITION_VACUUM_THRESHOLD)")
  vac1=$(partition_timed "VACUUM outbox.messages")
  say "partitioning: the pruner deletes the rest of the day, then VACUUM"
  rest=$(partition_timed "CALL bench_prune($keep_s, $day_rows)")
  vac2=$(partition_timed "VACUUM outbox.messages")
  local left
  left=$(sql "SELECT count(*) FROM outbox.messages WHERE created_at < '$day_end'")
  [ "$left" = 0 ] || die "partitioning: the pruner left $left rows of the oldest day"
  sql "CHECKPOINT" >/dev/null
  say "partitioning: dropping the day's partition"
  drop=$(partition_timed "DROP TABLE bench_part.messages_day1")

  local delete_s=$(calc "${first% *} + ${rest% *}" 3) delete_wal=$(calc "${first#* } + ${rest#* }" 1)
  local vacuum_s=$(calc "${vac1% *} + ${vac2% *}" 3) vacuum_wal=$(calc "${vac1#* } + ${vac2#* }" 1)
  local per_row_us=$(calc "$delete_s / $day_rows * 1000000" 2)
  report ""
  report "partitioning: retiring one day of $PARTITION_DAYS from $PARTITION_ROWS retained rows ($size), $day_rows rows"
  report "  step                                                    seconds       WAL MB"
  report "$(printf '  %-54s %9s %12s' "pruner: first $PARTITION_VACUUM_THRESHOLD rows (batches of $PARTITION_PRUNE_BATCH)" ${first% *} ${first#* })"
  report "$(printf '  %-54s %9s %12s' "VACUUM after them" ${vac1% *} ${vac1#* })"
  report "$(printf '  %-54s %9s %12s' "pruner: the rest of the day" ${rest% *} ${rest#* })"
  report "$(printf '  %-54s %9s %12s' "VACUUM after it" ${vac2% *} ${vac2#* })"
  report "$(printf '  %-54s %9s %12s' "DROP TABLE of the day's partition" ${drop% *} ${drop#* })"
  report "  pruner: $per_row_us us per row; at 100 msg/s that is $(calc "$per_row_us * 100 / 10000" 3) % of a core, plus the VACUUMs"
  report "  DELETE + VACUUM / DROP: time $(calc "($delete_s + $vacuum_s) / ${drop% *}" 0)x; WAL $(calc "$delete_wal + $vacuum_wal" 1) MB against ${drop#* } MB"
  round_log "partitioning rows=$PARTITION_ROWS day=$day_rows first=$first vac1=$vac1 rest=$rest vac2=$vac2 drop=$drop"
}
