#!/usr/bin/env bash
# Fuzzes one target for a bounded time from its seed corpus and regression inputs.
#   run_fuzzer.sh BINARY SECONDS WORK_DIR CORPUS_DIR... (VSTRESS_FUZZ_SECONDS overrides SECONDS)
# New inputs go to WORK_DIR/corpus (the checked-in corpora are only read). A crash, a timeout
# (10 s for one input), more than 2 GiB of memory or a single allocation of over 512 MiB fails the
# test; the input that did it is WORK_DIR/artifacts/*, to be added to fuzz/regressions/<target>/
# once fixed.
set -uo pipefail
binary="$1" seconds="${VSTRESS_FUZZ_SECONDS:-$2}" work="$3"
shift 3
rm -rf "$work" && mkdir -p "$work/corpus" "$work/artifacts"
dirs=()
for d in "$@"; do [[ -d "$d" ]] && dirs+=("$d"); done
rc=0
"$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=512 \
  -artifact_prefix="$work/artifacts/" -print_final_stats=1 "$work/corpus" "${dirs[@]}" \
  >"$work/fuzz.log" 2>&1 || rc=$?
grep -E '^(#[0-9]+.*DONE|stat::number_of_executed_units|stat::peak_rss_mb|Done [0-9]+ runs)' \
  "$work/fuzz.log" || tail -n 5 "$work/fuzz.log"
if [[ $rc -ne 0 ]]; then
  tail -n 60 "$work/fuzz.log"
  for a in "$work"/artifacts/*; do
    [[ -f "$a" ]] || continue
    echo "run_fuzzer: input that failed: $a ($(stat -c %s "$a") bytes)"
    head -c 256 "$a" | od -A d -t x1 | head -n 8
  done
  exit 1
fi
echo "run_fuzzer: $(basename "$binary"): no crash in ${seconds}s"
