#!/usr/bin/env bash
# Proves `vstress shrink` on a real failure: the gc-after-manifest-failure mutant, first failing
# after at least 10,000 simulated steps, shrinks within 60 s to at most 30 steps written to
# RUN_DIR/min/ as a run directory, and `vstress repro` on that directory fails the same way (the
# same violation kind). A run that passed has nothing to shrink (exit 2).
#   shrink_test.sh VSTRESS WORK_DIR
set -uo pipefail
vstress="$1" work="$2"
rm -rf "$work" && mkdir -p "$work"
fail() { echo "shrink_test: FAIL: $*" >&2; exit 1; }

rc=0
"$vstress" sim --mutant gc-after-manifest-failure --seed 1 --progress off --history-ops 10 \
  --out "$work/run" >"$work/run.out" 2>&1 || rc=$?
cat "$work/run.out"
[[ $rc -eq 1 ]] || fail "the mutant run exited $rc, not 1"
read -r steps kind < <(python3 -c '
import json, sys
s = json.load(open(sys.argv[1] + "/summary.json"))
v = json.load(open(sys.argv[1] + "/violations.json"))["violations"][0]
print(s["sim"]["first_violation_step"], v["kind"])' "$work/run")
echo "shrink_test: the failure is first reached at step #$steps ($kind)"
((steps >= 10000)) || fail "the failure came after only $steps steps"

start=$SECONDS
rc=0
timeout 300 "$vstress" shrink "$work/run" --time-limit 60s >"$work/shrink.out" 2>&1 || rc=$?
elapsed=$((SECONDS - start))
cat "$work/shrink.out"
[[ $rc -eq 0 ]] || fail "shrink exited $rc"
((elapsed <= 90)) || fail "shrink took ${elapsed}s"
min_steps=$(grep -c '^#[0-9]' "$work/run/min/history.log")
echo "shrink_test: $steps steps -> $min_steps in ${elapsed}s"
((min_steps <= 30)) || fail "the reduced history has $min_steps steps"

rc=0
"$vstress" repro "$work/run/min" >"$work/repro.out" 2>&1 || rc=$?
cat "$work/repro.out"
[[ $rc -eq 1 ]] || fail "repro of the reduced case exited $rc, not 1"
grep -q "reproduced: $kind " "$work/repro.out" || fail "the reduced case fails another way"
[[ -x "$work/run/min/repro.sh" && -f "$work/run/min/report.html" ]] || fail "min/ is not a run directory"

"$vstress" sim --preset smoke --duration 0.2s --progress off --out "$work/pass" >/dev/null 2>&1
rc=0
"$vstress" shrink "$work/pass" >"$work/pass.out" 2>&1 || rc=$?
[[ $rc -eq 2 ]] || fail "shrinking a passing run exited $rc, not 2"
echo "shrink_test: PASS"
