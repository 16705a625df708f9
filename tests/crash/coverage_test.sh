#!/usr/bin/env bash
# Background errors and fault coverage. --on-background-error reopen keeps a run writing after an
# injected MANIFEST failure (reopens counted, each verified) where stop-writes only reads; the
# summary's coverage section lists the (point, action) pairs that fired and what the engine did;
# a pair in expect_reached that never fires fails the run (exit 1, violation kind coverage).
#   coverage_test.sh VSTRESS WORK_DIR
set -uo pipefail
vstress="$1" work="$2"
rm -rf "$work" && mkdir -p "$work"
test_name=coverage_test
source "$(dirname "$0")/../lib/expect.sh"
summary() { json_check "$2/summary.json" "$1" 's = d'; }  # summary CHECK RUN_DIR

# Every 4th MANIFEST sync from op 3000 on fails. The reopen run is bounded by ops, not time, so
# it meets the same number of failures at any pace (ASan on a slow machine included): about six,
# each followed by a reopen. stop-writes cannot be bounded by ops (its writes stop), so it runs 4 s.
fault=(--fault 'engine/manifest/sync:error:every=4@after_ops=3000')
expect 0 "stop-writes" "$vstress" run --preset manifest-faults --duration 4s \
  "${fault[@]}" --on-background-error stop-writes --progress off --out "$work/stop"
expect 0 "reopen" "$vstress" run --preset manifest-faults --ops 12000 \
  "${fault[@]}" --on-background-error reopen --progress off --out "$work/reopen"
summary 's["engine"]["background_errors"] >= 1 and "crash" not in s and s["coverage"]["reactions"]["reopened"] == 0' "$work/stop"
summary 's["crash"]["reopens_after_background_error"] >= 2' "$work/reopen"
summary 's["coverage"]["reactions"]["reopened"] == s["crash"]["reopens_after_background_error"]' "$work/reopen"
summary 's["coverage"]["fired"]["engine/manifest/sync:error"] >= 2' "$work/reopen"
summary 's["quiescence"]["reopens"] >= s["crash"]["reopens_after_background_error"]' "$work/reopen"
stop_puts=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["ops"]["put"])' "$work/stop/summary.json")
# Writes went on after each reopen: well over what stopped at the first background error.
summary "s['ops']['put'] > 2 * $stop_puts" "$work/reopen"
grep -q "reopens_after_background_error" "$work/reopen/summary.json" || fail "no reopen count"

# Every third compaction output fails too, so background work is surely retried (even at ASan's
# pace, where 2 s hold a few dozen compactions).
expect 0 "a pair that fires" "$vstress" run --preset smoke --duration 2s \
  --fault 'engine/compaction/write_output:error:every=3' \
  --set 'expect_reached=["engine/file/delete:error"]' --progress off --out "$work/reached"
summary 's["coverage"]["expect_reached"] == [{"pair": "engine/file/delete:error", "fires": s["coverage"]["fired"]["engine/file/delete:error"], "reached": True}]' "$work/reached"
summary 's["coverage"]["reactions"]["retried"] > 0' "$work/reached"
expect 1 "a pair that never fires" "$vstress" run --preset smoke --duration 2s \
  --set 'expect_reached=["engine/file/delete:error", "engine/manifest/sync:error"]' --progress off \
  --out "$work/missed"
grep -q "violation \[coverage\].*engine/manifest/sync:error never fired" "$work/out.txt" \
  || fail "the coverage violation is not printed"
python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))["violations"]; sys.exit(0 if [x["kind"] for x in v] == ["coverage"] else 1)' \
  "$work/missed/violations.json" || fail "violations.json does not hold one coverage violation"

expect 2 "a bad --on-background-error" "$vstress" run --on-background-error retry --out "$work/bad"
expect 2 "a bad expect_reached" "$vstress" run --set 'expect_reached=["engine/nothing:error"]' --out "$work/bad"
grep -q "expect_reached" "$work/out.txt" || fail "the bad pair is not named"
echo "coverage_test: PASS"
