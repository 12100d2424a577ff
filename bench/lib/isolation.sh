# Isolation mode: does a healthy destination keep its latency while another destination misbehaves?
# Three phases in one invocation, each with a fresh daemon (default workers and batch size) and an
# empty table. In each, destination `healthy` (webhook to a local receiver that answers 200 at
# once) gets ISOLATION_RATE messages a second, one per transaction (timed_enqueue, as in latency
# mode), and its latency is commit returned -> request received by the receiver, joined by message
# id (the webhook-id header):
#   alone      only `healthy` is configured: the baseline;
#   hanging    beside `hanging`: a webhook to a receiver that accepts connections and never answers
#              (timeout_ms 10000), enqueued 1 msg/s over the same seconds;
#   throttled  beside `throttled`: a webhook to the fast receiver with `rate_limit: 10/s` and 50,000
#              messages filled just before the stream. Skipped, not failed, on a build whose config
#              refuses the key.
# Reported: each phase's p50/p99/max and p99 / p99 alone, target <= 1.5x. The figure is a ratio to
# the alone phase of the same invocation, like every other figure of the bench. Needs latency.sh
# (latency_stats, wait_stamped) and webhook.sh (the secret, the plugin build). Sourced.

ISOLATION_RATE=50                # healthy's stream: inside wakeup.linger, as latency mode's 50/s phase
ISOLATION_HANGING_RATE=1
ISOLATION_HANGING_TIMEOUT_MS=10000
ISOLATION_BACKLOG=50000
ISOLATION_RATE_LIMIT=10/s
ISOLATION_TARGET=1.5             # p99 beside a neighbour / p99 alone
# After the stream stops, how long the healthy messages still in the queue may take to arrive.
# Generous on purpose: a daemon whose workers a hanging neighbour holds needs several timeouts.
ISOLATION_STRAGGLER_S=60
ISOLATION_RECEIVER_PID=
ISOLATION_HANGING_PID=

# Starts bench/tools/isolation_receiver.py; sets ISOLATION_FAST_PORT, ISOLATION_HANGING_PORT and
# ISOLATION_RECEIVED (its record of requests, kept with the logs).
isolation_receiver_start() {
  local dir="$BENCH_LOGS/isolation-receiver"
  mkdir -p "$dir"
  /usr/bin/python3 "$BENCH_SRC/tools/isolation_receiver.py" --dir "$dir" >"$dir/receiver.log" 2>&1 &
  ISOLATION_RECEIVER_PID=$!
  wait_for_file "$dir/ports" "$dir/receiver.log" "the isolation receiver"
  ISOLATION_FAST_PORT=$(awk '$1 == "fast" { print $2 }' "$dir/ports")
  ISOLATION_HANGING_PORT=$(awk '$1 == "hanging" { print $2 }' "$dir/ports")
  ISOLATION_RECEIVED="$dir/received.txt"
}

# Stops the receiver and a neighbour's enqueuer still running (an interrupted phase).
isolation_stop() {
  if [ -n "$ISOLATION_HANGING_PID" ]; then
    kill "$ISOLATION_HANGING_PID" 2>/dev/null || true
    wait "$ISOLATION_HANGING_PID" 2>/dev/null || true
    ISOLATION_HANGING_PID=
  fi
  [ -n "$ISOLATION_RECEIVER_PID" ] || return 0
  kill "$ISOLATION_RECEIVER_PID" 2>/dev/null || true
  wait "$ISOLATION_RECEIVER_PID" 2>/dev/null || true
  ISOLATION_RECEIVER_PID=
}

# One webhook destination's YAML: isolation_destination NAME PATH PORT [KEY_LINE...]; signed and
# with the SSRF guard on, as in production (allow_private_networks lets 127.0.0.1 through).
isolation_destination() {
  local name=$1 path=$2 port=$3 line
  shift 3
  printf '  %s:\n    plugin: webhook\n' "$name"
  for line in "$@"; do printf '    %s\n' "$line"; done
  printf '    config: {url: "http://127.0.0.1:%s%s", secret: "%s", allow_private_networks: true}\n' \
    "$port" "$path" "$WEBHOOK_SECRET"
}

# The config of a phase: isolation_config FILE PHASE (alone, hanging or throttled).
isolation_config() {
  local file=$1 phase=$2
  {
    daemon_config_head notify 7d
    isolation_destination healthy /healthy "$ISOLATION_FAST_PORT"
    case $phase in
      hanging) isolation_destination hanging /hanging "$ISOLATION_HANGING_PORT" \
        "timeout_ms: $ISOLATION_HANGING_TIMEOUT_MS" ;;
      throttled) isolation_destination throttled /throttled "$ISOLATION_FAST_PORT" \
        "rate_limit: $ISOLATION_RATE_LIMIT" ;;
    esac
  } >"$file"
}

# Returns 0 when outboxd check-config accepts the throttled phase's config. When it refuses
# rate_limit, returns 1 and sets ISOLATION_SKIP to the reason; any other refusal fails the run.
isolation_rate_limit_accepted() {
  local config=$1 out="$BENCH_LOGS/isolation-check-config.log"
  "$BUILD_DIR/outboxd" check-config --config "$config" >"$out" 2>&1 && return 0
  if grep -q "unknown key 'rate_limit'" "$out"; then
    ISOLATION_SKIP="skipped: rate_limit not supported by this build"
  elif grep -q rate_limit "$out"; then
    ISOLATION_SKIP="skipped: this build refuses rate_limit: $ISOLATION_RATE_LIMIT: $(grep -m1 -o 'rate_limit.*' "$out")"
  else
    cat "$out" >&2
    die "outboxd check-config refused the isolation config (log: $out)"
  fi
  return 1
}

# What the neighbour did during the phase, from its rows (the daemon has stopped).
isolation_neighbour_line() {
  local phase=$1 seconds=$2
  case $phase in
    hanging) report "    hanging (timeout_ms $ISOLATION_HANGING_TIMEOUT_MS): $(sql "SELECT count(*) || ' messages, ' || coalesce(sum(attempt), 0) || ' attempts, '
                                               || count(*) FILTER (WHERE state = 'delivered') || ' delivered'
                                          FROM outbox.messages WHERE destination = 'hanging'")" ;;
    throttled)
      local delivered
      delivered=$(sql "SELECT count(*) FROM outbox.messages WHERE destination = 'throttled' AND state = 'delivered'")
      report "    throttled: $delivered of $ISOLATION_BACKLOG delivered in $(calc "$seconds" 1) s ($(calc "$delivered / $seconds" 1)/s)" ;;
  esac
}

# One phase: isolation_phase PHASE LABEL. The alone phase sets ISOLATION_ALONE_P99.
isolation_phase() {
  local phase=$1 label=$2 config="$BENCH_LOGS/isolation-$1.yaml" log="$BENCH_LOGS/isolation-$1.log"
  local commits="$BENCH_LOGS/isolation-commits-$1.txt"
  isolation_config "$config" "$phase"
  if [ "$phase" = throttled ] && ! isolation_rate_limit_accepted "$config"; then
    say "isolation ($phase): $ISOLATION_SKIP"
    report "$(printf '  %-40s %s' "$label" "$ISOLATION_SKIP")"
    return 0
  fi
  reset_table
  # Started on an empty table, so daemon_start can wait for it to go idle whatever the neighbour
  # will do; the neighbour's traffic begins with the stream.
  daemon_start "$config" "$log"
  local started=$EPOCHREALTIME
  case $phase in
    hanging)
      "$BENCH_TOOLS/timed_enqueue" "$(bench_conninfo)" "$ISOLATION_HANGING_RATE" "$ISOLATION_SECONDS" \
        "$BENCH_LOGS/isolation-commits-hanging-neighbour.txt" hanging 2>>"$log" &
      ISOLATION_HANGING_PID=$! ;;
    throttled)
      sql "INSERT INTO outbox.messages (destination, payload)
           SELECT 'throttled', jsonb_build_object('n', g) FROM generate_series(1, $ISOLATION_BACKLOG) g" >/dev/null
      sql "ANALYZE outbox.messages" >/dev/null ;;
  esac
  say "isolation ($phase): healthy at $ISOLATION_RATE msg/s for $ISOLATION_SECONDS s"
  "$BENCH_TOOLS/timed_enqueue" "$(bench_conninfo)" "$ISOLATION_RATE" "$ISOLATION_SECONDS" "$commits" healthy ||
    die "timed_enqueue failed"
  if [ -n "$ISOLATION_HANGING_PID" ]; then
    wait "$ISOLATION_HANGING_PID" || die "timed_enqueue (hanging) failed (log: $log)"
    ISOLATION_HANGING_PID=
  fi
  wait_stamped "$commits" "$ISOLATION_RECEIVED" "$ISOLATION_STRAGGLER_S"
  local n p50 p99 max missing seconds ratio
  read -r n _ p50 p99 max missing <<<"$(latency_stats "$commits" "$ISOLATION_RECEIVED")"
  daemon_stop
  seconds=$(calc "$EPOCHREALTIME - $started" 3)
  if [ "$phase" = alone ]; then
    ISOLATION_ALONE_P99=$p99
    report "$(printf '  %-40s %5s %9s %9s %9s %12s' "$label" "$n" "$p50" "$p99" "$max" '1.00x')"
  elif [[ $p99 == - || $ISOLATION_ALONE_P99 == - ]] || [ "$(calc "($ISOLATION_ALONE_P99 > 0)" 0)" = 0 ]; then
    report "$(printf '  %-40s %5s %9s %9s %9s %12s' "$label" "$n" "$p50" "$p99" "$max" '-')"
  else
    ratio=$(calc "$p99 / $ISOLATION_ALONE_P99" 2)
    report "$(printf '  %-40s %5s %9s %9s %9s %11sx   %s (target <= %sx)' "$label" "$n" "$p50" "$p99" "$max" \
      "$ratio" "$(verdict "$ratio" '<=' "$ISOLATION_TARGET")" "$ISOLATION_TARGET")"
  fi
  [ "$missing" = 0 ] || report "    $missing healthy messages did not arrive within $ISOLATION_STRAGGLER_S s of the last enqueue (not in the percentiles)"
  isolation_neighbour_line "$phase" "$seconds"
}

run_isolation() {
  webhook_need_plugin
  ISOLATION_SECONDS=$((BENCH_DURATION > 20 ? BENCH_DURATION : 20))
  isolation_receiver_start
  report ""
  report "ISOLATION  destination healthy: webhook to a local receiver answering 200 at once, $ISOLATION_RATE msg/s for"
  report "  $ISOLATION_SECONDS s, one per transaction, alone and then beside a misbehaving destination; $BENCH_WORKERS workers,"
  report "  batch $BENCH_BATCH; latency = commit returned -> request received, in ms; target p99 <= ${ISOLATION_TARGET}x alone"
  report "$(printf '  %-40s %5s %9s %9s %9s %12s' 'healthy, phase' 'n' 'p50' 'p99' 'max' 'p99 / alone')"
  isolation_phase alone "alone (baseline)"
  isolation_phase hanging "beside hanging ($ISOLATION_HANGING_RATE/s, never answers)"
  isolation_phase throttled "beside throttled ($ISOLATION_BACKLOG backlog, $ISOLATION_RATE_LIMIT)"
  isolation_stop
}
