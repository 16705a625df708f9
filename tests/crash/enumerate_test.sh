#!/usr/bin/env bash
# Proves `vstress enumerate` on the correct engine and that it can fail: every hit 1..3 of
# engine/manifest/*, engine/file/delete and fs/*/sync, failed once, persistently and as a power
# loss, with and without faults inside the recovery after each crash — no cell a violation, every
# (point, hit, mode) the workload reaches present, junit.xml valid, report.html a grid; the same
# matrix with a planted crash bug (current-not-synced) has violation cells, a failing junit
# testcase per violation and exit 1; bad flags are usage errors.
#   enumerate_test.sh VSTRESS JUNIT_XSD WORK_DIR
set -uo pipefail
vstress="$1" xsd="$2" work="$3"
rm -rf "$work" && mkdir -p "$work"
test_name=enumerate_test
source "$(dirname "$0")/../lib/expect.sh"
# matrix CHECK DIR: a Python expression over `m` (the matrix's summary.json) and `cells`.
matrix() { json_check "$2/summary.json" "$1" 'm = d; cells = d["cells"]'; }
points=(--point 'engine/manifest/*' --point engine/file/delete --point 'fs/*/sync')

expect 0 "the matrix on the correct engine" "$vstress" enumerate "${points[@]}" --max-hits 3 \
  --out "$work/plain"
matrix 'm["result"] == "pass" and m["counts"].get("violation", 0) == 0' "$work/plain"
matrix 'm["modes"] == ["once", "persistent", "crash"] and m["max_hits"] == 3' "$work/plain"
# Every point of the patterns is listed, and each one the workload reaches has hits 1..3 in every
# mode (the workload makes at least 3 hits of each point it reaches).
matrix 'set(m["point_hits"]) >= {"engine/manifest/sync", "engine/manifest/set_current", "engine/file/delete", "fs/wal/sync", "fs/manifest/sync", "fs/table/sync"}' "$work/plain"
matrix 'all(m["point_hits"][p] >= 3 for p in ["engine/manifest/sync", "engine/file/delete", "fs/wal/sync", "fs/manifest/sync", "fs/table/sync"])' "$work/plain"
matrix 'all({(c["point"], c["hit"], c["mode"]) for c in cells} >= {(p, n, mo) for p, h in m["point_hits"].items() if h > 0 for n in (1, 2, 3) for mo in m["modes"]} for _ in [0])' "$work/plain"
matrix 'm["cells_total"] == len(cells) >= 70 and m["counts"].get("not-reached", 0) == 0' "$work/plain"
# What the engine does with a fault differs by point: a failed MANIFEST sync surfaces, a failed
# table sync is retried.
matrix 'any(c["outcome"] == "error" for c in cells) and any(c["outcome"] == "ok" for c in cells)' "$work/plain"
matrix 'all(c["recovery_calls"] > 0 for c in cells if c["mode"] == "crash")' "$work/plain"
xmllint --noout --schema "$xsd" "$work/plain/junit.xml" || fail "junit.xml is not valid"
grep -q 'class="matrix" data-mode="persistent"' "$work/plain/report.html" || fail "no grid in report.html"
grep -q "cells: .* 0 violation" "$work/out.txt" || fail "the counts line"

expect 0 "the matrix with faults inside recovery" "$vstress" enumerate "${points[@]}" \
  --max-hits 3 --during-recovery --out "$work/recovery"
matrix 'm["counts"].get("violation", 0) == 0 and m["during_recovery"]' "$work/recovery"
# After every crash cell, calls 1..3 of its recovery failed (error) and lost power (crash).
matrix 'all({(c["point"], c["hit"], a, j) for a in ("error", "crash") for j in (1, 2, 3)} <= {(r["point"], r["hit"], r["recovery_action"], r["recovery_hit"]) for r in cells if "recovery_hit" in r} for c in cells if c["mode"] == "crash" and "recovery_hit" not in c)' "$work/recovery"
matrix 'sum(1 for c in cells if "recovery_hit" in c and c["outcome"] == "error") > 50' "$work/recovery"
xmllint --noout --schema "$xsd" "$work/recovery/junit.xml" || fail "junit.xml is not valid"

# The checker can fail: CURRENT never synced is caught by the crash cells.
expect 1 "the matrix with a planted bug" "$vstress" enumerate "${points[@]}" --max-hits 3 \
  --fault-mode crash --mutant current-not-synced --out "$work/mutant"
matrix 'm["result"] == "violation" and m["counts"]["violation"] > 0 and m["modes"] == ["crash"]' "$work/mutant"
matrix 'all(c["run_dir"] and c["repro"].startswith("vstress sim") for c in cells if c["outcome"] == "violation")' "$work/mutant"
xmllint --noout --schema "$xsd" "$work/mutant/junit.xml" || fail "mutant junit.xml invalid"
failures=$(xmllint --xpath 'count(//testcase/failure)' "$work/mutant/junit.xml")
violations=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["counts"]["violation"])' "$work/mutant/summary.json")
[[ $failures -eq $((violations + 1)) ]] || fail "junit failures $failures, want one per violation cell + the matrix"
grep -q "^violation: " "$work/out.txt" || fail "the violations are not printed"
# A violation cell's rerun command reproduces it.
rerun=$(python3 -c 'import json,sys; print([c["repro"] for c in json.load(open(sys.argv[1]))["cells"] if c["outcome"] == "violation"][0])' "$work/mutant/summary.json")
rerun=${rerun/#vstress /}
rerun="${rerun%% --out *} --out $(printf %q "$work/rerun") --progress off"
eval "expect 1 \"the rerun of a violation cell\" \"\$vstress\" $rerun"

expect 2 "a pattern that names no point" "$vstress" enumerate --point 'engine/nothing/*' --out "$work/bad"
grep -q "names no fault point" "$work/out.txt" || fail "the unknown point message"
expect 2 "no --point" "$vstress" enumerate --out "$work/bad"
expect 2 "an unknown mutant" "$vstress" enumerate --point fs/wal/sync --mutant no-such-bug --out "$work/bad"
grep -q "no-such-bug" "$work/out.txt" || fail "the child's message about the mutant"
expect 2 "an unknown mode" "$vstress" enumerate --point fs/wal/sync --fault-mode sometimes --out "$work/bad"
echo "enumerate_test: PASS"
