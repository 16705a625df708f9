# Helpers the command-line tests share (sourced). The sourcing script sets `test_name` and `work`
# (a scratch directory) first.
#   fail MESSAGE...            print "<test_name>: FAIL: MESSAGE" and exit 1
#   expect EXIT WHAT CMD...    run CMD, show its output (also left in $work/out.txt), fail unless it
#                              exits EXIT
#   json_check FILE EXPR [SETUP]  fail unless the Python expression EXPR holds; the JSON document in
#                              FILE is `d`, and SETUP (Python) may name parts of it first

fail() { echo "${test_name}: FAIL: $*" >&2; exit 1; }

expect() {
  local want=$1 what=$2 rc=0
  shift 2
  "$@" >"$work/out.txt" 2>&1 || rc=$?
  cat "$work/out.txt"
  [[ $rc -eq $want ]] || fail "$what: exit $rc, want $want"
}

json_check() {
  python3 - "$1" "$2" "${3:-}" <<'PY' || fail "$1: $2"
import json, sys
d = json.load(open(sys.argv[1]))
exec(sys.argv[3])
ok = eval(sys.argv[2])
if not ok:
    print("check failed:", sys.argv[2], json.dumps(d, indent=1)[:3000])
sys.exit(0 if ok else 1)
PY
}
