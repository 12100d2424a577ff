# HTTP API mode: enqueues through POST /v1/messages (wrk, loopback) against the same INSERT through
# pgbench (SELECT outbox.enqueue(), one per transaction), with the daemon running and delivering to
# the null plugin in both cases. The two sides alternate which goes first for BENCH_ROUNDS rounds.
# The ratio is what HTTP, JSON and the API's connection pool cost on top of the same INSERT. Sourced.

API_WRK_THREADS=2 API_WRK_CONNECTIONS=8  # 8 connections, as the enqueue mode's 8 pgbench clients

# wrk is a Debian package; installed when missing (needs root, as the rest of the bench does).
api_need_wrk() {
  command -v wrk >/dev/null && return 0
  say "installing wrk (apt-get install -y wrk)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y wrk >"$BENCH_LOGS/apt-wrk.log" 2>&1 ||
    { cat "$BENCH_LOGS/apt-wrk.log" >&2; die "apt-get install wrk failed"; }
  command -v wrk >/dev/null || die "wrk not found after installing it"
}

# The enqueue mode's daemon config plus the API on a free loopback port; log.level info, because
# the port is read from the "api: listening on HOST:PORT" line (the API logs no line per request).
api_daemon_config() {
  daemon_config "$1" notify 7d null '{}'
  sed -i 's/^  level: warn$/  level: info/' "$1"
  cat >>"$1" <<YAML
api:
  listen: "127.0.0.1:0"
  threads: $BENCH_API_THREADS
YAML
}

# Sets API_PORT from the daemon log; fails after 20 s.
api_wait_port() {
  local log=$1 waited=0 addr
  until addr=$(sed -n 's/.*api: listening on \([0-9.]*:[0-9]*\).*/\1/p' "$log" | tail -n 1) && [ -n "$addr" ]; do
    sleep 0.05
    waited=$((waited + 1))
    [ "$waited" -le 400 ] || { cat "$log" >&2; die "outboxd did not log 'api: listening on' (log: $log)"; }
  done
  API_PORT=${addr##*:}
}

# wrk's latency figure (e.g. 1.23ms, 850.00us, 1.02s) in milliseconds.
api_to_ms() {
  awk -v v="$1" 'BEGIN { n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    f = (u == "us") ? 0.001 : (u == "ms") ? 1 : (u == "s") ? 1000 : (u == "m") ? 60000 : -1
    if (f < 0) exit 1; printf "%.2f", n * f }'
}

# One run: api_run SIDE ROUND, SIDE is api or pgbench. Starts a daemon (API on), measures, stops it.
# Sets RATE (enqueues/s), LAT (ms: wrk's p99 for api, pgbench's average for pgbench), BACKLOG.
api_run() {
  local side=$1 round=$2 log="$BENCH_LOGS/api-$1-r$2.log" config="$BENCH_LOGS/api-$1-r$2.yaml"
  reset_table
  api_daemon_config "$config"
  daemon_start "$config" "$log"
  api_wait_port "$log"
  if [ "$side" = api ]; then
    local out="$BENCH_LOGS/api-wrk-r$round.txt"
    wrk -t"$API_WRK_THREADS" -c"$API_WRK_CONNECTIONS" -d"${BENCH_DURATION}s" --latency \
      -s "$BENCH_SRC/wrk/post_message.lua" "http://127.0.0.1:$API_PORT" >"$out" 2>&1 ||
      { cat "$out" >&2; die "wrk failed (output: $out)"; }
    local non2xx socket p99
    RATE=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$out")
    p99=$(awk '$1 == "99%" { print $2 }' "$out")
    non2xx=$(sed -n 's/^non-2xx responses: \([0-9]*\).*/\1/p' "$out")
    socket=$(sed -n 's/^ *Socket errors: //p' "$out")
    [ -n "$RATE" ] && [ -n "$p99" ] && [ -n "$non2xx" ] || { cat "$out" >&2; die "cannot read the wrk output ($out)"; }
    [ "$non2xx" = 0 ] || { cat "$out" >&2; die "$non2xx responses were not 2xx (wrk output: $out, daemon log: $log)"; }
    [ -z "$socket" ] || { cat "$out" >&2; die "wrk socket errors: $socket (output: $out)"; }
    LAT=$(api_to_ms "$p99") || die "unknown latency unit in '$p99' ($out)"
  else
    enqueue_pgbench "$log"
    RATE=$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time)/\1/p' "$log" | tail -n 1)
    LAT=$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' "$log" | tail -n 1)
    [ -n "$RATE" ] && [ -n "$LAT" ] || die "no tps or latency in the pgbench output (log: $log)"
  fi
  BACKLOG=$(sql "SELECT count(*) FROM outbox.messages WHERE state = 'pending'")
  local enqueued
  enqueued=$(sql "SELECT count(*) FROM outbox.messages")
  daemon_stop
  round_log "api round=$round side=$side rate=$RATE latency_ms=$LAT backlog=$BACKLOG enqueued=$enqueued"
}

run_api() {
  api_need_wrk
  local round apis=() pgs=() ratios=() p99s=() pglats=() api_backlog pg_backlog
  for round in $(seq "$BENCH_ROUNDS"); do
    say "http api, round $round/$BENCH_ROUNDS: wrk -c$API_WRK_CONNECTIONS and pgbench -c$ENQUEUE_CLIENTS, ${BENCH_DURATION}s each"
    local sides=(api pgbench) side
    [ $((round % 2)) = 1 ] || sides=(pgbench api)
    for side in "${sides[@]}"; do
      api_run "$side" "$round"
      if [ "$side" = api ]; then
        apis+=("$RATE") p99s+=("$LAT") api_backlog=$BACKLOG
      else
        pgs+=("$RATE") pglats+=("$LAT") pg_backlog=$BACKLOG
      fi
    done
    ratios+=("$(calc "100 * ${apis[-1]} / ${pgs[-1]}" 1)")
    round_log "api round=$round api=${apis[-1]} pgbench=${pgs[-1]} ratio=${ratios[-1]}% api_p99_ms=${p99s[-1]} pgbench_avg_ms=${pglats[-1]}"
  done

  report ""
  report "HTTP API ENQUEUE  POST /v1/messages (wrk -t$API_WRK_THREADS -c$API_WRK_CONNECTIONS, api.threads $BENCH_API_THREADS) vs the same"
  report "  outbox.enqueue() through pgbench (-c$ENQUEUE_CLIENTS), ${BENCH_DURATION}s per run, daemon delivering to null in both"
  report "$(printf '  %-34s %13s %12s %9s   %s' 'client' 'enqueue rate' 'latency' 'backlog' 'vs pgbench')"
  report "$(printf '  %-34s %9.0f /s %9s ms %9s   %s' 'pgbench, SQL (baseline)' "$(median "${pgs[@]}")" "$(median "${pglats[@]}")" "$pg_backlog" '100.0%   (latency: average)')"
  report "$(printf '  %-34s %9.0f /s %9s ms %9s   %s' 'wrk, POST /v1/messages' "$(median "${apis[@]}")" "$(median "${p99s[@]}")" "$api_backlog" "$(median "${ratios[@]}")%   (latency: p99)")"
  report "$(printf '  %-34s per-round ratios: %s' '' "${ratios[*]/%/%}")"
  report "  (no target; every API answer was 2xx; backlog: messages still pending at the end, last run of each)"
}
