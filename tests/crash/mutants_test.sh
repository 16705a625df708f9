#!/usr/bin/env bash
# The planted crash, MANIFEST and file-number bugs: the correct engine passes the commands that
# catch them (shortened: fewer cycles, a shorter duration), so what catches each is the bug and
# not the command. `vstress mutants` lists all 16 engine mutants (and the store mutants after them). (Each mutant caught by its command:
# smoke.mutant.NAME, and over two seeds harness.mutants_measure.)
#   mutants_test.sh VSTRESS WORK_DIR
set -uo pipefail
vstress="$1" work="$2"
rm -rf "$work" && mkdir -p "$work"
test_name=mutants_test
source "$(dirname "$0")/../lib/expect.sh"
new=(current-not-synced manifest-record-on-disk-after-sync-failure manifest-append-after-error
  reuse-file-number-after-recovery truncated-manifest-is-corruption gc-deletes-live-manifest
  wal-sync-skipped lock-order-inversion)

"$vstress" mutants >"$work/list.txt" || fail "vstress mutants"
engine=$(awk '$4 == "engine"' "$work/list.txt" | wc -l)
[[ $engine -eq 16 ]] || fail "vstress mutants lists $engine engine mutants, want 16"
# The correct engine passes each command: --mutant NAME dropped (its preset named instead),
# --cycles cut to 3, a run cut to 6 s.
for m in "${new[@]}"; do
  line=$(grep "^$m " "$work/list.txt")
  preset=$(sed -E 's/^[^ ]+ +preset ([^ ]+) .*/\1/' <<<"$line")
  command=$(sed -E 's/.*caught by: vstress (.*)/\1/; s/ \(exit 3: liveness\)$//' <<<"$line")
  command=${command/--mutant $m/--preset $preset}
  if [[ $command == *--cycles* ]]; then
    command=$(sed -E 's/--cycles [0-9]+/--cycles 3/' <<<"$command")
  else
    command="$command --duration 6s"
  fi
  rc=0
  eval "\"\$vstress\" $command --seed 1 --progress off --out \"\$work/correct-$m\"" \
    >"$work/correct-$m.txt" 2>&1 || rc=$?
  [[ $rc -eq 0 ]] || { cat "$work/correct-$m.txt"; fail "the correct engine fails $m's command: vstress $command (exit $rc)"; }
  echo "correct engine passes: vstress $command"
done
echo "mutants_test: PASS"
