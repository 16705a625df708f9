#!/usr/bin/env bash
# The default soak: `vstress run --preset default` (10 minutes of writers, point readers, long-lived
# iterators and snapshot readers under constant compaction and low-rate faults, every read checked).
# Extra arguments go to `vstress run` (e.g. SOAK_ARGS="--duration 2m --seed 7" make soak).
set -euo pipefail
cd "$(dirname "$0")/.."
binary=build/release/harness/vstress
[[ -x "$binary" ]] || { echo "soak: $binary is missing; run 'make build' first" >&2; exit 4; }
out="runs/$(date -u +%Y%m%dT%H%M%SZ)-soak"
"$binary" run --preset default --out "$out" "$@" && rc=0 || rc=$?
echo "soak: exit $rc; run directory $out (summary.json, violations.json, faults.log, repro.sh)"
exit "$rc"
