# Scrape mode: what GET /metrics costs as the delivered history that retention keeps grows. One
# daemon (retention.delivered 7d, so nothing is pruned), the table grown in steps to 1M and then
# 10M delivered rows, with SCRAPE_PENDING messages pending throughout (scheduled a day ahead, so
# they stay pending and the daemon claims nothing). At each size: SCRAPE_SAMPLES scrapes of
# /metrics, spaced past the daemon's one-second cache of its database reading so that every one
# reads the database, as many of GET /v1/stats, which still counts every state with a scan of
# the table, for comparison, and as many of GET /v1/overview (the dashboard's counts, spaced past
# its two-second reading). The delivered rows are spread over the 7 days retention keeps, as a
# steady flow leaves them (the overview counts the last hour's). Reported: median and worst scrape time per size, the ratio of the
# median at 10M to the median at 1M (target: no growth beyond noise) and the absolute median at
# 10M against the issue's target of 20 ms. Sourced; needs api.sh (api_wait_port).

SCRAPE_PENDING=1000
SCRAPE_SAMPLES=15
SCRAPE_TARGET_MS=20

# Median and worst of a list of milliseconds: "MEDIAN MAX".
scrape_stats() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { printf "%.2f %.2f", v[int((NR + 1) / 2)], v[NR] }'; }

# SCRAPE_SAMPLES timed GETs of PATH, each after the daemon's cached reading expired (it is fresh
# for CACHE seconds, default 1); prints "MEDIAN MAX".
scrape_time() {
  local path=$1 cache=${2:-1} times=() t i
  curl -sf -o /dev/null "http://127.0.0.1:$API_PORT$path" || die "GET $path failed"  # warm-up
  for i in $(seq "$SCRAPE_SAMPLES"); do
    sleep "$(calc "$cache + 0.1" 1)"  # past the cache of the endpoint's database reading
    t=$(curl -sf -o /dev/null -w '%{time_total}' "http://127.0.0.1:$API_PORT$path") || die "GET $path failed"
    times+=("$(calc "$t * 1000" 3)")
  done
  scrape_stats "${times[@]}"
}

# Adds delivered rows until the table holds TOTAL of them, in chunks (one transaction each keeps the
# WAL and the undo small), then VACUUM ANALYZE as autovacuum would have by then.
scrape_fill_to() {
  local total=$1 have chunk=1000000
  have=$(sql "SELECT count(*) FROM outbox.messages WHERE state = 'delivered'")
  say "scrape: growing the delivered history from $have to $total rows"
  while [ "$have" -lt "$total" ]; do
    local n=$((total - have < chunk ? total - have : chunk))
    sql "INSERT INTO outbox.messages (destination, payload, state, attempt, finalized_at)
         SELECT 'bench', '{\"order\": 1, \"note\": \"a delivered message kept by retention\"}', 'delivered', 1,
                now() - (g % 604800) * interval '1 second'
           FROM generate_series(1, $n) g" >/dev/null
    have=$((have + n))
  done
  sql "VACUUM ANALYZE outbox.messages" >/dev/null
}

run_scrape() {
  command -v curl >/dev/null || die "curl not found (./scripts/install-deps installs it)"
  reset_table
  local config="$BENCH_LOGS/scrape.yaml" log="$BENCH_LOGS/scrape-daemon.log"
  api_daemon_config "$config"
  sql "INSERT INTO outbox.messages (destination, payload, available_at)
       SELECT 'bench', '{\"order\": 1}', now() + interval '1 day' FROM generate_series(1, $SCRAPE_PENDING)" >/dev/null
  daemon_start "$config" "$log"
  api_wait_port "$log"
  report ""
  report "scrape: GET /metrics with $SCRAPE_PENDING pending messages and a growing delivered history ($SCRAPE_SAMPLES scrapes each)"
  report "  delivered rows      /metrics median / max     /v1/stats median / max     /v1/overview median / max"
  local size metrics stats overview m1 m10 o1 o10
  for size in 0 1000000 10000000; do
    [ "$size" = 0 ] || scrape_fill_to "$size"
    say "scrape: timing at $size delivered rows"
    metrics=$(scrape_time /metrics)
    stats=$(scrape_time /v1/stats)
    overview=$(scrape_time /v1/overview 2)
    report "$(printf '  %-14s %10s / %-8s ms %14s / %-8s ms %14s / %-8s ms' "$size" ${metrics% *} ${metrics#* } \
      ${stats% *} ${stats#* } ${overview% *} ${overview#* })"
    round_log "scrape $size: metrics $metrics stats $stats overview $overview"
    [ "$size" = 1000000 ] && m1=${metrics% *} && o1=${overview% *}
    [ "$size" = 10000000 ] && m10=${metrics% *} && o10=${overview% *}
  done
  daemon_stop
  report "  /metrics median at 10M / at 1M: $(calc "$m10 / $m1 * 100")% (no growth: ~100%); at 10M: $m10 ms, target <= $SCRAPE_TARGET_MS ms: $(verdict "$m10" "<=" "$SCRAPE_TARGET_MS")"
  report "  /v1/overview median at 10M / at 1M: $(calc "$o10 / $o1 * 100")% (no growth: ~100%)"
}
