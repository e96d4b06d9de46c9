#!/usr/bin/env bash
# Builds bench/analysis_bench.cpp (bench/run_bench.sh) and runs it; arguments go to the benchmark
# (see docs/performance.md, "Analysis, search and export").
#   bench/analysis_bench.sh                          # 1,000,000 conversations over 365 days
#   bench/analysis_bench.sh --reuse                  # measure again on the database seeded last time
#   bench/analysis_bench.sh --conversations 100000
set -euo pipefail
exec "$(dirname "$0")/run_bench.sh" analysis_bench "$@"
