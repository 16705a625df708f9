#!/usr/bin/env bash
# Proves `vstress repro`: a simulated mutant run with a complete history replays step by step and
# fails the same way at the same step (exit 1); with a truncated history it is re-simulated from
# its config and seed, with the same result; a passing run replays to the same pass (exit 0); a
# history edited so the failure is gone does not reproduce (exit 4, naming the step that
# differs); a threaded run and a missing directory are usage errors (exit 2).
#   repro_test.sh VSTRESS WORK_DIR
set -uo pipefail
vstress="$1" work="$2"
rm -rf "$work" && mkdir -p "$work"
test_name=repro_test
source "$(dirname "$0")/../lib/expect.sh"

expect 1 "the mutant run" "$vstress" sim --mutant drop-tombstone-early --seed 2 --history-ops 0 \
  --progress off --out "$work/full"
step=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["sim"]["first_violation_step"])' \
  "$work/full/summary.json")
expect 1 "repro of a complete history" "$vstress" repro "$work/full"
grep -q "reproduced: .* at step #$step " "$work/out.txt" || fail "not reproduced at step #$step"
expect 1 "repro of the history file" "$vstress" repro "$work/full/history.log"

expect 1 "the mutant run, truncated history" "$vstress" sim --mutant drop-tombstone-early --seed 2 \
  --history-ops 10 --progress off --out "$work/truncated"
expect 1 "repro by re-simulation" "$vstress" repro "$work/truncated"
grep -q "re-simulating" "$work/out.txt" || fail "a truncated history was not re-simulated"

expect 0 "a passing run" "$vstress" sim --preset smoke --duration 0.5s --history-ops 0 \
  --progress off --out "$work/pass"
expect 0 "repro of a pass" "$vstress" repro "$work/pass"

# Drop the failing step's delete from the history: the replay must notice it went another way.
cp -r "$work/full" "$work/edited"
python3 - "$work/edited/history.log" <<'PY'
import re, sys
path = sys.argv[1]
lines = open(path).read().splitlines()
# Remove every write step: nothing is left to find wrong.
kept = [l for l in lines if not re.match(r"#\d+ writer-\d+ ", l)]
open(path, "w").write("\n".join(kept) + "\n")
PY
expect 4 "repro of an edited history" "$vstress" repro "$work/edited"
grep -q "differs first at step" "$work/out.txt" || fail "the first differing step is not named"

expect 1 "a threaded mutant run" "$vstress" run --mutant get-reads-live-memtable --seed 1 \
  --progress off --out "$work/threaded"
expect 2 "repro of a threaded run" "$vstress" repro "$work/threaded"
grep -q "vstress shrink" "$work/out.txt" || fail "the threaded-run message does not point at shrink"
expect 2 "repro of nothing" "$vstress" repro "$work/absent"
echo "repro_test: PASS"
