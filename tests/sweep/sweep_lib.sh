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
  sed -e "s/^mutations = \[\]/mutations = [\"$mutant\"]/" -e "s/^name = \"smoke\"/name = \"smoke-$mutant\"/" \
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
