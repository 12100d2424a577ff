# shellcheck shell=bash disable=SC2012  # sourced, not run; the ls lists a fixed glob of directories
# A throwaway PostgreSQL cluster: the one place that finds the server binaries, picks the user that
# owns the cluster, clears what a killed run left behind, runs initdb and starts and stops the
# server. Sourced by tests/fixtures/pg_fixture.sh (the ctest fixture), bench/lib/cluster.sh (the
# benchmark) and scripts/demo; each caller passes its own port, directory and server settings.
#
# Every function prints a message naming the problem on stderr and returns non-zero when it fails;
# it never exits, so each caller reports failures its own way. Only the files under the cluster
# directory the caller names are written or removed.
#
# Environment: PGBIN, the directory holding initdb and pg_ctl (default: the newest
# /usr/lib/postgresql/*/bin); PG_CLUSTER_USER, the unprivileged user that owns the cluster when run
# as root (default: postgres).

# pg_cluster_find_bin: sets PGBIN, or says which binary directory is missing.
pg_cluster_find_bin() {
  if [ -z "${PGBIN:-}" ]; then
    PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    if [ -z "$PGBIN" ]; then
      echo "pg_cluster: no PostgreSQL server binaries under /usr/lib/postgresql/*/bin; install" \
        "postgresql-15 (scripts/install-deps) or set PGBIN to the directory holding initdb and pg_ctl" >&2
      return 1
    fi
  fi
  local tool
  for tool in initdb pg_ctl; do
    if [ ! -x "$PGBIN/$tool" ]; then
      echo "pg_cluster: PGBIN=$PGBIN has no executable $tool; set PGBIN to PostgreSQL's bin directory" >&2
      return 1
    fi
  done
}

# initdb and pg_ctl refuse to run as root, so as root they run as an unprivileged user, who then
# owns the data directory.
pg_cluster_user() { echo "${PG_CLUSTER_USER:-postgres}"; }

pg_cluster_as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u "$(pg_cluster_user)" -- "$@"; else "$@"; fi
}

# pg_cluster_listening PORT: true when something accepts TCP connections on 127.0.0.1:PORT.
pg_cluster_listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# pg_cluster_clear_stale DIR: stops a server a killed run left running on DIR/data. The pid in a
# postmaster.pid that outlived its server may belong to an unrelated process by now, even another
# cluster's server, so pg_ctl is asked to stop it (with SIGQUIT) only when that process runs in
# DIR/data: a PostgreSQL server's working directory is its data directory.
pg_cluster_clear_stale() {
  local pidfile=$1/data/postmaster.pid pid
  [ -f "$pidfile" ] || return 0
  pid=$(head -n 1 "$pidfile" 2>/dev/null || true)
  case "$pid" in ''|*[!0-9]*) return 0 ;; esac
  if [ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" = "$(readlink -f "$1/data")" ]; then
    pg_cluster_as_owner "$PGBIN/pg_ctl" -D "$1/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
}

# pg_cluster_make_dir DIR: an empty DIR owned by the cluster's user. Returns 2 (and leaves DIR
# removed) when that user cannot write DIR because a parent directory is closed to it, so a caller
# can pick a directory elsewhere; 1 on any other failure.
pg_cluster_make_dir() {
  local dir=$1 user
  rm -rf "$dir"
  mkdir -p "$dir" || { echo "pg_cluster: cannot create $dir" >&2; return 1; }
  [ "$(id -u)" = 0 ] || return 0
  user=$(pg_cluster_user)
  if ! id -u "$user" >/dev/null 2>&1; then
    echo "pg_cluster: running as root, the cluster must be owned by an unprivileged user, and user" \
      "'$user' does not exist; create it or set PG_CLUSTER_USER to another one" >&2
    rm -rf "$dir"
    return 1
  fi
  chown "$user:" "$dir" || { rm -rf "$dir"; return 1; }
  if ! runuser -u "$user" -- test -w "$dir"; then
    rm -rf "$dir"
    return 2
  fi
}

# pg_cluster_create DIR PORT LOG [--no-sync] [-- SERVER_OPTION...]: a new cluster in DIR/data whose
# superuser is `outbox` (trust authentication), started on 127.0.0.1:PORT with its server log in
# LOG; returns once it accepts connections. DIR must come from pg_cluster_make_dir. --no-sync skips
# initdb's fsync (for clusters whose durability nobody measures). The server options are passed to
# postgres as they are, e.g. `-c fsync=off -k DIR`.
pg_cluster_create() {
  local dir=$1 port=$2 log=$3 sync=()
  shift 3
  if [ "${1:-}" = --no-sync ]; then sync=(--no-sync); shift; fi
  if [ "${1:-}" = -- ]; then shift; fi
  # Checked before initdb, because the server's own complaint is buried in its log.
  if pg_cluster_listening "$port"; then
    echo "pg_cluster: port $port on 127.0.0.1 is already in use; stop what listens there or pick" \
      "another port" >&2
    return 1
  fi
  if ! pg_cluster_as_owner "$PGBIN/initdb" -D "$dir/data" -A trust -U outbox -E UTF8 "${sync[@]}" \
      >"$dir/initdb.log" 2>&1; then
    cat "$dir/initdb.log" >&2
    echo "pg_cluster: initdb failed in $dir/data" >&2
    return 1
  fi
  pg_cluster_start "$dir" "$port" "$log" "$@"
}

# pg_cluster_start DIR PORT LOG [SERVER_OPTION...]: starts the cluster pg_cluster_create made in DIR
# (again, after pg_cluster_stop) and returns once it accepts connections.
pg_cluster_start() {
  local dir=$1 port=$2 log=$3
  shift 3
  if ! pg_cluster_as_owner "$PGBIN/pg_ctl" -D "$dir/data" -l "$log" -w -t 60 start \
      -o "-c listen_addresses=127.0.0.1 -p $port $*" >/dev/null; then
    cat "$log" >&2
    echo "pg_cluster: PostgreSQL did not start on 127.0.0.1:$port (log: $log)" >&2
    return 1
  fi
}

# pg_cluster_restart DIR LOG: fast shutdown and start with the same settings; every connection drops.
pg_cluster_restart() {
  pg_cluster_as_owner "$PGBIN/pg_ctl" -D "$1/data" -l "$2" -m fast -w -t 60 restart >/dev/null
}

# pg_cluster_stop DIR: fast shutdown when DIR holds a cluster. DIR itself stays: callers remove it.
pg_cluster_stop() {
  [ -d "$1/data" ] || return 0
  pg_cluster_as_owner "$PGBIN/pg_ctl" -D "$1/data" -m fast -w stop >/dev/null 2>&1 || true
}
