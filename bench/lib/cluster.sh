# The throwaway PostgreSQL cluster for the benchmark: own data directory under /tmp, own port.
# Sourced by ./bench/run; the cluster itself is scripts/lib/pg_cluster.sh. Unlike the test fixture,
# this cluster is *durable* (fsync, synchronous commit and full-page writes on, initdb syncs),
# because commit cost is part of what is measured: a NOTIFY serialises commits, and with fsync off
# that cost would be hidden.

# shellcheck source=../../scripts/lib/pg_cluster.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/pg_cluster.sh"

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
  pg_cluster_clear_stale "$dir"  # a previous run died without its trap
  pg_cluster_make_dir "$dir" || die "cannot prepare $dir for the cluster"
  pg_cluster_create "$dir" "$BENCH_PORT" "$dir/postgres.log" -- -k "$dir" "${BENCH_PG_SETTINGS[@]}" ||
    die "PostgreSQL did not start on port $BENCH_PORT"
  "$PGBIN/psql" -qAtX -h 127.0.0.1 -p "$BENCH_PORT" -U outbox -d postgres \
    -c "CREATE DATABASE outbox_bench" >/dev/null || die "cannot create the bench database"
}

cluster_stop() { pg_cluster_stop "$BENCH_DIR"; }
