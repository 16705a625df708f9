#!/usr/bin/env bash
# Proves `vstress sweep --executor slurm` on a real one-node Slurm cluster (tests/lib/slurm.sh): a
# job array of `vstress shard DIR $SLURM_ARRAY_TASK_ID` throttled to --jobs, a merge job that
# depends on it (afterany) and writes nightly.html once every shard has ended, --wait returning
# the merge's exit code, --slurm-args reaching sbatch, and without --wait a sweep that returns
# once submitted, its report there when the merge job ends; a hung shard is killed at its limit
# inside its task and shown by the merge.
#   slurm_test.sh VSTRESS WORK_DIR
set -uo pipefail
vstress="$1" work="$2"
rm -rf "$work" && mkdir -p "$work"
test_name=sweep_slurm_test
source "$(dirname "$0")/../lib/expect.sh"
source "$(dirname "$0")/sweep_lib.sh"
source "$(dirname "$0")/../lib/slurm.sh"
trap slurm_stop EXIT
slurm_start "$work/cluster" || fail "could not start a one-node Slurm cluster (see above)"
mutant=drop-tombstone-early
mutant_config "$work/mutant.toml" "$mutant"

expect 1 "a Slurm sweep with a mutant workload" "$vstress" sweep --executor slurm --wait --jobs 2 \
  --slurm-args "--partition=debug --time=10" --seeds 1-6 --preset smoke \
  --config "$work/mutant.toml" --duration 2s --cleanup-on-pass --out "$work/sweep"
dir="$work/sweep"
grep -q "slurm: job array [0-9]* (6 shards, 2 at a time)" "$work/out.txt" || fail "no array job line"
for i in 0 1 2 3 4 5; do
  [[ -e "$dir/slurm/shard-$i.out" ]] || fail "array task $i wrote no output"
  json_check "$dir/shards/$i/shard.json" 'd["exit_code"] == '$((i % 2))
done
merged 'd["totals"]["passed"] == 3 and d["totals"]["failed"] == 3 and len(d["signatures"]) == 1' "$dir"
[[ -s "$dir/nightly.html" ]] || fail "the merge job wrote no nightly.html"
# The merge ran after every shard had ended (afterany), so it saw all six.
for i in 0 1 2 3 4 5; do
  [[ "$dir/summary.json" -nt "$dir/shards/$i/shard.json" ]] || fail "the merge ran before shard $i ended"
done
# --slurm-args reach sbatch: a partition that does not exist is refused, and the sweep says so.
expect 4 "a partition that does not exist" "$vstress" sweep --executor slurm --wait --runs 1 \
  --slurm-args "--partition=no-such-partition" --preset smoke --duration 1s --out "$work/bad"
grep -q "no-such-partition" "$work/out.txt" || fail "sbatch's refusal is not shown"

# Without --wait: submitted, exit 0 at once; the report appears when the merge job ends.
expect 0 "a Slurm sweep without --wait" "$vstress" sweep --executor slurm --jobs 2 --runs 2 \
  --preset smoke --duration 1s --out "$work/nowait"
[[ ! -e "$work/nowait/nightly.html" ]] || fail "the report was there before the shards ran"
for _ in $(seq 1 120); do [[ -e "$work/nowait/summary.json" ]] && break; sleep 0.5; done
merged 'd["result"] == "pass" and d["totals"]["passed"] == 2' "$work/nowait"
# A shard that hangs is killed at its time limit inside its Slurm task (the array's --time is the
# backstop), and the merge job shows it.
hang_config "$work/hang.toml"
expect 3 "a Slurm sweep with a hung shard" "$vstress" sweep --executor slurm --wait --jobs 2 \
  --slurm-args "--partition=debug" --seeds 1-2 --preset smoke --config "$work/hang.toml" \
  --duration 3s --shard-timeout 8s --out "$work/hung"
hung_shard_check "$work/hung" 1
echo "sweep_slurm_test: PASS"
