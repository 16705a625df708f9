#!/usr/bin/env bash
# Proves the store mutants bite on every store: `vstress mutants --measure --store S` catches each
# of them on two seeds (exit 0, detection.json n/n with a kind and a time), the list names them as
# store mutants, and an engine mutant is refused on a real store with exit 2 naming why.
#   store_mutants_test.sh VSTRESS WORK_DIR
set -uo pipefail
vstress="$1" work="$2"
rm -rf "$work" && mkdir -p "$work"
test_name=store_mutants_test
source "$(dirname "$0")/../lib/expect.sh"

mapfile -t all < <("$vstress" mutants | awk '$4 == "store" {print $1}')
[[ ${#all[@]} -eq 8 ]] || fail "vstress mutants lists ${#all[@]} store mutants, want 8"
# The five at the Store interface, measured here; the three durability ones (caught by crash
# cycles) are each run on every store by smoke.mutant.NAME.STORE.
mapfile -t names < <("$vstress" mutants | awk '$4 == "store" && /caught by: vstress run/ {print $1}')
[[ ${#names[@]} -eq 5 ]] || fail "vstress mutants lists ${#names[@]} interface store mutants, want 5"
flags=()
for name in "${names[@]}"; do flags+=(--mutant "$name"); done
for store in vstress leveldb rocksdb; do
  expect 0 "store mutants on $store" timeout 600 "$vstress" mutants --measure --store "$store" \
    --seeds 1-2 --budget 20s "${flags[@]}" --out "$work/$store"
  json_check "$work/$store/detection.json" \
    'd["all_caught"] and len(d["mutants"]) == 5 and all(r["caught"] == 2 and r["kinds"] for r in d["mutants"])'
  grep -q -- "--store $store" "$work/$store/detection.txt" "$work/$store/detection.html" \
    || fail "$store: the detection table does not name the store"
done
expect 2 "an engine mutant on leveldb" "$vstress" mutants --measure --store leveldb \
  --mutant iterator-no-pin --seeds 1 --out "$work/bad"
grep -q "planted inside vstress's own engine and cannot run on leveldb" "$work/out.txt" \
  || fail "the refusal does not say why"
expect 2 "run --mutant with an engine mutant on rocksdb" "$vstress" run --store rocksdb \
  --mutant unref-twice --out "$work/bad"
grep -q "engine.mutations: 'unref-twice' is planted inside vstress's own engine" "$work/out.txt" \
  || fail "run does not say why"
echo "store_mutants_test: PASS"
