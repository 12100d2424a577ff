# asynq mode: N messages drained by outboxd into a local redis-server through the asynq plugin,
# once with pipelining (a batch per round trip, the default) and once with `pipeline: false` (one
# command and one round trip per message, the baseline), alternating which goes first; plus the same
# drain with the null plugin, for the daemon's own limit at that moment. Sourced.

# The Redis port: the bench port + 10000, above Linux's ephemeral range (32768-60999), so it neither
# collides with another engineer's bench (their bench ports differ) nor with a client socket.
asynq_redis_port() { echo $((BENCH_PORT + 10000)); }

ASYNQ_REDIS_PID=

asynq_redis_start() {
  local port
  port=$(asynq_redis_port)
  command -v redis-server >/dev/null || die "redis-server not found (scripts/install-deps installs it)"
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$BENCH_DIR" \
    --logfile "$BENCH_LOGS/redis.log" --daemonize no &
  ASYNQ_REDIS_PID=$!
  local waited=0
  until redis-cli -p "$port" PING >/dev/null 2>&1; do
    sleep 0.05
    waited=$((waited + 1))
    [ "$waited" -le 200 ] || die "redis-server did not answer on port $port (log: $BENCH_LOGS/redis.log)"
  done
}

asynq_redis_stop() {
  [ -n "$ASYNQ_REDIS_PID" ] || return 0
  kill "$ASYNQ_REDIS_PID" 2>/dev/null || true
  wait "$ASYNQ_REDIS_PID" 2>/dev/null || true
  ASYNQ_REDIS_PID=
}

# One measurement: asynq_side true|false|null LOG; sets RATE (msg/s). true/false: the asynq plugin
# with that `pipeline`, checking every message reached Redis; null: the null plugin.
asynq_side() {
  local pipeline=$1 log=$2 port config="$BENCH_LOGS/asynq-pipeline-$1.yaml" got
  port=$(asynq_redis_port)
  reset_table
  redis-cli -p "$port" FLUSHALL >/dev/null
  if [ "$pipeline" = null ]; then
    daemon_config "$config" notify 7d null '{}'
  else
    daemon_config "$config" notify 7d asynq \
      "{address: \"127.0.0.1:$port\", task_type: \"bench:run\", pipeline: $pipeline}"
  fi
  # Any free API port: another daemon on the machine may hold the default 3080.
  printf 'api:\n  listen: "127.0.0.1:0"\n' >>"$config"
  daemon_start "$config" "$log"
  drain_opts
  "$BENCH_TOOLS/drain_timer" "${DRAIN_OPTS[@]}" "$(bench_conninfo)" "$ASYNQ_MESSAGES" 600 >"$BENCH_LOGS/drain.out" 2>>"$log" ||
    die "asynq run failed (log: $log)"
  daemon_stop
  if [ "$pipeline" != null ]; then
    got=$(redis-cli -p "$port" LLEN 'asynq:{default}:pending')
    [ "$got" = "$ASYNQ_MESSAGES" ] || die "expected $ASYNQ_MESSAGES tasks in asynq:{default}:pending, found $got"
  fi
  got=$(sql "SELECT count(*) FROM outbox.messages WHERE state <> 'delivered'")
  [ "$got" = 0 ] || die "expected every message delivered, found $got not delivered"
  cat "$BENCH_LOGS/drain.out" >>"$log"
  RATE=$(awk -v n="$ASYNQ_MESSAGES" '{ sub(/.*drain_s=/, ""); printf "%.0f", n / $1 }' "$BENCH_LOGS/drain.out")
}

run_asynq() {
  local log="$BENCH_LOGS/asynq.log" round p u n pipelined=() single=() nulls=() ratios=() of_null=()
  ASYNQ_MESSAGES=$BENCH_MESSAGES
  asynq_redis_start
  for round in $(seq "$BENCH_ROUNDS"); do
    say "asynq, round $round/$BENCH_ROUNDS"
    if [ $((round % 2)) = 1 ]; then
      asynq_side false "$log"; u=$RATE
      asynq_side true "$log"; p=$RATE
      asynq_side null "$log"; n=$RATE
    else
      asynq_side null "$log"; n=$RATE
      asynq_side true "$log"; p=$RATE
      asynq_side false "$log"; u=$RATE
    fi
    pipelined+=("$p") single+=("$u") nulls+=("$n") ratios+=("$(calc "$p / $u" 2)") of_null+=("$(calc "100 * $p / $n" 1)")
    round_log "asynq round=$round one_per_message=$u pipelined=$p null_plugin=$n ratio=${ratios[-1]}x pipelined_of_null=${of_null[-1]}%"
  done
  asynq_redis_stop
  report ""
  report "ASYNQ  $ASYNQ_MESSAGES messages into redis-server $(redis-server --version | awk '{ print $3 }' | sed 's/v=//') on 127.0.0.1:$(asynq_redis_port), $BENCH_WORKERS workers, batch $BENCH_BATCH"
  report "$(printf '  %-34s %16s %16s %8s' '' 'one per message' 'pipelined' 'ratio')"
  report "$(printf '  %-34s %10.0f msg/s %10.0f msg/s %7sx' 'forwarded (baseline: pipeline off)' \
    "$(median "${single[@]}")" "$(median "${pipelined[@]}")" "$(median "${ratios[@]}")")"
  report "$(printf '  %-34s per-round ratios: %s' '' "${ratios[*]/%/x}")"
  report "$(printf '  %-34s %10.0f msg/s (pipelined = %s%% of it, median)' 'ref: null plugin, same daemon' \
    "$(median "${nulls[@]}")" "$(median "${of_null[@]}")")"
}
