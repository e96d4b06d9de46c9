#!/usr/bin/env bash
# Builds bench/campaign_bench.cpp (bench/run_bench.sh) and runs it; arguments go to the benchmark
# (see docs/performance.md, "Campaigns").
#   bench/campaign_bench.sh                                     # 100,000 recipients on SQLite
#   bench/campaign_bench.sh --database-url postgresql://...     # on PostgreSQL (an empty database)
#   bench/campaign_bench.sh --recipients 20000 --sim-seconds 0.1
set -euo pipefail
exec "$(dirname "$0")/run_bench.sh" campaign_bench "$@"
