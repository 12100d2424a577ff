# shellcheck shell=bash
# Configuring a build tree: the one place that picks the generator. Sourced by scripts/test,
# scripts/demo and bench/run, which share build/.
#
# Ninja, not make: make builds a target only after every target it links is built, so with one large
# translation unit per target (OUTBOXD_UNITY_BATCH, docs/hacking.md "CI time") the layers' compiles
# queue one behind another while a core idles; Ninja compiles them side by side and waits only to link.

# build_tree_configure <dir> [cmake arguments...]: configures <dir> for Ninja; a tree that another
# generator configured (make, by an older checkout) is configured afresh, since CMake cannot switch a
# tree's generator. Returns cmake's status; its output goes to stderr only when it fails.
build_tree_configure() {
  local dir=$1 log
  shift
  command -v ninja >/dev/null || {
    echo "ninja is missing: scripts/install-deps installs it (Debian package ninja-build)" >&2
    return 1
  }
  if [ -f "$dir/CMakeCache.txt" ] && ! grep -qx 'CMAKE_GENERATOR:INTERNAL=Ninja' "$dir/CMakeCache.txt"; then
    echo "$dir/ was configured for another generator than Ninja; configuring it afresh" >&2
    rm -rf "$dir/CMakeCache.txt" "$dir/CMakeFiles"
  fi
  log=$(cmake -S "$(dirname "${BASH_SOURCE[0]}")/../.." -B "$dir" -G Ninja "$@" 2>&1) || {
    printf '%s\n' "$log" >&2
    return 1
  }
}
