#!/usr/bin/env bash
# Proves the simulator survives randomised configs: a sweep of SEEDS randomised simulations, the
# seeds' workloads taken in turn from every preset (each drawn from its [randomize] table), ends
# with every shard passing — no hang (each shard has a time limit, and its own watchdog), no
# crash, no violation on the correct engine. The 100-seed sweep runs in `make test` at half a
# simulated second a seed, the 1,000-seed one under the nightly label (`make nightly`) at two.
#   sim_randomized_test.sh VSTRESS WORK_DIR FIRST_SEED LAST_SEED DURATION
set -uo pipefail
vstress="$1" work="$2" first="$3" last="$4" duration="$5"
rm -rf "$work" && mkdir -p "$work"
test_name=sim_randomized_test
source "$(dirname "$0")/../lib/expect.sh"
source "$(dirname "$0")/sweep_lib.sh"
presets=()
while read -r name _; do presets+=(--preset "$name"); done < <("$vstress" presets)
[[ ${#presets[@]} -ge 14 ]] || fail "expected every preset (7 or more), got: ${presets[*]}"
started=$(date +%s)
expect 0 "a randomised simulation sweep, seeds $first-$last" "$vstress" sweep --driver sim \
  --randomize --seeds "$first-$last" "${presets[@]}" --duration "$duration" --jobs 2 --cleanup-on-pass \
  --progress off --out "$work/sweep"
merged 'd["result"] == "pass" and d["totals"]["passed"] == '$((last - first + 1)) "$work/sweep"
echo "sim_randomized_test: PASS ($((last - first + 1)) seeds in $(( $(date +%s) - started ))s)"
