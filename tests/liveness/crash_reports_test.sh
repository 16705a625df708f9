#!/usr/bin/env bash
# Proves a run whose process dies still leaves a report: an abort inside the engine (the test-only
# `abort` fault action) in a threaded run, a simulated run and a kill run's child ends with exit 4
# and a summary.json of result crash naming the signal and the last progress line, stacks.txt (the
# dying thread's, and every thread's from gdb), and `vstress report` renders it.
#   crash_reports_test.sh VSTRESS WORK_DIR
set -uo pipefail
vstress="$1" work="$2"
rm -rf "$work" && mkdir -p "$work"
test_name=crash_reports_test
source "$(dirname "$0")/../lib/expect.sh"
abort='engine/flush/write_table:abort:nth=2'
limit=120

# dead_check DIR: the run in DIR died of SIGABRT and said so.
dead_check() {
  json_check "$1/summary.json" 'd["result"] == "crash" and d["exit_code"] == 4 and "SIGABRT" in d["error"]'
  json_check "$1/summary.json" 'd["postmortem"]["signal"] == 6 and d["postmortem"]["signal_name"] == "SIGABRT"'
  [[ -s "$1/stacks.txt" ]] || fail "$1: no stacks.txt"
}

expect 4 "a threaded run that aborts" timeout $limit "$vstress" run --preset smoke --duration 20s \
  --fault "$abort" --progress off --out "$work/run"
dead_check "$work/run"
json_check "$work/run/summary.json" 'd["seed"] == 1 and d["preset"] == "smoke" and d["repro"]'
grep -q "aborts the process here" "$work/out.txt" || fail "the abort's own message is missing"
grep -q "died of SIGABRT" "$work/run/stacks.txt" || fail "stacks.txt does not name the signal"
# The report is rebuilt from what the dying process left.
expect 0 "report of a crashed run" "$vstress" report "$work/run"
grep -q 'id="postmortem"' "$work/run/report.html" || fail "report.html shows no postmortem"
grep -q "SIGABRT" "$work/run/report.html" || fail "report.html does not name the signal"

expect 4 "a simulated run that aborts" timeout $limit "$vstress" sim --preset smoke --duration 5s \
  --fault "$abort" --progress off --out "$work/sim"
dead_check "$work/sim"

expect 4 "a kill run whose child aborts" timeout $limit "$vstress" crash --mode kill --preset smoke \
  --cycles 3 --fault "$abort" --progress off --out "$work/kill"
dead_check "$work/kill"
grep -q "kill cycle 1: the workload died of SIGABRT" "$work/kill/summary.json" || fail "the kill run does not say its child died"
echo "crash_reports_test: PASS"
