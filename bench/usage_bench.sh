#!/usr/bin/env bash
# Builds bench/usage_bench.cpp (bench/run_bench.sh) and runs it; arguments go to the benchmark
# (see docs/performance.md, "Usage and ingestion").
#   bench/usage_bench.sh                        # 1,000,000 conversations over 365 days
#   bench/usage_bench.sh --reuse                # measure again on the database seeded last time
#   bench/usage_bench.sh --conversations 100000 --ingest 5000
#   createdb -h /tmp/pgdev -U cxco cxco_usage_bench     # PostgreSQL: a database for the benchmark,
#   bench/usage_bench.sh --database-url 'postgresql://cxco@/cxco_usage_bench?host=/tmp/pgdev'  # emptied first
set -euo pipefail
exec "$(dirname "$0")/run_bench.sh" usage_bench "$@"
