#!/usr/bin/env bash
# Runs a libFuzzer binary over the seed corpus without writing into the source tree: libFuzzer adds
# new inputs to its first corpus directory, so that is a fresh temporary one and the seeds come second.
# Usage: run_fuzzer.sh <fuzzer> <seed-corpus-dir> [libFuzzer options...]
set -euo pipefail
fuzzer=$1 seeds=$2
shift 2
work=$(mktemp -d "${TMPDIR:-/tmp}/outboxd-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"  # crash-*/leak-* reproducers land here; printed on failure
mkdir corpus
status=0
"$fuzzer" "$@" corpus "$seeds" || status=$?
if [ "$status" != 0 ]; then
  for f in "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-*; do
    [ -e "$f" ] || continue
    echo "reproducer $f (base64):"; base64 "$f"
  done
fi
exit "$status"
