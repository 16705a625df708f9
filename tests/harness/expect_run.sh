#!/usr/bin/env bash
# Runs `vstress run ...` and checks its outcome, for the smoke tests.
#   expect_run.sh EXPECTED_EXIT TIMEOUT_S OUT_DIR VSTRESS run ARGS...
# EXPECTED_EXIT 1 also requires summary.json to say "violation" and violations.json to hold one;
# EXPECTED_EXIT 0 requires "pass" and at least one checked read.
set -u
expected="$1" timeout_s="$2" out="$3"
shift 3
rm -rf "$out"
start=$(date +%s)
timeout --signal=KILL "$timeout_s" "$@" --out "$out" --progress off
rc=$?
elapsed=$(( $(date +%s) - start ))
echo "expect_run: exit $rc after ${elapsed}s (expected $expected within ${timeout_s}s)"
if [[ $rc -ne $expected ]]; then
  [[ -f "$out/violations.json" ]] && head -c 3000 "$out/violations.json"
  exit 1
fi
summary="$out/summary.json"
[[ -f "$summary" ]] || { echo "expect_run: $summary is missing"; exit 1; }
if [[ $expected -eq 1 ]]; then
  grep -q '"result": "violation"' "$summary" || { echo "expect_run: result is not violation"; exit 1; }
  grep -q '"kind"' "$out/violations.json" || { echo "expect_run: no violation recorded"; exit 1; }
  grep -m1 '"message"' "$out/violations.json"
elif [[ $expected -eq 0 ]]; then
  grep -q '"result": "pass"' "$summary" || { echo "expect_run: result is not pass"; exit 1; }
  grep -q '"reads_checked": [1-9]' "$summary" || { echo "expect_run: no read was checked"; exit 1; }
fi
exit 0
