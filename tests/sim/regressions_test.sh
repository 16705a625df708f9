#!/usr/bin/env bash
# Proves every input that once failed (tests/regressions/*.toml, from shared/regressions/) now
# passes: each file's first line names the command (`# vstress-regression: sim --seed 1036
# --duration 2s`), run with --config FILE; it must exit 0 within a wall-clock bound, so a hang
# comes back as a failure, not a stuck suite.
#   regressions_test.sh VSTRESS WORK_DIR
set -uo pipefail
vstress="$1" work="$2"
rm -rf "$work" && mkdir -p "$work"
test_name=regressions_test
source "$(dirname "$0")/../lib/expect.sh"
inputs=("$(dirname "$0")"/../regressions/*.toml)
[[ ${#inputs[@]} -gt 0 && -f ${inputs[0]} ]] || fail "no regression inputs"
for input in "${inputs[@]}"; do
  name=$(basename "$input" .toml)
  read -r -a args < <(sed -n '1s/^# vstress-regression: //p' "$input")
  [[ ${#args[@]} -gt 0 ]] || fail "$input: no '# vstress-regression:' first line"
  expect 0 "$name" timeout 300 "$vstress" "${args[@]}" --config "$input" --progress off \
    --out "$work/$name"
done
echo "regressions_test: PASS (${#inputs[@]} inputs)"
