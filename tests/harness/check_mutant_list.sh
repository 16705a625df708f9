#!/usr/bin/env bash
# Fails unless `vstress mutants` lists exactly the mutants given (the ones the smoke tests run).
#   check_mutant_list.sh VSTRESS MUTANT...
set -euo pipefail
vstress="$1"
shift
diff <("$vstress" mutants | awk '{print $1}' | sort) <(printf '%s\n' "$@" | sort)
