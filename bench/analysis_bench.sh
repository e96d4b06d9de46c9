#!/usr/bin/env bash
# Builds bench/analysis_bench.cpp against a Release build of the server library (build-release/)
# and runs it; arguments go to the benchmark (see docs/performance.md, "Analysis, search and
# export").
#   bench/analysis_bench.sh                          # 1,000,000 conversations over 365 days
#   bench/analysis_bench.sh --reuse                  # measure again on the database seeded last time
#   bench/analysis_bench.sh --conversations 100000
set -euo pipefail
cd "$(dirname "$0")/.."
# BUILD_DIR=build reuses a RelWithDebInfo tree (also -O2) instead of building build-release/.
BUILD_DIR=${BUILD_DIR:-build-release}
if [ "$BUILD_DIR" = build-release ]; then
  # Warnings stay warnings here: GCC 12 at -O3 reports a false -Wrestrict in std::string code.
  cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DCXCO_WERROR=OFF >/dev/null
fi
ninja -C "$BUILD_DIR" -j2 cxco_core
c++ -std=c++20 -O2 -DNDEBUG -DBOOST_ASIO_NO_DEPRECATED -DBOOST_BEAST_USE_STD_STRING_VIEW \
  -Isrc -isystem "$(pg_config --includedir)" bench/analysis_bench.cpp "$BUILD_DIR"/libcxco_core.a \
  -lboost_json -lboost_url -lpq -lsqlite3 -lssl -lcrypto -lcurl -ldate-tz -pthread -o "$BUILD_DIR"/analysis_bench
exec "$BUILD_DIR"/analysis_bench "$@"
