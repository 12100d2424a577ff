# The throwaway PostgreSQL cluster for the benchmark: own data directory under /tmp, own port.
# Sourced by ./bench/run. Unlike the test fixture, this cluster is *durable* (fsync, synchronous
# commit and full-page writes on), because commit cost is part of what is measured: a NOTIFY
# serialises commits, and with fsync off that cost would be hidden.

# initdb and pg_ctl refuse to run as root: as root, run them as the postgres user.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# The settings the figures in docs/BENCHMARKS.md were measured with. The non-defaults are the usual
# production ones for a write-heavy database; max_wal_size keeps size-triggered checkpoints out of
# the runs (each run starts after an explicit CHECKPOINT instead).
BENCH_PG_SETTINGS=(
  -c fsync=on -c synchronous_commit=on -c full_page_writes=on
  -c shared_buffers=256MB -c max_wal_size=4GB -c checkpoint_timeout=30min
  -c max_connections=100
)

cluster_start() {
  local dir=$BENCH_DIR
  if [ -f "$dir/data/postmaster.pid" ]; then  # a previous run died without its trap
    as_pg "$PGBIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
  mkdir -p "$dir"
  if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$dir"; fi
  as_pg "$PGBIN/initdb" -D "$dir/data" -A trust -U outbox -E UTF8 >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  as_pg "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 start \
    -o "-c listen_addresses=127.0.0.1 -p $BENCH_PORT -k $dir ${BENCH_PG_SETTINGS[*]}" >/dev/null ||
    { cat "$dir/postgres.log" >&2; die "PostgreSQL did not start on port $BENCH_PORT"; }
  "$PGBIN/psql" -qAtX -h 127.0.0.1 -p "$BENCH_PORT" -U outbox -d postgres \
    -c "CREATE DATABASE outbox_bench" >/dev/null || die "cannot create the bench database"
}

cluster_stop() {
  [ -d "$BENCH_DIR/data" ] || return 0
  as_pg "$PGBIN/pg_ctl" -D "$BENCH_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
}
