#!/usr/bin/env bash
# Proves `vstress sweep --executor local`: a plan of one full run per seed, each shard in its own
# run directory and replayable alone; J shards at a time with a progress line; the merge at the
# end (nightly.html, junit.xml, summary.json, metrics.prom); a workload with a planted bug among
# correct ones fails the sweep with all of its failures in one signature, keeps the failing
# shards' DBs and drops the passing ones'; --randomize draws each shard's config from its seed
# (deterministically, into the shard's config.toml); every driver flag reaches every shard; the
# crash and sim drivers; bad flags and plans exit 2 before anything runs; a hung shard is killed at
# its time limit and shown as liveness; a sweep stopped by SIGTERM leaves no process behind.
#   local_test.sh VSTRESS WORK_DIR
set -uo pipefail
vstress="$1" work="$2"
rm -rf "$work" && mkdir -p "$work"
test_name=sweep_local_test
source "$(dirname "$0")/../lib/expect.sh"
source "$(dirname "$0")/sweep_lib.sh"
mutant=drop-tombstone-early

# 1. Six correct shards, two at a time.
expect 0 "a passing sweep" "$vstress" sweep --seeds 1-6 --preset smoke --duration 2s --jobs 2 \
  --progress plain --cleanup-on-pass --out "$work/pass"
plan_check "$work/pass" 'len(p) == 6 and [s["seed"] for s in p] == [1, 2, 3, 4, 5, 6]'
plan_check "$work/pass" 'all(s["index"] == i and s["argv"][0] == "run" for i, s in enumerate(p))'
plan_check "$work/pass" 'all("--cleanup-on-pass" in s["argv"] and "2s" in s["argv"] for s in p)'
[[ $(grep -c "sweep: [0-9]/6 done" "$work/out.txt") -eq 6 ]] || fail "not one progress line per shard"
grep -q "sweep: 6/6 done, 0 failed, 0 running" "$work/out.txt" || fail "no final progress line"
for i in 0 1 2 3 4 5; do
  json_check "$work/pass/shards/$i/shard.json" 'd["exit_code"] == 0 and d["index"] == '$i
  json_check "$work/pass/shards/$i/summary.json" 'd["result"] == "pass" and d["seed"] == '$((i + 1))
  [[ ! -e "$work/pass/shards/$i/db" ]] || fail "shard $i passed but kept its DB"
done
merged 'd["result"] == "pass" and d["exit_code"] == 0 and d["totals"]["passed"] == 6' "$work/pass"
merged 'd["totals"]["reads_checked"] > 0 and d["signatures"] == []' "$work/pass"
for f in nightly.html junit.xml metrics.prom; do [[ -s "$work/pass/$f" ]] || fail "no $f"; done
# A shard replays alone from its own directory.
expect 0 "shard 2 rerun alone" "$vstress" shard "$work/pass" 2
json_check "$work/pass/shards/2/shard.json" 'd["exit_code"] == 0 and d["seed"] == 3'

# 2. A planted bug in one of two workloads: one signature row for all of its failing shards.
mutant_config "$work/mutant.toml" "$mutant"
expect 1 "a sweep with a mutant workload" "$vstress" sweep --seeds 1-8 --preset smoke \
  --config "$work/mutant.toml" --duration 3s --jobs 2 --progress plain --cleanup-on-pass \
  --out "$work/mixed"
plan_check "$work/mixed" '[s["workload"] for s in p] == ["smoke", "smoke-'$mutant'"] * 4'
plan_check "$work/mixed" '[s["mutant"] for s in p] == ["", "'$mutant'"] * 4'
merged 'd["result"] == "violation" and d["exit_code"] == 1' "$work/mixed"
merged 'd["totals"]["passed"] == 4 and d["totals"]["failed"] == 4' "$work/mixed"
merged 'len(d["signatures"]) == 1 and d["signatures"][0]["count"] == 4' "$work/mixed"
merged 'sorted(d["signatures"][0]["seeds"]) == [2, 4, 6, 8]' "$work/mixed"
for i in 1 3 5 7; do [[ -e "$work/mixed/shards/$i/db/CURRENT" ]] || fail "failing shard $i lost its DB"; done
for i in 0 2 4 6; do [[ ! -e "$work/mixed/shards/$i/db" ]] || fail "passing shard $i kept its DB"; done

# 3. --randomize: every shard draws its config from its seed, the same way every time.
expect 0 "a randomized sweep" "$vstress" sweep --runs 3 --seed 100 --preset smoke --randomize \
  --duration 2s --progress off --out "$work/random"
plan_check "$work/random" '[s["seed"] for s in p] == [100, 101, 102] and all(s["randomized"] for s in p)'
plan_check "$work/random" 'len({json.dumps(s["randomized"]) for s in p}) == 3'
expect 2 "the plan only" "$vstress" sweep --runs 3 --seed 100 --preset smoke --randomize \
  --duration 2s --progress off --set no.such.key=1 --out "$work/random-bad"
python3 - "$work/random/plan.jsonl" "$work/random/shards" <<'PY' || fail "drawn values are not in the shards' config.toml"
import json, sys, tomllib
for line in open(sys.argv[1]):
    s = json.loads(line)
    config = tomllib.load(open(f"{sys.argv[2]}/{s['index']}/config.toml", "rb"))
    for key, value in s["randomized"].items():
        if key == "faults.rate_scale":
            continue
        if key == "value_bytes":
            node = [config["value_bytes_min"], config["value_bytes_max"]]
        else:
            node = config
            for part in key.split("."):
                node = node[part]
        want = tomllib.loads("x = " + value)["x"]
        if node != want and not (isinstance(want, float) and abs(node - want) < 1e-9 * max(1, abs(want))):
            sys.exit(f"shard {s['index']}: {key} = {node!r} in config.toml, plan drew {value}")
PY
expect 0 "the same draws again" "$vstress" sweep --runs 3 --seed 100 --preset smoke --randomize \
  --duration 1s --progress off --out "$work/random-again"
cmp <(python3 -c 'import json,sys; [print(json.loads(l)["randomized"]) for l in open(sys.argv[1])]' "$work/random/plan.jsonl") \
    <(python3 -c 'import json,sys; [print(json.loads(l)["randomized"]) for l in open(sys.argv[1])]' "$work/random-again/plan.jsonl") \
  || fail "the same seeds drew different configs"
expect 0 "a drawn shard replays alone" "$vstress" run --config "$work/random/shards/1/config.toml" \
  --duration 1s --progress off --out "$work/random-replay"

# 4. Every driver flag reaches every shard.
expect 0 "driver flags" "$vstress" sweep --runs 2 --preset smoke --duration 2s --writers 1 \
  --set writers.sync_ratio=0.5 --fault engine/file/delete:delay=1ms:p=0.2 --keep-going \
  --on-background-error reopen --progress off --out "$work/flags"
for i in 0 1; do
  grep -q "^sync_ratio = 0.5" "$work/flags/shards/$i/config.toml" || fail "--set did not reach shard $i"
  grep -q 'engine/file/delete:delay=1ms:p=0.2' "$work/flags/shards/$i/config.toml" || fail "--fault did not reach shard $i"
  grep -q '^on_background_error = "reopen"' "$work/flags/shards/$i/config.toml" || fail "--on-background-error did not reach shard $i"
done
plan_check "$work/flags" 'all("--keep-going" in s["argv"] and s["argv"][s["argv"].index("--writers") + 1] == "1" for s in p)'

# 5. The other drivers.
expect 0 "a crash sweep" "$vstress" sweep --runs 2 --driver crash --cycles 2 --preset smoke \
  --set crash_every_seconds=0.2 --progress off --out "$work/crash"
merged 'd["totals"]["crash_cycles"] == 4' "$work/crash"
expect 0 "a sim sweep" "$vstress" sweep --runs 2 --driver sim --ops 2000 --preset smoke \
  --progress off --out "$work/sim"
plan_check "$work/sim" 'all(s["driver"] == "sim" and s["argv"][0] == "sim" for s in p)'

# 6. Bad input: exit 2, naming the problem, with nothing run.
expect 2 "--runs and --seeds" "$vstress" sweep --runs 2 --seeds 1-2 --out "$work/bad"
expect 2 "neither" "$vstress" sweep --preset smoke --out "$work/bad"
grep -q "exactly one of --runs N and --seeds A-B" "$work/out.txt" || fail "message"
expect 2 "--runs 0" "$vstress" sweep --runs 0 --out "$work/bad"
expect 2 "a crash flag without the crash driver" "$vstress" sweep --runs 1 --mode kill --out "$work/bad"
grep -q -- "--mode needs --driver crash" "$work/out.txt" || fail "message"
expect 2 "--wait without slurm" "$vstress" sweep --runs 1 --wait --out "$work/bad"
expect 2 "a bad --set" "$vstress" sweep --runs 2 --preset smoke --set writers.no_such=1 --out "$work/bad"
grep -q "writers.no_such" "$work/out.txt" || fail "the bad key is not named"
[[ ! -e "$work/bad/shards/0/shard.json" ]] || fail "a shard ran despite a bad flag"
expect 2 "an unknown mutant" "$vstress" sweep --runs 2 --mutant no-such-bug --out "$work/bad"
expect 2 "a shard index beyond the plan" "$vstress" shard "$work/pass" 6
expect 2 "no plan" "$vstress" shard "$work/bad-nothing" 0
sed -i '1s/"plan_version":1/"plan_version":99/' "$work/flags/plan.jsonl"
expect 2 "a plan from another version" "$vstress" shard "$work/flags" 0
grep -q "plan.jsonl:1: plan_version 99 was written by another vstress version" "$work/out.txt" || fail "message"
# A shard that hangs is killed at its time limit with its stacks, and the nightly shows it.
hang_config "$work/hang.toml"
expect 3 "a sweep with a hung shard" "$vstress" sweep --seeds 1-2 --preset smoke \
  --config "$work/hang.toml" --duration 3s --jobs 2 --shard-timeout 8s --progress plain \
  --out "$work/hung"
plan_check "$work/hung" 'all(s["timeout_s"] == 8 for s in p)'
json_check "$work/hung/shards/0/summary.json" 'd["result"] == "pass"'
hung_shard_check "$work/hung" 1
no_process_left "$work/hung"
# Without --shard-timeout each shard's limit comes from its workload: 3 x its length and more.
plan_check "$work/pass" 'all(s["timeout_s"] >= 3 * 2 for s in p)'

# A sweep stopped by SIGTERM stops its shards: nothing of it is left running.
stop_sweep_check 60 "$work/stopped" "$vstress" sweep --seeds 1-4 --preset smoke --duration 60s \
  --jobs 2 --progress plain --out "$work/stopped"
echo "sweep_local_test: PASS"
