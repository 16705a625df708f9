#!/usr/bin/env bash
# Proves `vstress sweep --executor parallel` with the real GNU parallel: every shard run as
# `vstress shard DIR INDEX` through --sshloginfile (":" is this machine: the same path as a remote
# host, without ssh), each job's exit code in parallel's joblog equal to the shard's own, the merge
# at the end; then --retry-failed reruns exactly the failed shards from the joblog and merges again;
# a hung shard is killed at its limit and shown; SIGTERM stops parallel and every shard.
#   parallel_test.sh VSTRESS WORK_DIR
set -uo pipefail
vstress="$1" work="$2"
rm -rf "$work" && mkdir -p "$work"
test_name=sweep_parallel_test
source "$(dirname "$0")/../lib/expect.sh"
source "$(dirname "$0")/sweep_lib.sh"
source "$(dirname "$0")/../lib/slurm.sh"
parallel_check || fail "GNU parallel is missing (scripts/install-deps.sh installs it)"
mutant=drop-tombstone-early
mutant_config "$work/mutant.toml" "$mutant"
printf '2/:\n' >"$work/hosts"

expect 1 "a parallel sweep with a mutant workload" "$vstress" sweep --executor parallel --jobs 2 \
  --sshloginfile "$work/hosts" --seeds 1-6 --preset smoke --config "$work/mutant.toml" \
  --duration 2s --cleanup-on-pass --progress plain --out "$work/sweep dir"
dir="$work/sweep dir"
joblog="$dir/parallel/joblog"
[[ $(tail -n +2 "$joblog" | wc -l) -eq 6 ]] || fail "the joblog does not list 6 jobs"
python3 - "$joblog" "$dir" <<'PY' || fail "the joblog's exit codes differ from the shards'"
import json, sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1])][1:]
for row in rows:
    index = int(row[8].split()[-1])
    shard = json.load(open(f"{sys.argv[2]}/shards/{index}/shard.json"))
    assert int(row[6]) == shard["exit_code"], (row, shard)
    assert int(row[6]) == (1 if index % 2 else 0), row
PY
[[ $(grep -c "sweep: [0-9]/6 done" "$work/out.txt") -eq 6 ]] || fail "not one progress line per shard"
merged 'd["totals"]["passed"] == 3 and d["totals"]["failed"] == 3 and len(d["signatures"]) == 1' "$dir"
[[ -s "$dir/nightly.html" ]] || fail "no nightly.html"
before=$(stat -c %Y "$dir/shards/0/shard.json")

sleep 1
expect 1 "--retry-failed" "$vstress" sweep --executor parallel --retry-failed --jobs 2 \
  --progress plain --out "$dir"
[[ $(tail -n +2 "$joblog" | wc -l) -eq 9 ]] || fail "the retry did not add the 3 failed jobs to the joblog"
[[ $(stat -c %Y "$dir/shards/0/shard.json") -eq $before ]] || fail "the retry reran a passing shard"
[[ $(grep -c "sweep: [0-9]/3 done" "$work/out.txt") -eq 3 ]] || fail "not one progress line per retried shard"
merged 'd["totals"]["failed"] == 3 and d["signatures"][0]["count"] == 3' "$dir"

expect 2 "--retry-failed without a plan" "$vstress" sweep --executor parallel --retry-failed \
  --out "$work/nothing"
expect 2 "--sshloginfile with the local executor" "$vstress" sweep --runs 1 \
  --sshloginfile "$work/hosts" --out "$work/bad"
# A shard that hangs is killed at its time limit (GNU parallel's --timeout is only the backstop),
# and a sweep stopped by SIGTERM stops parallel and every shard it ran.
hang_config "$work/hang.toml"
expect 3 "a parallel sweep with a hung shard" "$vstress" sweep --executor parallel --jobs 2 \
  --seeds 1-2 --preset smoke --config "$work/hang.toml" --duration 3s --shard-timeout 8s \
  --progress plain --out "$work/hung"
grep -q -- "--timeout 128" "$work/out.txt" || fail "parallel got no --timeout backstop"
hung_shard_check "$work/hung" 1
stop_sweep_check 60 "$work/stopped" "$vstress" sweep --executor parallel --seeds 1-4 \
  --preset smoke --duration 60s --jobs 2 --progress plain --out "$work/stopped"
echo "sweep_parallel_test: PASS"
