#!/usr/bin/env bash
# Builds bench/campaign_bench.cpp against a Release build of the server library (build-release/)
# and runs it; arguments go to the benchmark (see docs/performance.md, "Campaigns").
#   bench/campaign_bench.sh                                     # 100,000 recipients on SQLite
#   bench/campaign_bench.sh --database-url postgresql://...     # on PostgreSQL (an empty database)
#   bench/campaign_bench.sh --recipients 20000 --sim-seconds 0.1
set -euo pipefail
cd "$(dirname "$0")/.."
# Warnings stay warnings here: GCC 12 at -O3 reports a false -Wrestrict in std::string code.
cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DCXCO_WERROR=OFF >/dev/null
ninja -C build-release -j2 cxco_core
c++ -std=c++20 -O2 -DNDEBUG -DBOOST_ASIO_NO_DEPRECATED -DBOOST_BEAST_USE_STD_STRING_VIEW -DUSE_OS_TZDB=1 \
  -DHAS_STRING_VIEW=1 -DONLY_C_LOCALE=1 -Isrc -isystem "$(pg_config --includedir)" bench/campaign_bench.cpp \
  build-release/libcxco_core.a -lboost_json -lboost_url -lpq -lsqlite3 -lssl -lcrypto -lcurl -ldate-tz -pthread \
  -o build-release/campaign_bench
exec build-release/campaign_bench "$@"
