#!/usr/bin/env bash
# Proves every driver ends a hang by itself and says where it hung: a thread blocked for ever (the
# test-only `hang` fault action) in the simulator, in a threaded run, in a kill run's child and in
# a replay ends the run within its bound with exit 3, a summary.json of result liveness naming the
# step and the ops in flight, history.log (simulator), stacks.txt and a report.html showing it;
# enumerate's cells and shrink's candidates end too. Each run has a hard `timeout` around it, so a
# watchdog that fails shows up as a failure, not a stuck suite.
#   watchdogs_test.sh VSTRESS WORK_DIR
set -uo pipefail
vstress="$1" work="$2"
rm -rf "$work" && mkdir -p "$work"
test_name=watchdogs_test
source "$(dirname "$0")/../lib/expect.sh"
hang='engine/compaction/write_output:hang:nth=3'
limit=120  # far above each watchdog's bound (2 x watchdog_seconds = 4 s, plus gdb)

# stuck_check DIR: the run in DIR ended as liveness with its postmortem written out.
stuck_check() {
  json_check "$1/summary.json" 'd["result"] == "liveness" and d["exit_code"] == 3 and d["error"]'
  json_check "$1/summary.json" 'd["postmortem"]["stacks"] == "stacks.txt" and d["postmortem"]["seconds_without_progress"] >= 4'
  [[ -s "$1/stacks.txt" ]] || fail "$1: no stacks.txt"
  grep -q 'id="postmortem"' "$1/report.html" || fail "$1: report.html shows no postmortem"
  for f in junit.xml violations.json metrics.prom timeseries.csv; do
    [[ -s "$1/$f" ]] || fail "$1: no $f"
  done
}

# 1. The simulator: its one thread is the stuck one, and its clock is simulated.
expect 3 "a simulated run that hangs" timeout $limit "$vstress" sim --preset smoke --duration 5s \
  --fault "$hang" --set watchdog_seconds=2 --progress off --out "$work/sim"
stuck_check "$work/sim"
json_check "$work/sim/summary.json" 'd["postmortem"]["step"] > 0 and any(l.startswith("#%d " % d["postmortem"]["step"]) for l in d["postmortem"]["in_flight"])'
step=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["postmortem"]["step"])' "$work/sim/summary.json")
last=$(grep -o '^#[0-9]*' "$work/sim/history.log" | tail -1 | tr -d '#')
[[ -n "$last" && $last -lt $step ]] || fail "history.log should end before the stuck step #$step (ends at #$last)"
grep -q "step #$step has not completed" "$work/sim/summary.json" || fail "the error does not name the step"

# 2. A replay of it hangs the same way, and says so.
expect 3 "repro of the hung simulation" timeout $limit "$vstress" repro "$work/sim"
grep -q "reproduced: liveness" "$work/out.txt" || fail "repro did not say the hang was reproduced"

# 3. The threaded driver: a client blocked in the DB cannot be joined; the watchdog ends the run.
expect 3 "a threaded run that hangs" timeout $limit "$vstress" run --preset smoke --duration 30s \
  --fault "$hang" --set watchdog_seconds=2 --progress off --out "$work/run"
stuck_check "$work/run"
json_check "$work/run/summary.json" 'any(op.startswith("writer-") for op in d["postmortem"]["in_flight"])'

# 4. A kill run: its child's own watchdog ends the child, and the parent reports the hang.
expect 3 "a kill run whose child hangs" timeout $limit "$vstress" crash --mode kill --preset smoke \
  --cycles 2 --set crash_every_seconds=60 --fault "$hang" --set watchdog_seconds=2 \
  --progress off --out "$work/kill"
json_check "$work/kill/summary.json" 'd["result"] == "liveness" and "stopped making progress" in d["error"]'
[[ -s "$work/kill/stacks.txt" ]] || fail "the kill run did not keep its child's stacks"

# 5. enumerate: a cell whose run hangs ends by its own watchdog (a workload that hangs even
#    without the enumerated fault is refused as failing on its own).
"$vstress" run --preset enumerate --ops 1 --progress off --out "$work/enum-base" >/dev/null 2>&1
sed -e 's/^watchdog_seconds = .*/watchdog_seconds = 2.0/' -e 's/^ops = .*/ops = 1500/' "$work/enum-base/config.toml" >"$work/enum-hang.toml"
printf '\n[[faults]]\nrule = "engine/flush/write_table:hang:nth=2"\n' >>"$work/enum-hang.toml"
expect 4 "enumerate over a workload that hangs" timeout $limit "$vstress" enumerate \
  --config "$work/enum-hang.toml" --point 'engine/manifest/sync' --max-hits 1 --out "$work/enum"
grep -q "fails without any fault (exit 3)" "$work/out.txt" || fail "enumerate did not say its workload hangs"
echo "watchdogs_test: PASS"
