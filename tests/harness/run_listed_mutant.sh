#!/usr/bin/env bash
# Runs the command `vstress mutants` lists as catching NAME, with --seed 1, through expect_run.sh:
# exit 1 with a violation recorded (exit 3 for a mutant listed as caught by liveness) within
# TIMEOUT_S.
#   run_listed_mutant.sh TIMEOUT_S OUT_DIR VSTRESS NAME
set -u
timeout_s="$1" out="$2" vstress="$3" name="$4"
here=$(cd "$(dirname "$0")" && pwd)
line=$("$vstress" mutants | grep "^$name ") || { echo "run_listed_mutant: $name is not listed"; exit 1; }
command=$(sed -E 's/.*caught by: vstress (.*)/\1/; s/ \(exit 3: liveness\)$//' <<<"$line")
want=1
[[ $line == *"(exit 3: liveness)" ]] && want=3
echo "run_listed_mutant: vstress $command --seed 1 (want exit $want)"
read -r -a args <<<"$command"
# Extra arguments (a store mutant's --store S) go after the listed command.
exec "$here/expect_run.sh" "$want" "$timeout_s" "$out" "$vstress" "${args[@]}" --seed 1 "${@:5}"
