# SMTP mode: emails per second from outboxd's smtp plugin to local aiosmtpd sinks, with one kept
# connection per worker (reuse_connection: true, the default) vs a new connection per message
# (reuse_connection: false), in the same invocation against the same sinks: once in plain text,
# once with STARTTLS (a test CA generated for the run), where each new connection also costs a TLS
# handshake. Sourced.
#
# Each run fills SMTP_MESSAGES small emails in one statement and times until none is pending; every
# one must end up delivered. The sinks (tests/fixtures/smtp/smtp_server.py --sink) only count.

SMTP_MESSAGES=${SMTP_MESSAGES:-4000}
SMTP_SINK_PIDS=()

# Starts a sink: smtp_sink_start NAME [server options...]; sets SMTP_SINK_PORT.
smtp_sink_start() {
  local name=$1 port_file="$BENCH_LOGS/smtp-sink-$1.port"
  shift
  /usr/bin/python3 "$REPO/tests/fixtures/smtp/smtp_server.py" --sink --port-file "$port_file" "$@" \
    >>"$BENCH_LOGS/smtp-sink-$name.log" 2>&1 &
  local pid=$!
  SMTP_SINK_PIDS+=("$pid")
  local waited=0
  until [ -f "$port_file" ]; do
    sleep 0.05
    waited=$((waited + 1))
    kill -0 "$pid" 2>/dev/null || die "the SMTP sink exited (log: $BENCH_LOGS/smtp-sink-$name.log)"
    [ "$waited" -le 200 ] || die "the SMTP sink did not start (log: $BENCH_LOGS/smtp-sink-$name.log)"
  done
  SMTP_SINK_PORT=$(cat "$port_file")
}

smtp_sink_stop() {
  local pid
  for pid in "${SMTP_SINK_PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  SMTP_SINK_PIDS=()
}

# One run: smtp_run LABEL PLUGIN_CONFIG_YAML; sets RATE (emails/s).
smtp_run() {
  local label=$1 plugin_config=$2 config="$BENCH_LOGS/smtp-$1.yaml" log="$BENCH_LOGS/smtp-$1.log"
  reset_table
  daemon_config "$config" notify 7d smtp "$plugin_config"
  # Any free port for the HTTP API: another outboxd on the machine may hold the default 3080.
  printf 'api:\n  listen: 127.0.0.1:0\n' >>"$config"
  daemon_start "$config" "$log"
  local start end
  start=$(date +%s.%N)
  sql "INSERT INTO outbox.messages (destination, payload)
       SELECT 'bench', jsonb_build_object('to', 'user' || g || '@example.org', 'subject', 'Order ' || g,
                                          'text', 'Thank you for your order ' || g || '.')
         FROM generate_series(1, $SMTP_MESSAGES) g" >/dev/null
  wait_for_sql "SELECT EXISTS (SELECT 1 FROM outbox.messages WHERE state = 'pending')" f 600 ||
    die "smtp run $label did not drain (log: $log)"
  end=$(date +%s.%N)
  daemon_stop
  local delivered
  delivered=$(sql "SELECT count(*) FROM outbox.messages WHERE state = 'delivered'")
  [ "$delivered" = "$SMTP_MESSAGES" ] ||
    die "expected $SMTP_MESSAGES delivered emails, found $delivered (log: $log; an error: $(sql "SELECT last_error FROM outbox.messages WHERE state <> 'delivered' LIMIT 1"))"
  RATE=$(calc "$SMTP_MESSAGES / ($end - $start)" 0)
  round_log "smtp $label emails=$SMTP_MESSAGES seconds=$(calc "$end - $start" 2) rate=$RATE"
}

# The four figures of one security setting: smtp_compare NAME BASE_CONFIG (without the braces).
smtp_compare() {
  local name=$1 base=$2 round side reused=() fresh=() ratios=()
  for round in $(seq "$BENCH_ROUNDS"); do
    say "smtp $name, round $round/$BENCH_ROUNDS: $SMTP_MESSAGES emails with reuse_connection true and false"
    local sides=(true false)
    [ $((round % 2)) = 1 ] || sides=(false true)
    for side in "${sides[@]}"; do
      smtp_run "$name-reuse-$side" "{$base, reuse_connection: $side}"
      if [ "$side" = true ]; then reused+=("$RATE"); else fresh+=("$RATE"); fi
    done
    ratios+=("$(calc "${reused[-1]} / ${fresh[-1]}" 2)")
    round_log "smtp $name round=$round reuse=${reused[-1]} new_per_message=${fresh[-1]} ratio=${ratios[-1]}"
  done
  report "$(printf '  %-10s %-34s %10s   %s' "$name" 'reuse_connection: false' "$(median "${fresh[@]}")" '1.00x (baseline)')"
  report "$(printf '  %-10s %-34s %10s   %.2fx  (per round: %s)' "$name" 'reuse_connection: true (default)' \
    "$(median "${reused[@]}")" "$(median "${ratios[@]}")" "${ratios[*]}")"
}

run_smtp() {
  if [ ! -f "$BUILD_DIR/plugins/smtp.so" ]; then
    say "building the smtp plugin in $BUILD_DIR"
    cmake --build "$BUILD_DIR" -j2 --target smtp >/dev/null || die "building the smtp plugin failed"
  fi
  local certs="$BENCH_LOGS/smtp-certs"
  mkdir -p "$certs"
  sh "$REPO/tests/fixtures/smtp/make_certs.sh" "$certs" || die "generating test certificates failed"
  report ""
  report "SMTP  $SMTP_MESSAGES emails per run to a local aiosmtpd sink, workers $BENCH_WORKERS"
  report "$(printf '  %-10s %-34s %10s   %s' 'security' 'connections' 'emails/s' 'vs a new connection per message')"
  smtp_sink_start plain
  smtp_compare plain "host: 127.0.0.1, port: $SMTP_SINK_PORT, tls: none, from: bench@example.com"
  smtp_sink_start starttls --tls starttls --cert "$certs/server.pem" --key "$certs/server.key"
  smtp_compare starttls "host: 127.0.0.1, port: $SMTP_SINK_PORT, tls: starttls, ca_file: \"$certs/ca.pem\", from: bench@example.com"
  smtp_sink_stop
}
