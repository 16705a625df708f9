#!/usr/bin/env bash
# The run directory's metric and test-report artifacts are valid for the tools that read them:
# promtool accepts metrics.prom and the --metrics-textfile; xmllint accepts junit.xml against a
# JUnit schema and it has the expected testcases, for a passing run and a mutant run. Bad metrics
# flags exit 2.
# Usage: artifacts_test.sh VSTRESS SCRATCH_DIR
set -euo pipefail
VSTRESS=$1
DIR=$2
HERE=$(dirname "$0")
source "$HERE/lib.sh"
for tool in promtool xmllint; do command -v $tool >/dev/null || fail "$tool is not installed"; done
rm -rf "$DIR" && mkdir -p "$DIR"

"$VSTRESS" run --preset smoke --duration 3s --seed 3 --progress off \
  --metrics-textfile "$DIR/textfile.prom" --out "$DIR/pass" >"$DIR/pass.out" 2>&1 ||
  fail "the smoke run failed: $(cat "$DIR/pass.out")"
for f in metrics.prom junit.xml timeseries.csv summary.json; do
  [[ -s "$DIR/pass/$f" ]] || fail "the run left no $f"
done

# promtool lints the exposition format (names, types, help); it prints problems and exits non-zero.
promtool check metrics <"$DIR/pass/metrics.prom" || fail "promtool rejects metrics.prom"
promtool check metrics <"$DIR/textfile.prom" || fail "promtool rejects the textfile"
for metric in vstress_engine_live_versions vstress_engine_deferred_deletions \
  vstress_engine_deferred_deletion_bytes vstress_engine_oldest_version_age_seconds \
  vstress_engine_files_deleted_total vstress_engine_version_installs_total \
  vstress_engine_compactions_total vstress_engine_flushes_total vstress_faults_injected_total \
  vstress_ops_total vstress_reads_checked_total vstress_op_latency_seconds_bucket vstress_run_info; do
  grep -q "^$metric[{ ]" "$DIR/pass/metrics.prom" || fail "metrics.prom lacks $metric"
done
# The counters agree with summary.json.
gets=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["ops"]["get"])' "$DIR/pass/summary.json")
prom_gets=$(awk '/^vstress_ops_total\{.*op="get"/ {s += $2} END {printf "%d", s}' "$DIR/pass/metrics.prom")
[[ "$gets" == "$prom_gets" ]] || fail "metrics.prom counts $prom_gets gets, summary.json $gets"
awk '/^vstress_violations_total\{/ && $2 != 0 {bad=1} END {exit bad}' "$DIR/pass/metrics.prom" || fail "a passing run counted violations"
grep -q "^vstress_violations_total{" "$DIR/pass/metrics.prom" || fail "metrics.prom lacks vstress_violations_total"
echo "metrics.prom: promtool ok, $prom_gets gets as in summary.json"

# junit.xml: well-formed, valid against the schema, the expected testcases, no failures.
xmllint --noout --schema "$HERE/junit.xsd" "$DIR/pass/junit.xml" || fail "junit.xml is not valid"
count() { xmllint --xpath "$1" "$2"; }
for name in "point reads" "scans" "snapshot reads" "invariants" "recovery" "run completes"; do
  [[ $(count "count(//testcase[@name='$name'])" "$DIR/pass/junit.xml") == 1 ]] ||
    fail "junit.xml has no testcase '$name'"
done
[[ $(count 'count(//failure)' "$DIR/pass/junit.xml") == 0 ]] || fail "a passing run has failures"
[[ $(count 'string(/testsuites/testsuite/@failures)' "$DIR/pass/junit.xml") == 0 ]] ||
  fail "the passing suite counts failures"
echo "junit.xml (pass): valid, 6 testcases, no failures"

# A mutant run: the mutant is caught, the failure carries the violation text.
set +e
"$VSTRESS" run --mutant delete-obsolete-immediately --seed 1 --progress off \
  --out "$DIR/mutant" >"$DIR/mutant.out" 2>&1
rc=$?
set -e
[[ $rc -eq 1 ]] || fail "the mutant run exited $rc, expected 1"
xmllint --noout --schema "$HERE/junit.xsd" "$DIR/mutant/junit.xml" || fail "mutant junit.xml invalid"
[[ $(count "count(//testcase[@name='mutant delete-obsolete-immediately is caught']/failure)" \
  "$DIR/mutant/junit.xml") == 0 ]] || fail "the caught mutant's testcase failed"
[[ $(count "count(//testcase[@name='mutant delete-obsolete-immediately is caught'])" \
  "$DIR/mutant/junit.xml") == 1 ]] || fail "no testcase for the mutant"
failures=$(count 'count(//failure)' "$DIR/mutant/junit.xml")
((failures >= 1)) || fail "the mutant run's junit.xml has no failure"
count 'string(//failure[1])' "$DIR/mutant/junit.xml" | grep -q 'expected:' ||
  fail "the failure does not carry the violation text"
grep -q '^vstress_violations_total{' "$DIR/mutant/metrics.prom" || fail "no violations metric"
echo "junit.xml (mutant): valid, caught, $failures failure(s) with the violation text"

# Bad flags: exit 2, naming the flag.
expect_usage() {
  local flag=$1 value=$2
  set +e
  "$VSTRESS" run --preset smoke --duration 1s --out "$DIR/bad" "$flag" "$value" >"$DIR/bad.out" 2>&1
  local rc=$?
  set -e
  [[ $rc -eq 2 ]] || fail "$flag $value exited $rc, expected 2"
  grep -q -- "$flag" "$DIR/bad.out" || fail "the message does not name $flag: $(cat "$DIR/bad.out")"
}
expect_usage --metrics-listen nonsense
expect_usage --metrics-listen 256.1.1.1:80
expect_usage --push-gateway ftp://127.0.0.1:9091
echo "PASS: artifacts valid; bad metrics flags exit 2"
