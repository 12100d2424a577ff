# Soak mode: a steady stream for a long time (default 30 minutes) through the stamp plugin, with
# retention.delivered 10m and the pruner on, as a busy production outbox runs: is anything not
# flat? SOAK_RATE messages a second, each in its own transaction, from SOAK_ENQUEUERS timed_enqueue
# processes (one connection cannot commit 2,000 times a second with fsync on; several share the
# WAL flushes). Every SOAK_SAMPLE_S seconds a sample: the daemon's resident memory, the table's and
# its indexes' size, the time of one GET /metrics (its cached reading expired in between), and the
# pending count. Reported: wake-to-delivery latency (commit returned -> plugin send()) p50/p99 in
# the first, middle and last SOAK_WINDOW_S of the stream, and the first, middle and last samples,
# with the ratio of the last to the first for each. Sourced; needs latency.sh (wait_stamped) and
# api.sh (api_wait_port).

SOAK_RATE=2000
SOAK_ENQUEUERS=8
SOAK_SAMPLE_S=60
SOAK_WINDOW_S=60

# One sample line: elapsed_s rss_kb table_mb indexes_mb scrape_ms pending dead_tuples autovacuums
soak_sample() {
  local elapsed=$1 rss sizes scrape pending vacuum
  rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$DAEMON_PID/status" 2>/dev/null || echo 0)
  sizes=$(sql "SELECT round(pg_table_size('outbox.messages') / 1048576.0, 1) || ' ' ||
                      round(pg_indexes_size('outbox.messages') / 1048576.0, 1)")
  scrape=$(curl -sf -o /dev/null -w '%{time_total}' "http://127.0.0.1:$API_PORT/metrics" || echo -1)
  pending=$(sql "SELECT count(*) FROM outbox.messages WHERE state = 'pending'")
  vacuum=$(sql "SELECT n_dead_tup || ' ' || autovacuum_count FROM pg_stat_user_tables
                 WHERE relid = 'outbox.messages'::regclass")
  echo "$elapsed $rss $sizes $(calc "$scrape * 1000" 2) $pending $vacuum"
}

# Latency (ms) p50 and p99 of the messages committed in [FROM_NS, TO_NS): "P50 P99 N".
soak_latency_window() {
  local joined=$1 from=$2 to=$3
  awk -v from="$from" -v to="$to" '$1 >= from && $1 < to { print $2 }' "$joined" | sort -g |
    awk 'function rank(p,   i) { i = int(p * n); if (i < p * n) i++; return i < 1 ? 1 : i }
         { v[++n] = $1 } END { if (n == 0) { print "- - 0"; exit }
                               printf "%.2f %.2f %d\n", v[rank(0.5)], v[rank(0.99)], n }'
}

run_soak() {
  command -v curl >/dev/null || die "curl not found (./scripts/install-deps installs it)"
  local seconds=$SOAK_SECONDS stamps="$BENCH_LOGS/soak-stamps.txt" config="$BENCH_LOGS/soak.yaml"
  local log="$BENCH_LOGS/soak-daemon.log" samples="$BENCH_LOGS/soak-samples.txt" i
  : >"$stamps"
  daemon_config "$config" notify 10m "$BENCH_TOOLS/stamp.so" "{path: \"$stamps\"}"
  sed -i 's/^  level: warn$/  level: info/' "$config"  # the API's port is read from the log
  printf 'api:\n  listen: "127.0.0.1:0"\n' >>"$config"
  reset_table
  daemon_start "$config" "$log"
  api_wait_port "$log"
  say "soak: $SOAK_RATE msg/s for $seconds s from $SOAK_ENQUEUERS enqueuers, retention.delivered 10m"
  local pids=()
  for i in $(seq "$SOAK_ENQUEUERS"); do
    "$BENCH_TOOLS/timed_enqueue" "$(bench_conninfo)" "$((SOAK_RATE / SOAK_ENQUEUERS))" "$seconds" \
      "$BENCH_LOGS/soak-commits-$i.txt" >"$BENCH_LOGS/soak-enqueue-$i.log" 2>&1 &
    pids+=($!)
  done
  local start now
  start=$(date +%s)
  echo "elapsed_s rss_kb table_mb indexes_mb scrape_ms pending dead_tuples autovacuums" >"$samples"
  while now=$(date +%s) && [ $((now - start)) -lt "$seconds" ]; do
    soak_sample $((now - start)) >>"$samples"
    sleep "$SOAK_SAMPLE_S"
  done
  for i in "${pids[@]}"; do wait "$i" || die "timed_enqueue failed (logs in $BENCH_LOGS)"; done
  soak_sample "$seconds" >>"$samples"
  cat "$BENCH_LOGS"/soak-commits-*.txt >"$BENCH_LOGS/soak-commits.txt"
  wait_stamped "$BENCH_LOGS/soak-commits.txt" "$stamps" 60
  daemon_stop

  # commit_ns latency_ms, per message
  local joined="$BENCH_LOGS/soak-latency.txt" first_ns last_ns mid_ns window_ns
  awk 'NR == FNR { at[$1] = $2; next } ($1 in at) { printf "%s %.3f\n", $2, (at[$1] - $2) / 1e6 }' \
    "$stamps" "$BENCH_LOGS/soak-commits.txt" | sort -n >"$joined"
  first_ns=$(head -n 1 "$joined" | cut -d' ' -f1) last_ns=$(tail -n 1 "$joined" | cut -d' ' -f1)
  window_ns=$((SOAK_WINDOW_S * 1000000000)) mid_ns=$(((first_ns + last_ns) / 2))
  local start_w mid_w end_w
  start_w=$(soak_latency_window "$joined" "$first_ns" $((first_ns + window_ns)))
  mid_w=$(soak_latency_window "$joined" $((mid_ns - window_ns / 2)) $((mid_ns + window_ns / 2)))
  end_w=$(soak_latency_window "$joined" $((last_ns - window_ns)) $((last_ns + 1)))

  report ""
  report "SOAK  $SOAK_RATE msg/s for $seconds s (stamp plugin, retention.delivered 10m, pruner on);" \
    "$(wc -l <"$BENCH_LOGS/soak-commits.txt") committed, $(wc -l <"$joined") delivered"
  report "  latency commit -> send(), ms     p50      p99   messages   (each over ${SOAK_WINDOW_S} s)"
  report "$(printf '  %-28s %7s %8s %10s' start $start_w)"
  report "$(printf '  %-28s %7s %8s %10s' middle $mid_w)"
  report "$(printf '  %-28s %7s %8s %10s' end $end_w)"
  local rows first mid last
  rows=$(($(wc -l <"$samples") - 1))
  first=$(sed -n 2p "$samples") mid=$(sed -n "$((2 + rows / 2))p" "$samples") last=$(tail -n 1 "$samples")
  report "  sample (elapsed s, daemon RSS kB, table MB, indexes MB, GET /metrics ms, pending, dead tuples, autovacuums):"
  report "    start   $first"
  report "    middle  $mid"
  report "    end     $last"
  report "  end / start: RSS $(calc "$(cut -d' ' -f2 <<<"$last") / $(cut -d' ' -f2 <<<"$first") * 100")%," \
    "table $(calc "$(cut -d' ' -f3 <<<"$last") / $(cut -d' ' -f3 <<<"$mid") * 100")% of the middle's" \
    "(the table fills for retention's 10 minutes first), all samples in $samples"
}
