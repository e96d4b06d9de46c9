#!/usr/bin/env bash
# Builds bench/usage_bench.cpp against a Release build of the server library (build-release/)
# and runs it; arguments go to the benchmark (see docs/performance.md, "Usage and ingestion").
#   bench/usage_bench.sh                        # 1,000,000 conversations over 365 days
#   bench/usage_bench.sh --reuse                # measure again on the database seeded last time
#   bench/usage_bench.sh --conversations 100000 --ingest 5000
#   createdb -h /tmp/pgdev -U cxco cxco_usage_bench     # PostgreSQL: a database for the benchmark,
#   bench/usage_bench.sh --database-url 'postgresql://cxco@/cxco_usage_bench?host=/tmp/pgdev'  # emptied first
set -euo pipefail
cd "$(dirname "$0")/.."
# Warnings stay warnings here: GCC 12 at -O3 reports a false -Wrestrict in std::string code.
cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DCXCO_WERROR=OFF >/dev/null
ninja -C build-release -j2 cxco_core
c++ -std=c++20 -O2 -DNDEBUG -DBOOST_ASIO_NO_DEPRECATED -DBOOST_BEAST_USE_STD_STRING_VIEW \
  -Isrc -isystem "$(pg_config --includedir)" bench/usage_bench.cpp build-release/libcxco_core.a \
  -lboost_json -lboost_url -lpq -lsqlite3 -lssl -lcrypto -lcurl -ldate-tz -pthread -o build-release/usage_bench
exec build-release/usage_bench "$@"
