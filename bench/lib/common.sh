# Shared helpers for ./bench/run: messages, SQL shortcuts, arithmetic. Sourced, not executed.

# Progress goes to stderr so stdout stays the summary.
say() { printf '[bench %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { printf 'bench: error: %s\n' "$*" >&2; exit 1; }

# libpq conninfo of the bench database; the tools, pgbench and the daemon all use it.
bench_conninfo() { echo "host=127.0.0.1 port=$BENCH_PORT user=outbox dbname=outbox_bench"; }

# Runs SQL against the bench database and prints the result unaligned, without headers.
sql() { "$PGBIN/psql" -qAtX -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$BENCH_PORT" -U outbox -d outbox_bench -c "$1"; }

# Floating-point arithmetic for the report: calc '2 * 3.5' prints 7.0 (awk, since bash has none).
calc() { awk "BEGIN { printf \"%.${2:-1}f\", $1 }"; }

# Polls a SQL query until it prints the expected value; fails after the timeout in seconds.
wait_for_sql() {
  local query=$1 want=$2 timeout=$3 waited=0
  until [ "$(sql "$query")" = "$want" ]; do
    sleep 0.05
    waited=$((waited + 1))
    [ "$waited" -le $((timeout * 20)) ] || return 1
  done
}

# Waits (up to 10 s) until a file exists and is not empty, e.g. the ports file a receiver writes once
# it listens; otherwise shows the log and fails: wait_for_file FILE LOG WHAT
wait_for_file() {
  local file=$1 log=$2 what=$3 waited=0
  until [ -s "$file" ]; do
    sleep 0.05
    waited=$((waited + 1))
    [ "$waited" -le 200 ] || { cat "$log" >&2; die "$what did not start (log: $log)"; }
  done
}

# Starts every measured run from the same state: an empty table, flushed dirty pages (so no
# checkpoint lands in the middle of one run and not another), fresh statistics.
reset_table() {
  sql "TRUNCATE outbox.messages" >/dev/null
  sql "CHECKPOINT" >/dev/null
  sql "ANALYZE outbox.messages" >/dev/null
}

# Appends one line to the summary (printed at the end and saved next to the logs).
report() { printf '%s\n' "$*" >>"$BENCH_SUMMARY"; }

# "met" or "MISSED" for a measured value against a target: verdict VALUE OP TARGET (op: >= or <=).
verdict() { awk -v v="$1" -v t="$3" -v op="$2" 'BEGIN { ok = (op == ">=") ? v >= t : v <= t; print ok ? "met" : "MISSED" }'; }

# The median of the numbers given as arguments (the mean of the middle two for an even count).
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { printf "%.1f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# Appends a per-round line to the rounds file, which is also copied into the summary's directory.
round_log() { printf '%s\n' "$*" >>"$BENCH_LOGS/rounds.txt"; }
