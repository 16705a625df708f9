#!/usr/bin/env bash
# Runs a command and says how long it took: `timed.sh LABEL CMD...` prints "make test: LABEL took
# N s" when CMD ends (and appends it to build/stage-times.txt, which `make test` prints at the end),
# then exits with CMD's status. The stages of `make test` run through it, so every run of the suite
# says where its time went.
set -uo pipefail
label=$1
shift
start=$(date +%s)
"$@"
rc=$?
line="make test: $label took $(( $(date +%s) - start )) s$([[ $rc -eq 0 ]] || echo " (exit $rc)")"
echo "$line"
mkdir -p build && echo "$line" >>build/stage-times.txt
exit $rc
