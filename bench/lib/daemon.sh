# Runs outboxd for the benchmark: a generated config, start, wait until ready, stop. Sourced.

DAEMON_PID=

# Writes everything of a config up to its destinations:
#   daemon_config_head WAKEUP_MODE RETENTION_DELIVERED  (prints the YAML)
# Keys as in etc/outboxd.yaml; everything not named here keeps its default. log.level warn keeps
# log formatting out of the measurement.
daemon_config_head() {
  local mode=$1 retention=$2
  cat <<YAML
database:
  url: "$(bench_conninfo)"
  migrate: true
workers: $BENCH_WORKERS
batch_size: $BENCH_BATCH
wakeup:
  mode: $mode
retention:
  delivered: $retention
plugin_dir: "$BUILD_DIR/plugins"
log:
  level: warn
destinations:
YAML
}

# Writes a config with the one destination `bench`:
#   daemon_config FILE WAKEUP_MODE RETENTION_DELIVERED PLUGIN PLUGIN_CONFIG_YAML
daemon_config() {
  local file=$1 mode=$2 retention=$3 plugin=$4 plugin_config=$5
  {
    daemon_config_head "$mode" "$retention"
    cat <<YAML
  bench:
    plugin: "$plugin"  # quoted: a bare null would be YAML null
    config: $plugin_config
YAML
  } >"$file"
}

# Starts the daemon and returns once it is ready for the measurement:
#   notify mode: idle, i.e. the listener has raised the wake flag and waits for a NOTIFY;
#   poll mode:   its workers are connected (they then look every poll_interval).
# The flag is lowered first: a daemon that stopped earlier leaves it raised on purpose.
daemon_start() {
  local config=$1 log=$2 mode
  mode=$(sed -n 's/^  mode: //p' "$config")
  sql "SELECT setval('outbox.wake_wanted', 0, true)" >/dev/null
  "$BUILD_DIR/outboxd" run --config "$config" >>"$log" 2>&1 &
  DAEMON_PID=$!
  local others="SELECT count(*) >= $BENCH_WORKERS FROM pg_stat_activity
                 WHERE datname = current_database() AND backend_type = 'client backend'
                   AND pid <> pg_backend_pid() AND application_name <> 'pgbench'"
  wait_for_sql "$others" t 20 || { cat "$log" >&2; die "outboxd did not connect (log: $log)"; }
  if [ "$mode" = notify ]; then
    wait_for_sql "SELECT last_value FROM outbox.wake_wanted" 1 20 ||
      { cat "$log" >&2; die "outboxd did not go idle (log: $log)"; }
  else
    sleep 0.3  # let the workers finish their first (empty) poll
  fi
  kill -0 "$DAEMON_PID" 2>/dev/null || { cat "$log" >&2; die "outboxd exited (log: $log)"; }
}

# SIGTERM and wait: the daemon finishes its batch and exits 0.
daemon_stop() {
  [ -n "$DAEMON_PID" ] || return 0
  kill -TERM "$DAEMON_PID" 2>/dev/null || true
  wait "$DAEMON_PID" 2>/dev/null || true
  DAEMON_PID=
}
