#!/usr/bin/env bash
# The default soak. Until the harness's `vstress run` exists, it is the engine's own concurrency
# smoke: readers holding iterators and snapshots across forced compactions while writers run,
# repeated for SOAK_ROUNDS rounds (default 10), every read checked against the write log.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${SOAK_ROUNDS:-10}"
binary=build/release/tests/engine_concurrency_tests
[[ -x "$binary" ]] || { echo "soak: $binary is missing; run 'make build' first" >&2; exit 4; }
out="runs/$(date -u +%Y%m%dT%H%M%SZ)-engine-smoke"
mkdir -p "$out"
echo "soak: $rounds rounds of the engine concurrency smoke; log in $out/soak.log"
"$binary" --gtest_repeat="$rounds" --gtest_brief=1 \
  --gtest_output="xml:$out/junit.xml" >"$out/soak.log" 2>&1 && rc=0 || rc=$?
tail -n 3 "$out/soak.log"
echo "soak: run directory $out (junit.xml, soak.log); exit $rc"
exit "$rc"
