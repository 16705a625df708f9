#!/usr/bin/env bash
# Proves tests/lib/slurm.sh runs a real one-node Slurm cluster: a throttled job array (%2) of 8
# tasks, task 5 failing, all run, at most 2 at once, and the controller reports task 5 FAILED and
# the others COMPLETED; a job depending on the array (afterany) runs only after all 8 tasks; the
# cluster stops cleanly (daemons gone, ports free), and a second cluster in another directory then
# starts and runs a job. Also checks GNU parallel is installed. A Slurm that cannot start is a
# failure, never a skip (CI installs it: scripts/install-deps.sh).
#   slurm_cluster_test.sh SCRATCH_DIR
set -euo pipefail
work="$(realpath -m "$1")"
# shellcheck disable=SC2034 # read by expect.sh's fail
test_name=slurm_cluster_test
root="$(cd "$(dirname "$0")/../.." && pwd)"
source "$root/tests/lib/expect.sh"
source "$root/tests/lib/slurm.sh"
start_time=$SECONDS

rm -rf "$work"
mkdir -p "$work"
trap slurm_stop EXIT

parallel_check || fail "GNU parallel is missing"
[[ "$(parallel --will-cite echo ::: a b | sort | tr '\n' ' ')" == "a b " ]] ||
  fail "parallel did not run its commands"

slurm_start "$work/first cluster" || fail "the first cluster did not start"
echo "== cluster 1 up after $((SECONDS - start_time)) s: node $SLURM_NODE, ports $SLURM_CTLD_PORT/$SLURM_SLURMD_PORT"
sinfo
first_ports="$SLURM_CTLD_PORT $SLURM_SLURMD_PORT"
first_pids=$(cat "$SLURM_CLUSTER_DIR"/run/*.bgpid)

# The job array: each task writes its id to task-<id>.txt, its start and end times to
# times-<id>.txt, and task 5 exits 1. The output directory's path has spaces.
jobs="$work/job output"
mkdir -p "$jobs"
cat >"$work/task.sh" <<'TASK'
#!/usr/bin/env bash
start=$(date +%s.%N)
sleep 0.3
echo "$SLURM_ARRAY_TASK_ID" >"$JOBS_DIR/task-$SLURM_ARRAY_TASK_ID.txt"
echo "$start $(date +%s.%N)" >"$JOBS_DIR/times-$SLURM_ARRAY_TASK_ID.txt"
[[ "$SLURM_ARRAY_TASK_ID" != 5 ]] || exit 1
TASK
chmod +x "$work/task.sh"
export JOBS_DIR="$jobs"
array_id=$(sbatch --parsable --array=0-7%2 --job-name=array --chdir="$jobs" \
  --output="$jobs/out-%A_%a.txt" "$work/task.sh") || fail "sbatch of the array failed"
[[ "$array_id" =~ ^[0-9]+$ ]] || fail "sbatch --parsable printed '$array_id'"
echo "== array job $array_id submitted"

# The dependent job counts the task files when it runs and leaves a marker. --wait: sbatch returns
# when it ends, with its exit code. --wrap scripts run under /bin/sh.
rc=0
timeout 90 sbatch --parsable --wait --dependency="afterany:$array_id" --job-name=after \
  --chdir="$jobs" --output="$jobs/after.out" \
  --wrap='n=$(ls task-*.txt | wc -l); echo "$n" >marker.txt; [ "$n" -eq 8 ]' >/dev/null || rc=$?
[[ $rc -eq 0 ]] || { cat "$jobs/after.out" 2>/dev/null; fail "the dependent job exited $rc"; }
echo "== dependent job done after $((SECONDS - start_time)) s"

[[ "$(cat "$jobs/marker.txt")" == 8 ]] || fail "the dependent job saw $(cat "$jobs/marker.txt") task files, not 8"
for i in 0 1 2 3 4 5 6 7; do
  [[ -f "$jobs/task-$i.txt" ]] || fail "task $i wrote no file"
  [[ "$(cat "$jobs/task-$i.txt")" == "$i" ]] || fail "task-$i.txt holds '$(cat "$jobs/task-$i.txt")'"
  [[ -f "$jobs/out-${array_id}_$i.txt" ]] || fail "no Slurm output file for task $i"
  [[ ! "$jobs/marker.txt" -ot "$jobs/task-$i.txt" ]] || fail "the marker is older than task-$i.txt"
done

# No sacct (no slurmdbd): the controller keeps finished jobs for MinJobAge.
scontrol -o show job "$array_id" >"$work/jobs.txt" || fail "scontrol show job $array_id failed"
for i in 0 1 2 3 4 5 6 7; do
  line=$(grep -E "ArrayJobId=$array_id ArrayTaskId=$i " "$work/jobs.txt") ||
    { cat "$work/jobs.txt"; fail "scontrol shows no task $i"; }
  state=$(sed -E 's/.* JobState=([A-Z_]+) .*/\1/' <<<"$line")
  code=$(sed -E 's/.* ExitCode=([0-9:]+) .*/\1/' <<<"$line")
  if [[ $i -eq 5 ]]; then want_state=FAILED want_code=1:0; else want_state=COMPLETED want_code=0:0; fi
  [[ "$state $code" == "$want_state $want_code" ]] ||
    fail "task $i: JobState=$state ExitCode=$code, want $want_state $want_code"
done
echo "== scontrol: task 5 FAILED (1:0), the other 7 COMPLETED"
rc=0
slurm_wait_job "$array_id" 10 || rc=$?
[[ $rc -eq 1 ]] || fail "slurm_wait_job on the array with a failed task returned $rc, not 1"

# %2: never more than two tasks running at once (each task's recorded interval lies inside its
# real run).
python3 - "$jobs" <<'PY' || fail "the %2 throttle was not respected"
import glob, sys
spans = [tuple(map(float, open(f).read().split())) for f in glob.glob(sys.argv[1] + "/times-*.txt")]
events = sorted([(s, 1) for s, _ in spans] + [(e, -1) for _, e in spans], key=lambda x: (x[0], x[1]))
most = running = 0
for _, step in events:
    running += step
    most = max(most, running)
print("most tasks running at once:", most)
sys.exit(0 if len(spans) == 8 and most <= 2 else 1)
PY

slurm_stop
for pid in $first_pids; do
  ! kill -0 "$pid" 2>/dev/null || fail "daemon pid $pid still runs after slurm_stop"
done
# shellcheck disable=SC2086 # two port numbers, split on purpose
python3 - $first_ports <<'PY' || fail "a port of the stopped cluster is still bound"
import socket, sys
for port in map(int, sys.argv[1:]):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("", port))
    s.close()
PY
slurm_stop  # twice is harmless
echo "== cluster 1 stopped after $((SECONDS - start_time)) s"

slurm_start "$work/second cluster" || fail "the second cluster did not start"
echo "== cluster 2 up: ports $SLURM_CTLD_PORT/$SLURM_SLURMD_PORT"
second_id=$(sbatch --parsable --chdir="$work" --output="$work/second.out" \
  --wrap='echo second cluster ran') || fail "sbatch on the second cluster failed"
rc=0
slurm_wait_job "$second_id" 60 || rc=$?
[[ $rc -eq 0 ]] || fail "slurm_wait_job $second_id returned $rc"
[[ "$second_id" == 1 ]] || fail "the second cluster's first job is $second_id, not 1: not a fresh state"
grep -qx 'second cluster ran' "$work/second.out" || fail "the second cluster's job wrote no output"
slurm_stop
echo "== PASS in $((SECONDS - start_time)) s"
