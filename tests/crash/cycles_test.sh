#!/usr/bin/env bash
# Proves `vstress crash` on the correct engine: 30 power-loss cycles over a real directory and 20
# over the in-memory file system (drop-unsynced and torn), 6 kill cycles of a child vstress, and
# crash rules in the simulator — every recovery verified, no acknowledged durable write lost, every
# cycle in summary.json; a simulated run with crashes is deterministic; the kill mode's children
# checked reads and their counts reach the summary; bad combinations are usage errors.
#   cycles_test.sh VSTRESS WORK_DIR
set -uo pipefail
vstress="$1" work="$2"
rm -rf "$work" && mkdir -p "$work"
test_name=cycles_test
source "$(dirname "$0")/../lib/expect.sh"
# summary CHECK RUN_DIR: a Python expression over `s` (summary.json) and `c` (its crash section).
summary() { json_check "$2/summary.json" "$1" 's = d; c = d["crash"]'; }

expect 0 "30 power-loss cycles" "$vstress" crash --preset smoke --cycles 30 \
  --set crash_every_seconds=0.15 --progress off --out "$work/power"
summary 'c["cycles"] == 30 and c["recovered"] == 30 and c["lost_acknowledged_writes"] == 0' "$work/power"
summary 'c["mode"] == "power-loss" and set(c["by_mode"]) == {"power-loss", "torn"}' "$work/power"
summary 'all(x["ok"] and x["recovered"] >= x["floor"] for x in c["list"])' "$work/power"
summary 'sum(x["dropped_writes"] for x in c["list"]) > 0' "$work/power"
summary 'c["recovery_ms"]["max"] >= c["recovery_ms"]["p99"] >= c["recovery_ms"]["p50"] > 0' "$work/power"
grep -q "crashes: 30 power-loss cycles, 30 recovered and verified" "$work/out.txt" \
  || fail "the result line does not count the cycles"
[[ ! -e "$work/power/crash-cycle-1" ]] || fail "a verified cycle's DB copy was kept"

expect 0 "20 power-loss cycles in memory" "$vstress" crash --preset smoke --fs memory --cycles 20 \
  --set crash_every_seconds=0.1 --progress off --out "$work/memory"
summary 'c["cycles"] == 20 and c["recovered"] == 20 and c["lost_acknowledged_writes"] == 0' "$work/memory"
[[ -e "$work/memory/db/CURRENT" ]] || fail "the in-memory DB was not written out to db/"

expect 0 "6 kill cycles" "$vstress" crash --mode kill --preset smoke --cycles 6 \
  --set crash_every_seconds=0.5 --progress plain --out "$work/kill"
summary 'c["mode"] == "kill" and c["cycles"] == 6 and c["recovered"] == 6' "$work/kill"
summary 'c["lost_acknowledged_writes"] == 0 and all(x["floor"] > 0 for x in c["list"])' "$work/kill"
summary 's["checks"]["reads_checked"] > 0 and s["ops"]["put"] > 0' "$work/kill"
[[ $(grep -c "^\[.*\] kill cycle" "$work/out.txt") -eq 6 ]] || fail "not one progress line per kill"
[[ ! -e "$work/kill/kill" ]] || fail "the children's directories of a passing run were kept"

# Crash rules in the simulator: every fire is a power loss recovered from at once, deterministically.
expect 0 "simulated crashes" "$vstress" sim --preset smoke --ops 40000 \
  --fault 'fs/wal/append:crash:every=1500' --check-determinism --progress off --out "$work/sim"
summary 'c["cycles"] >= 10 and c["recovered"] == c["cycles"]' "$work/sim"
grep -q "determinism: a second run took the same" "$work/out.txt" || fail "not deterministic"

expect 2 "kill with --ops" "$vstress" crash --mode kill --ops 100 --out "$work/bad"
grep -q "duration or --cycles" "$work/out.txt" || fail "the --ops message"
expect 2 "kill in memory" "$vstress" crash --mode kill --fs memory --out "$work/bad"
expect 2 "an unknown mode" "$vstress" crash --mode reboot --out "$work/bad"
echo "cycles_test: PASS"
