# Webhook mode: messages drained through the webhook plugin to a local HTTP receiver, once with
# max_concurrent_requests 1 and once with the plugin's default (16), alternating which goes first
# for BENCH_ROUNDS rounds. Two receivers:
#  - nginx answering 204 at once (BENCH_WEBHOOK_MESSAGES per run): the plugin's own cost, since a
#    loopback round trip is almost free;
#  - the tests' Python receiver answering after WEBHOOK_SLOW_MS, as a remote service would
#    (BENCH_WEBHOOK_MESSAGES / 25 per run): what concurrency buys when each answer takes time.
# Requests are signed (one secret) and the SSRF guard runs (allow_private_networks lets 127.0.0.1
# through), as in production. Sourced.

WEBHOOK_DEFAULT_CONCURRENCY=16  # the plugin's default max_concurrent_requests (docs/plugin-webhook.md)
WEBHOOK_SECRET=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
WEBHOOK_NGINX_PID=
WEBHOOK_PY_PID=
WEBHOOK_SLOW_MS=5

# nginx is a Debian package; installed when missing (needs root, as the rest of the bench does).
# The Python receiver the tests use answers a few thousand requests a second at most, which would
# measure Python rather than the plugin.
webhook_need_nginx() {
  command -v nginx >/dev/null && return 0
  say "installing nginx-light (apt-get install -y nginx-light)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nginx-light >"$BENCH_LOGS/apt-nginx.log" 2>&1 ||
    { cat "$BENCH_LOGS/apt-nginx.log" >&2; die "apt-get install nginx-light failed"; }
  command -v nginx >/dev/null || die "nginx not found after installing it"
}

# A loopback TCP port nothing listens on, chosen by the kernel.
webhook_free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Starts nginx in the foreground of a background job with its own config, answering 204 to every
# request on 127.0.0.1:WEBHOOK_PORT; one worker, keep-alive without a request limit.
webhook_receiver_start() {
  local dir="$BENCH_DIR/nginx"
  mkdir -p "$dir"
  chmod 0777 "$dir"
  WEBHOOK_PORT=$(webhook_free_port)
  cat >"$dir/nginx.conf" <<NGINX
daemon off;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $dir/body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
  keepalive_requests 100000000;
  keepalive_timeout 600s;
  server {
    listen 127.0.0.1:$WEBHOOK_PORT;
    location / { return 204; }
  }
}
NGINX
  nginx -c "$dir/nginx.conf" -e "$dir/error.log" >"$BENCH_LOGS/nginx.out" 2>&1 &
  WEBHOOK_NGINX_PID=$!
  local waited=0
  until (exec 3<>"/dev/tcp/127.0.0.1/$WEBHOOK_PORT") 2>/dev/null; do
    sleep 0.05
    waited=$((waited + 1))
    [ "$waited" -le 200 ] || { cat "$dir/error.log" "$BENCH_LOGS/nginx.out" >&2; die "nginx did not listen on $WEBHOOK_PORT"; }
  done
}

webhook_receiver_stop() {
  [ -n "$WEBHOOK_NGINX_PID" ] || return 0
  kill -QUIT "$WEBHOOK_NGINX_PID" 2>/dev/null || true
  wait "$WEBHOOK_NGINX_PID" 2>/dev/null || true
  WEBHOOK_NGINX_PID=
}

# The tests' receiver (tests/fixtures/webhook/receiver.py) without its request log; sets WEBHOOK_PY_PORT.
webhook_slow_receiver_start() {
  local dir="$BENCH_DIR/pyreceiver"
  mkdir -p "$dir"
  /usr/bin/python3 "$REPO/tests/fixtures/webhook/receiver.py" --dir "$dir" --no-record >"$BENCH_LOGS/pyreceiver.log" 2>&1 &
  WEBHOOK_PY_PID=$!
  wait_for_file "$dir/ports" "$BENCH_LOGS/pyreceiver.log" "the Python receiver"
  WEBHOOK_PY_PORT=$(awk '$1 == "127.0.0.1" { print $2 }' "$dir/ports")
}

webhook_slow_receiver_stop() {
  [ -n "$WEBHOOK_PY_PID" ] || return 0
  kill "$WEBHOOK_PY_PID" 2>/dev/null || true
  wait "$WEBHOOK_PY_PID" 2>/dev/null || true
  WEBHOOK_PY_PID=
}

# The webhook plugin is built in the project tree when missing (like outboxd and null in build_all).
webhook_need_plugin() {
  [ -f "$BUILD_DIR/plugins/webhook.so" ] && return 0
  say "building the webhook plugin in $BUILD_DIR"
  cmake --build "$BUILD_DIR" -j2 --target webhook >/dev/null || die "building the webhook plugin failed"
}

# One measurement: webhook_side URL MESSAGES CONCURRENCY LOG; sets RATE (webhooks/s).
webhook_side() {
  local url=$1 messages=$2 concurrency=$3 log=$4 config="$BENCH_LOGS/webhook-c$3.yaml"
  reset_table
  daemon_config "$config" notify 7d webhook "{url: \"$url\", secret: \"$WEBHOOK_SECRET\", allow_private_networks: true, max_concurrent_requests: $concurrency}"
  daemon_start "$config" "$log"
  "$BENCH_TOOLS/drain_timer" --analyze "$(bench_conninfo)" "$messages" 600 >"$BENCH_LOGS/drain.out" 2>>"$log" ||
    die "webhook run failed (log: $log)"
  daemon_stop
  local got
  got=$(sql "SELECT count(*) FROM outbox.messages WHERE state = 'delivered' AND attempt = 1")
  [ "$got" = "$messages" ] || die "expected $messages messages delivered at the first attempt, found $got (log: $log); errors: $(
    sql "SELECT count(*) || ' x ' || last_error FROM outbox.messages WHERE last_error IS NOT NULL GROUP BY last_error LIMIT 3")"
  cat "$BENCH_LOGS/drain.out" >>"$log"
  RATE=$(awk -v n="$messages" '{ sub(/.*drain_s=/, ""); printf "%.0f", n / $1 }' "$BENCH_LOGS/drain.out")
}

# One comparison: webhook_pair LABEL URL MESSAGES; BENCH_ROUNDS rounds of (1, default), odd rounds
# starting with 1, even rounds with the default; reports the medians and the median ratio.
webhook_pair() {
  local label=$1 url=$2 messages=$3 log="$BENCH_LOGS/webhook-$4.log"
  local round ones=() defaults=() ratios=() one def
  for round in $(seq "$BENCH_ROUNDS"); do
    say "webhook ($label), round $round/$BENCH_ROUNDS: $messages messages at max_concurrent_requests 1 and $WEBHOOK_DEFAULT_CONCURRENCY"
    if [ $((round % 2)) = 1 ]; then
      webhook_side "$url" "$messages" 1 "$log"; one=$RATE
      webhook_side "$url" "$messages" "$WEBHOOK_DEFAULT_CONCURRENCY" "$log"; def=$RATE
    else
      webhook_side "$url" "$messages" "$WEBHOOK_DEFAULT_CONCURRENCY" "$log"; def=$RATE
      webhook_side "$url" "$messages" 1 "$log"; one=$RATE
    fi
    ones+=("$one") defaults+=("$def") ratios+=("$(calc "$def / $one" 2)")
    round_log "webhook $4 round=$round concurrency1=$one concurrency$WEBHOOK_DEFAULT_CONCURRENCY=$def ratio=${ratios[-1]}x"
  done
  report "$(printf '  %-40s %8s msg %10.0f /s %10.0f /s %8.2fx' "$label" "$messages" "$(median "${ones[@]}")" \
    "$(median "${defaults[@]}")" "$(printf '%s\n' "${ratios[@]}" | sort -g | awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')")"
  report "$(printf '  %-40s per-round ratios: %s' '' "${ratios[*]/%/x}")"
}

run_webhook() {
  webhook_need_nginx
  webhook_need_plugin
  webhook_receiver_start
  webhook_slow_receiver_start
  report ""
  report "WEBHOOK  delivered through the webhook plugin (signed, SSRF guard on), $BENCH_WORKERS workers, batch $BENCH_BATCH;"
  report "  max_concurrent_requests 1 (baseline) vs $WEBHOOK_DEFAULT_CONCURRENCY (the default), same receiver, same invocation"
  report "$(printf '  %-40s %12s %13s %13s %9s' 'receiver' 'per run' 'at 1' "at $WEBHOOK_DEFAULT_CONCURRENCY" 'ratio')"
  webhook_pair "nginx, 204 at once" "http://127.0.0.1:$WEBHOOK_PORT/hook" "$BENCH_WEBHOOK_MESSAGES" nginx
  webhook_pair "Python receiver, answers after ${WEBHOOK_SLOW_MS} ms" \
    "http://127.0.0.1:$WEBHOOK_PY_PORT/hook?delay_ms=$WEBHOOK_SLOW_MS" $((BENCH_WEBHOOK_MESSAGES / 25)) slow
  webhook_receiver_stop
  webhook_slow_receiver_stop
}
