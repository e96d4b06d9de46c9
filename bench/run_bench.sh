#!/usr/bin/env bash
# Builds bench/NAME.cpp against a Release build of the server library (build-release/) and runs
# it with the remaining arguments (docs/performance.md). BUILD_DIR=build reuses a RelWithDebInfo
# tree (also -O2) instead of building build-release/.
#   bench/run_bench.sh usage_bench --reuse
# Warnings stay warnings here: GCC 12 at -O3 reports a false -Wrestrict in std::string code.
set -euo pipefail
cd "$(dirname "$0")/.."
name=$1
shift
BUILD_DIR=${BUILD_DIR:-build-release}
if [[ $BUILD_DIR == build-release ]]; then
  cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DCXCO_WERROR=OFF >/dev/null
fi
ninja -C "$BUILD_DIR" -j2 cxco_core
c++ -std=c++20 -O2 -DNDEBUG -DBOOST_ASIO_NO_DEPRECATED -DBOOST_BEAST_USE_STD_STRING_VIEW -DUSE_OS_TZDB=1 \
  -DHAS_STRING_VIEW=1 -DONLY_C_LOCALE=1 -Isrc -isystem "$(pg_config --includedir)" "bench/$name.cpp" \
  "$BUILD_DIR/libcxco_core.a" -lboost_json -lboost_url -lpq -lsqlite3 -lssl -lcrypto -lcurl -ldate-tz -pthread \
  -o "$BUILD_DIR/$name"
exec "$BUILD_DIR/$name" "$@"
