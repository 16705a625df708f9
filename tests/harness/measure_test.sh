#!/usr/bin/env bash
# Proves `vstress mutants --measure`: over two seeds every mutant's own command catches it (exit 0,
# detection.json says n/n for each, with a time to detect and a kind, and detection.html holds one
# row per mutant); and that it can fail: with its fault rules cleared (--set faults=), the MANIFEST
# mutant's bug never triggers, and that miss is reported with exit 1 and 0/1.
#   measure_test.sh VSTRESS WORK_DIR
set -uo pipefail
vstress="$1" work="$2"
rm -rf "$work" && mkdir -p "$work"
fail() { echo "measure_test: FAIL: $*" >&2; exit 1; }

rc=0
timeout 900 "$vstress" mutants --measure --seeds 2-3 --budget 60s --out "$work/all" \
  >"$work/all.out" 2>&1 || rc=$?
cat "$work/all.out"
[[ $rc -eq 0 ]] || fail "the measure exited $rc"
python3 - "$work/all/detection.json" "$("$vstress" mutants | wc -l)" <<'EOF2' || fail "detection.json"
import json, sys
doc = json.load(open(sys.argv[1]))
want = int(sys.argv[2])
rows = doc["mutants"]
assert len(rows) == want, f"{len(rows)} mutants, want {want}"
assert doc["all_caught"] is True
for r in rows:
    assert r["caught"] == r["runs_total"] == 2, r
    assert r["median_s"] is not None and r["max_s"] >= r["median_s"], r
    assert r["kinds"], r
    for run in r["runs"]:
        assert run["caught"] and run["first_kind"] and run["detect_s"] is not None, run
print(f"measure_test: {len(rows)} mutants caught on both seeds")
EOF2
rows=$(grep -o '<tr data-mutant=' "$work/all/detection.html" | wc -l)
[[ $rows -eq $("$vstress" mutants | wc -l) ]] || fail "detection.html has $rows rows"
grep -q 'data-all-caught="true"' "$work/all/detection.html" || fail "detection.html does not say all caught"

rc=0
timeout 120 "$vstress" mutants --measure --mutant gc-after-manifest-failure --seeds 1 \
  --budget 3s --set faults= --out "$work/short" >"$work/short.out" 2>&1 || rc=$?
cat "$work/short.out"
[[ $rc -eq 1 ]] || fail "a missed mutant exited $rc, not 1"
grep -q 'gc-after-manifest-failure  *0/1' "$work/short/detection.txt" || fail "detection.txt does not say 0/1"
grep -q 'data-all-caught="false"' "$work/short/detection.html" || fail "detection.html does not say missed"

rc=0
"$vstress" mutants --seeds 1-2 >/dev/null 2>&1 || rc=$?
[[ $rc -eq 2 ]] || fail "--seeds without --measure exited $rc, not 2"
rc=0
"$vstress" mutants --measure --seeds 5-1 >/dev/null 2>&1 || rc=$?
[[ $rc -eq 2 ]] || fail "--seeds 5-1 exited $rc, not 2"
echo "measure_test: PASS"
