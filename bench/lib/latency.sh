# Latency mode: one message per transaction at a steady rate against an otherwise idle daemon;
# latency = the stamp plugin's clock at send() - the enqueuer's clock when its commit returned.
# Two rates: 50/s keeps the daemon in its fast-polling linger (20 ms gaps < wakeup.linger 200 ms);
# 2/s lets it go idle before every message, so each one is woken by the trigger's NOTIFY. Sourced.

# Nearest-rank percentiles over "commit_file" joined with "stamp_file" by message id.
# Prints: count notified p50_ms p99_ms max_ms missing
latency_stats() {
  local commits=$1 stamps=$2
  awk 'NR == FNR { at[$1] = $2; next }
       ($1 in at) { printf "%.3f %s\n", (at[$1] - $2) / 1e6, $3; next }
       { printf "missing %s\n", $3 }' "$stamps" "$commits" |
    sort -g |
    awk 'function rank(p,   i) { i = int(p * n); if (i < p * n) i++; return i < 1 ? 1 : i }
         $1 == "missing" { missing++; next }
         { v[++n] = $1; if ($2 == 1) notified++ }
         END { if (n == 0) { print "0 0 - - - " missing + 0; exit }
               printf "%d %d %.2f %.2f %.2f %d\n", n, notified, v[rank(0.5)], v[rank(0.99)], v[n], missing }'
}

# Waits (up to TIMEOUT_S, default 10) until every id in the commit file has a line in the stamp
# file: wait_stamped COMMITS STAMPS [TIMEOUT_S]
wait_stamped() {
  local commits=$1 stamps=$2 timeout=${3:-10} _
  for _ in $(seq $((timeout * 20))); do
    [ "$(awk 'NR == FNR { s[$1]; next } !($1 in s)' "$stamps" "$commits" | wc -l)" = 0 ] && return 0
    sleep 0.05
  done
  say "warning: some messages were not delivered within $timeout s of the last enqueue"
}

# One rate: enqueue for `seconds`, then wait for delivery and add a line to the summary.
latency_phase() {
  local label=$1 rate=$2 seconds=$3 stamps=$4 commits="$BENCH_LOGS/latency-commits-$2.txt"
  # Start each phase from an idle daemon, as a quiet production system would be.
  wait_for_sql "SELECT last_value FROM outbox.wake_wanted" 1 10 || die "daemon did not go idle"
  say "latency ($label): $rate msg/s for $seconds s"
  "$BENCH_TOOLS/timed_enqueue" "$(bench_conninfo)" "$rate" "$seconds" "$commits" ||
    die "timed_enqueue failed"
  wait_stamped "$commits" "$stamps"
  local n notified p50 p99 max missing
  read -r n notified p50 p99 max missing <<<"$(latency_stats "$commits" "$stamps")"
  report "$(printf '  %-24s %5s %9s %8s %8s %8s   p50 %s, p99 %s' "$label" "$n" "$notified" "$p50" "$p99" "$max" \
    "$(verdict "$p50" '<=' 2)" "$(verdict "$p99" '<=' 10)")"
  [ "$missing" = 0 ] || report "    $missing messages were never delivered (see $BENCH_LOGS)"
}

run_latency() {
  local stamps="$BENCH_LOGS/latency-stamps.txt" config="$BENCH_LOGS/latency.yaml" log="$BENCH_LOGS/latency.log"
  : >"$stamps"
  daemon_config "$config" notify 7d "$BENCH_TOOLS/stamp.so" "{path: \"$stamps\"}"
  reset_table
  daemon_start "$config" "$log"
  report ""
  report "LATENCY  commit returned -> plugin send() called, in ms; targets p50 <= 2, p99 <= 10"
  report "$(printf '  %-24s %5s %9s %8s %8s %8s' 'rate' 'n' 'notified' 'p50' 'p99' 'max')"
  latency_phase "50/s (daemon lingering)" 50 "$BENCH_DURATION" "$stamps"
  latency_phase "2/s (idle, NOTIFY wake)" 2 "$((BENCH_DURATION > 30 ? BENCH_DURATION : 30))" "$stamps"
  daemon_stop
}
