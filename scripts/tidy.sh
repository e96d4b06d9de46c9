#!/usr/bin/env bash
# clang-tidy 14 with the checks in .clang-tidy over src/ (or the paths given), using the
# compile commands of build/ (`make test` or `cmake -S . -B build` makes them). Exit status 1 on
# any finding. Takes a few minutes on two cores; not part of `make test`.
#   scripts/tidy.sh                  # all of src/
#   scripts/tidy.sh src/services/    # one folder
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -f build/compile_commands.json ]] || cmake -S . -B build -G Ninja >/dev/null
paths=("$@")
[[ ${#paths[@]} -eq 0 ]] && paths=(src/)
run-clang-tidy-14 -p build -quiet -j 2 "${paths[@]/#/$PWD/}"
