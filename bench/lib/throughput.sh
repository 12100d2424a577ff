# Throughput mode: N messages filled in one statement, drained once by a pgbench "ceiling" doing only
# claim-and-mark, once by outboxd with the null plugin; for both retention modes. With --keyed, also
# the daemon alone on a backlog with ordering keys against the same backlog without. Sourced.

# drain_timer's options: --analyze unless --stats stale (see drain_timer.cpp).
drain_opts() {
  DRAIN_OPTS=()
  [ "$BENCH_STATS" = stale ] || DRAIN_OPTS=(--analyze)
}

# The ceiling: W pgbench clients, each running the claim-and-mark statement with batch size B,
# started by drain_timer right after the fill commits. Each client runs enough transactions for
# its share plus slack; the trailing ones find nothing and cost a fraction of a millisecond.
ceiling_drain() {
  local script=$1 log=$2
  local per_client=$(((BENCH_MESSAGES + BENCH_BATCH * BENCH_WORKERS - 1) / (BENCH_BATCH * BENCH_WORKERS) + 2))
  drain_opts
  "$BENCH_TOOLS/drain_timer" "${DRAIN_OPTS[@]}" "$(bench_conninfo)" "$BENCH_MESSAGES" 600 \
    "$PGBIN/pgbench" -n -M prepared -h 127.0.0.1 -p "$BENCH_PORT" -U outbox \
    -c "$BENCH_WORKERS" -j "$BENCH_WORKERS" -t "$per_client" -D "batch_size=$BENCH_BATCH" \
    -f "$BENCH_SRC/sql/$script" outbox_bench >"$BENCH_LOGS/drain.out" 2>>"$log" ||
    die "ceiling run failed (log: $log)"
}

# The daemon: started idle (notify mode), so the fill's single statement-level NOTIFY wakes it.
#   daemon_drain RETENTION LOG [MESSAGES [DRAIN_TIMER_OPTION...]]  (MESSAGES: --messages by default)
daemon_drain() {
  local retention=$1 log=$2 messages=${3:-$BENCH_MESSAGES} config="$BENCH_LOGS/throughput-$1.yaml"
  local fill_opts=("${@:4}")
  daemon_config "$config" notify "$retention" null '{}'
  # Any free API port: another daemon on the machine may hold the default 3080.
  printf 'api:\n  listen: "127.0.0.1:0"\n' >>"$config"
  daemon_start "$config" "$log"
  drain_opts
  "$BENCH_TOOLS/drain_timer" "${DRAIN_OPTS[@]}" "${fill_opts[@]}" "$(bench_conninfo)" "$messages" 600 >"$BENCH_LOGS/drain.out" 2>>"$log" ||
    die "daemon run failed (log: $log)"
  daemon_stop
}

# Every message must have been delivered exactly as the mode says: kept as delivered, or deleted.
#   check_drained RETENTION [MESSAGES]
check_drained() {
  local retention=$1 want=0 got
  [ "$retention" = 0 ] || want=${2:-$BENCH_MESSAGES}
  got=$(sql "SELECT count(*) FROM outbox.messages WHERE state = 'delivered'")
  [ "$got" = "$want" ] || die "expected $want delivered rows after the run, found $got"
  got=$(sql "SELECT count(*) FROM outbox.messages WHERE state <> 'delivered'")
  [ "$got" = 0 ] || die "expected no undelivered rows after the run, found $got"
}

# drain_timer's "fill_s=1.234 drain_s=5.678" -> messages per second (and the line into the log).
#   drained_rate LOG [MESSAGES]
drained_rate() {
  cat "$BENCH_LOGS/drain.out" >>"$1"
  awk -v n="${2:-$BENCH_MESSAGES}" '{ sub(/.*drain_s=/, ""); printf "%.0f", n / $1 }' "$BENCH_LOGS/drain.out"
}

# One measurement of one side: throughput_side ceiling|outboxd RETENTION SCRIPT LOG; sets RATE (msg/s).
# Not run in $(...): the daemon must be started by the main shell, so the exit trap can stop it.
throughput_side() {
  local side=$1 retention=$2 script=$3 log=$4
  reset_table
  if [ "$side" = ceiling ]; then ceiling_drain "$script" "$log"; else daemon_drain "$retention" "$log"; fi
  check_drained "$retention"
  RATE=$(drained_rate "$log")
}

# One retention mode, BENCH_ROUNDS rounds of (ceiling, outboxd), each from an empty table; odd
# rounds run the ceiling first, even rounds outboxd, so a drift in machine load hits both sides.
throughput_pair() {
  local label=$1 retention=$2 script=$3 log="$BENCH_LOGS/throughput-retention-$2.log"
  local round c d ceilings=() daemons=() ratios=()
  for round in $(seq "$BENCH_ROUNDS"); do
    say "throughput, retention.delivered $retention, round $round/$BENCH_ROUNDS"
    if [ $((round % 2)) = 1 ]; then
      throughput_side ceiling "$retention" "$script" "$log"; c=$RATE
      throughput_side outboxd "$retention" "$script" "$log"; d=$RATE
    else
      throughput_side outboxd "$retention" "$script" "$log"; d=$RATE
      throughput_side ceiling "$retention" "$script" "$log"; c=$RATE
    fi
    ceilings+=("$c") daemons+=("$d") ratios+=("$(calc "100 * $d / $c" 1)")
    round_log "throughput retention=$retention round=$round ceiling=$c outboxd=$d ratio=${ratios[-1]}%"
  done
  local ratio
  ratio=$(median "${ratios[@]}")
  report "$(printf '  %-28s %10.0f msg/s %10.0f msg/s %7s%%   %s (target >= 60%%)' \
    "$label" "$(median "${ceilings[@]}")" "$(median "${daemons[@]}")" "$ratio" "$(verdict "$ratio" '>=' 60)")"
  report "$(printf '  %-28s per-round ratios: %s' '' "${ratios[*]/%/%}")"
}

# Ordering keys (--keyed): the same backlog drained by the daemon alone (null plugin, retention 7d),
# without keys, spread over THROUGHPUT_KEYS ordering keys dealt out in turn, and over as many keys
# in runs (each key's messages one after another, as a burst per entity enqueues them). A key's
# messages go out one after another, so a key holds up its next message until the one before is
# delivered; with 1000 keys a 100-message batch still has plenty to choose from, and the target says
# keys may cost at most half the rate. In runs, every key's first message sits behind the whole run
# of each key before it, and a claim walks past all of them (message_claim.sql asks of each keyed
# row whether an earlier one of its key is pending). Fixed sizes rather than --messages: the
# figure is about keys per backlog.
THROUGHPUT_KEYED_MESSAGES=100000
THROUGHPUT_KEYS=1000

# One side: keyed_side unkeyed|dealt|runs LOG; sets RATE (msg/s).
keyed_side() {
  local side=$1 log=$2 fill_opts=()
  case $side in
    dealt) fill_opts=(--keys "$THROUGHPUT_KEYS") ;;
    runs) fill_opts=(--key-runs "$THROUGHPUT_KEYS") ;;
  esac
  reset_table
  daemon_drain 7d "$log" "$THROUGHPUT_KEYED_MESSAGES" "${fill_opts[@]}"
  check_drained 7d "$THROUGHPUT_KEYED_MESSAGES"
  RATE=$(drained_rate "$log" "$THROUGHPUT_KEYED_MESSAGES")
}

# BENCH_ROUNDS rounds of (unkeyed, dealt, runs), the order turning each round, so a drift in machine
# load hits every side; each keyed side as a share of the unkeyed one of its round.
throughput_keyed() {
  local log="$BENCH_LOGS/throughput-keyed.log" round side u d r unkeyed=() dealt=() runs=() dealt_ratios=() runs_ratios=()
  local orders=("unkeyed dealt runs" "dealt runs unkeyed" "runs unkeyed dealt")
  for round in $(seq "$BENCH_ROUNDS"); do
    say "throughput, $THROUGHPUT_KEYED_MESSAGES messages unkeyed and over $THROUGHPUT_KEYS keys (dealt, in runs), round $round/$BENCH_ROUNDS"
    for side in ${orders[$(((round - 1) % 3))]}; do
      keyed_side "$side" "$log"
      case $side in unkeyed) u=$RATE ;; dealt) d=$RATE ;; runs) r=$RATE ;; esac
    done
    unkeyed+=("$u") dealt+=("$d") runs+=("$r")
    dealt_ratios+=("$(calc "100 * $d / $u" 1)") runs_ratios+=("$(calc "100 * $r / $u" 1)")
    round_log "throughput keyed round=$round unkeyed=$u dealt=$d ratio=${dealt_ratios[-1]}% runs=$r ratio=${runs_ratios[-1]}%"
  done
  local dealt_ratio runs_ratio
  dealt_ratio=$(median "${dealt_ratios[@]}") runs_ratio=$(median "${runs_ratios[@]}")
  report "$(printf '  %-28s %16s %16s %8s' "ordering keys (outboxd, 7d)" 'no keys' "$THROUGHPUT_KEYS keys" 'ratio')"
  report "$(printf '  %-28s %10.0f msg/s %10.0f msg/s %7s%%   %s (target >= 50%%)' \
    "$THROUGHPUT_KEYED_MESSAGES, keys dealt in turn" "$(median "${unkeyed[@]}")" "$(median "${dealt[@]}")" "$dealt_ratio" "$(verdict "$dealt_ratio" '>=' 50)")"
  report "$(printf '  %-28s per-round ratios: %s' '' "${dealt_ratios[*]/%/%}")"
  report "$(printf '  %-28s %10.0f msg/s %10.0f msg/s %7s%%   %s (target >= 50%%)' \
    "$THROUGHPUT_KEYED_MESSAGES, keys in runs" "$(median "${unkeyed[@]}")" "$(median "${runs[@]}")" "$runs_ratio" "$(verdict "$runs_ratio" '>=' 50)")"
  report "$(printf '  %-28s per-round ratios: %s' '' "${runs_ratios[*]/%/%}")"
}

run_throughput() {
  report ""
  report "THROUGHPUT  $BENCH_MESSAGES messages, $BENCH_WORKERS workers/clients, batch $BENCH_BATCH, $BENCH_STATS statistics"
  report "$(printf '  %-28s %16s %16s %8s' 'retention.delivered' 'ceiling' 'outboxd' 'ratio')"
  throughput_pair "7d (keep delivered rows)" 7d ceiling_update.sql
  throughput_pair "0 (delete at delivery)" 0 ceiling_delete.sql
  [ "$BENCH_KEYED" = 0 ] || throughput_keyed
}
