#!/usr/bin/env bash
# Proves that every preset that compacts builds a deep LSM tree: six seconds of each must put
# tables at level 3 or deeper (summary.json engine.max_deepest_level). Bugs like dropping a
# tombstone too early need a key's older data to lie below the level a compaction writes to; a
# preset whose data fits in level 1 can never show them, whatever the seed.
#   preset_shape_test.sh VSTRESS WORK_DIR
set -uo pipefail
vstress="$1" work="$2"
rm -rf "$work" && mkdir -p "$work"
failures=0
# manifest-faults runs without compactions on purpose (see its preset), so it is not listed.
for preset in smoke default snapshots readers-vs-compaction deletion-faults; do
  timeout 120 "$vstress" run --preset "$preset" --duration 6s --seed 1 --out "$work/$preset" \
    --progress off >"$work/$preset.out" 2>&1
  rc=$?
  depth=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["engine"]["max_deepest_level"])' \
    "$work/$preset/summary.json" 2>/dev/null || echo missing)
  echo "preset_shape_test: $preset: exit $rc, deepest level $depth"
  if [[ $rc -ne 0 || "$depth" == missing || $depth -lt 3 ]]; then
    cat "$work/$preset.out"
    failures=$((failures + 1))
  fi
done
[[ $failures -eq 0 ]]
