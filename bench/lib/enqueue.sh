# Enqueue-cost mode: how much the wake-up mechanism costs the application's own commits. 8 pgbench
# clients commit one outbox.enqueue() per transaction as fast as they can while outboxd delivers to
# the null plugin; wakeup.mode poll and notify alternate for BENCH_ROUNDS rounds. Sourced.
#
# References besides the required notify/poll pair, run once each:
#  - "no daemon": the database alone, so the daemon's own share of the 2 cores is visible;
#  - "poll, wake flag stuck at 1": the flag is raised after a poll-mode daemon has started (which
#    lowers it), so every enqueue sends a NOTIFY: what notifying on every commit costs.

ENQUEUE_CLIENTS=8

# Runs pgbench for BENCH_DURATION seconds; its report goes to the log.
enqueue_pgbench() {
  "$PGBIN/pgbench" -n -M prepared -h 127.0.0.1 -p "$BENCH_PORT" -U outbox \
    -c "$ENQUEUE_CLIENTS" -j 2 -T "$BENCH_DURATION" -f "$BENCH_SRC/sql/enqueue.sql" outbox_bench \
    >>"$1" 2>&1 || die "pgbench failed (log: $1)"
}

# One run: enqueue_run NAME MODE [FLAG]; MODE is notify, poll or none; FLAG forces the wake flag.
# Sets TPS (pgbench, without connection time) and BACKLOG (messages still pending when it stopped).
# Not run in $(...): the daemon must be started by the main shell, so the exit trap can stop it.
enqueue_run() {
  local name=$1 mode=$2 flag=${3:-} log="$BENCH_LOGS/enqueue-$1.log" config="$BENCH_LOGS/enqueue-$1.yaml"
  reset_table
  if [ "$mode" != none ]; then
    daemon_config "$config" "$mode" 7d null '{}'
    daemon_start "$config" "$log"  # lowers the flag first
  else
    flag=${flag:-0}  # no daemon: nobody wants a NOTIFY, whatever an earlier run left behind
  fi
  [ -z "$flag" ] || sql "SELECT setval('outbox.wake_wanted', $flag, true)" >/dev/null
  local commits_before
  commits_before=$(sql "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")
  enqueue_pgbench "$log"
  BACKLOG=$(sql "SELECT count(*) FROM outbox.messages WHERE state = 'pending'")
  daemon_stop
  TPS=$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time)/\1/p' "$log" | tail -n 1)
  [ -n "$TPS" ] || die "no TPS in the pgbench output (log: $log)"
  # Diagnostics: commits other than pgbench's (one per enqueued row) are the daemon's batches, plus
  # a few of ours. Every backend flushes its statistics when it exits; daemon_stop waited for that.
  local commits_after enqueued
  commits_after=$(sql "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")
  enqueued=$(sql "SELECT count(*) FROM outbox.messages")
  round_log "enqueue $name tps=$TPS backlog=$BACKLOG enqueued=$enqueued" \
    "other_commits_per_s=$(calc "($commits_after - $commits_before - $enqueued) / $BENCH_DURATION" 0)"
}

enqueue_line() {  # label tps backlog [comparison]
  report "$(printf '  %-34s %9.0f tps %9s   %s' "$1" "$2" "$3" "${4:-}")"
}

run_enqueue() {
  local round p n polls=() notifies=() ratios=() poll_backlog notify_backlog
  for round in $(seq "$BENCH_ROUNDS"); do
    say "enqueue cost, round $round/$BENCH_ROUNDS: $ENQUEUE_CLIENTS clients x ${BENCH_DURATION}s, poll and notify"
    if [ $((round % 2)) = 1 ]; then
      enqueue_run poll poll; p=$TPS poll_backlog=$BACKLOG
      enqueue_run notify notify; n=$TPS notify_backlog=$BACKLOG
    else
      enqueue_run notify notify; n=$TPS notify_backlog=$BACKLOG
      enqueue_run poll poll; p=$TPS poll_backlog=$BACKLOG
    fi
    polls+=("$p") notifies+=("$n") ratios+=("$(calc "100 * $n / $p" 1)")
    round_log "enqueue round=$round poll=$p notify=$n ratio=${ratios[-1]}%"
  done
  local poll_tps ratio
  poll_tps=$(median "${polls[@]}")
  ratio=$(median "${ratios[@]}")

  report ""
  report "ENQUEUE COST  $ENQUEUE_CLIENTS clients, one outbox.enqueue() per transaction, ${BENCH_DURATION}s per run"
  report "$(printf '  %-34s %13s %9s   %s' 'wake-up' 'enqueue rate' 'backlog' 'vs poll')"
  enqueue_line "wakeup.mode poll (baseline)" "$poll_tps" "$poll_backlog" "100.0%"
  enqueue_line "wakeup.mode notify" "$(median "${notifies[@]}")" "$notify_backlog" \
    "$ratio%   $(verdict "$ratio" '>=' 95) (target >= 95%)"
  report "$(printf '  %-34s per-round ratios: %s' '' "${ratios[*]/%/%}")"

  say "enqueue cost, references: no daemon; poll with the wake flag stuck at 1"
  enqueue_run no-daemon none
  enqueue_line "ref: no daemon running" "$TPS" "$BACKLOG" "$(calc "100 * $TPS / $poll_tps" 1)% (one run)"
  enqueue_run poll-flag-stuck poll 1
  enqueue_line "ref: poll, wake flag stuck at 1" "$TPS" "$BACKLOG" "$(calc "100 * $TPS / $poll_tps" 1)% (one run)"
  report "  (backlog: messages still pending when pgbench stopped, last run of each kind)"
}
