# Helpers the sweep tests share (sourced after tests/lib/expect.sh; `vstress` and `work` set).
#   mutant_config OUT MUTANT   write OUT: the smoke preset with MUTANT planted, named smoke-MUTANT
#                              (a workload a sweep can take in turn with a correct one)
#   plan_check DIR EXPR        fail unless EXPR holds; `p` is the list of plan.jsonl's shards
#   merged CHECK DIR           fail unless CHECK holds over DIR/summary.json (`d`)

mutant_config() {
  local out=$1 mutant=$2 base="$work/mutant-config-base"
  rm -rf "$base"
  "$vstress" run --preset smoke --ops 1 --progress off --out "$base" >/dev/null 2>&1 \
    || fail "could not write the smoke preset's effective config"
  # The first `mutations = []` is [engine]'s (the planted engine bugs); [store]'s follows.
  sed -e "0,/^mutations = \[\]/s//mutations = [\"$mutant\"]/" -e "s/^name = \"smoke\"/name = \"smoke-$mutant\"/" \
    "$base/config.toml" >"$out"
  grep -q "mutations = \[\"$mutant\"\]" "$out" || fail "no mutations key in the effective config"
}

plan_check() {
  python3 - "$1/plan.jsonl" "$2" <<'PY' || fail "$1/plan.jsonl: $2"
import json, sys
p = [json.loads(line) for line in open(sys.argv[1])]
ok = eval(sys.argv[2])
if not ok:
    print("check failed:", sys.argv[2], json.dumps(p, indent=1)[:3000])
sys.exit(0 if ok else 1)
PY
}

merged() { json_check "$2/summary.json" "$1"; }

# hang_config OUT: the smoke preset, named smoke-hang, whose second compaction output blocks its
# thread for ever (the test-only `hang` fault action) and whose own watchdog waits ten minutes:
# only the shard's time limit can end it.
hang_config() {
  local out=$1 base="$work/hang-config-base"
  rm -rf "$base"
  "$vstress" run --preset smoke --ops 1 --progress off --out "$base" >/dev/null 2>&1 \
    || fail "could not write the smoke preset's effective config"
  sed -e 's/^name = "smoke"/name = "smoke-hang"/' -e 's/^watchdog_seconds = .*/watchdog_seconds = 600.0/' \
    "$base/config.toml" >"$out"
  printf '\n[[faults]]\nrule = "engine/compaction/write_output:hang:nth=2"\n' >>"$out"
}

# hung_shard_check DIR INDEX: shard INDEX of the sweep in DIR hung and was killed at its limit:
# recorded as liveness with its stacks, and the merge shows it as its own signature, named by
# where it was stuck, with a repro command.
hung_shard_check() {
  local dir=$1 index=$2
  json_check "$dir/shards/$index/shard.json" 'd["exit_code"] == 3 and "time limit" in d["exit"]'
  json_check "$dir/shards/$index/summary.json" \
    'd["result"] == "liveness" and d["postmortem"]["stacks"] == "stacks.txt" and "time limit" in d["error"]'
  [[ -s "$dir/shards/$index/stacks.txt" ]] || fail "shard $index: no stacks.txt"
  merged '[s for s in d["signatures"] if s["kind"] == "liveness" and '$index' in s["shards"] and s["repro"]]' "$dir"
  if grep -q "^Thread " "$dir/shards/$index/stacks.txt"; then
    # gdb could attach: the signature names the frames the hang holds.
    merged '[s for s in d["signatures"] if "stuck in faults::" in s["signature"]]' "$dir"
  fi
  grep -q "liveness" "$dir/nightly.html" || fail "nightly.html does not show the hung shard"
}

# no_process_left DIR: no process mentions DIR in its command line (sweep, shard, run).
no_process_left() {
  local left
  left=$(pgrep -af -- "$1" | grep -v pgrep || true)
  [[ -z "$left" ]] || fail "processes left behind: $left"
}

# stop_sweep_check SECONDS DIR CMD...: starts the sweep CMD, sends it SIGTERM once its first shard
# is running, and requires it to end within SECONDS with 143 (128 + SIGTERM), a merge of what
# finished, and no process of it left.
stop_sweep_check() {
  local limit=$1 dir=$2 rc=0
  shift 2
  "$@" >"$work/stop.txt" 2>&1 &
  local pid=$!
  for _ in $(seq 1 200); do [[ -e "$dir/shards/0/config.toml" ]] && break; sleep 0.1; done
  [[ -e "$dir/shards/0/config.toml" ]] || fail "the sweep's first shard never started"
  sleep 1
  kill -TERM "$pid"
  local waited=0
  while kill -0 "$pid" 2>/dev/null && [[ $waited -lt $((limit * 10)) ]]; do
    sleep 0.1
    waited=$((waited + 1))
  done
  kill -0 "$pid" 2>/dev/null && fail "the sweep did not end within ${limit}s of SIGTERM"
  wait "$pid" || rc=$?
  cat "$work/stop.txt"
  [[ $rc -eq 143 ]] || fail "a sweep stopped by SIGTERM exited $rc, not 143"
  sleep 1
  no_process_left "$dir"
  [[ -s "$dir/summary.json" ]] || fail "no merge after the stop"
}
