#!/usr/bin/env bash
# Builds CXCo and runs every test, in two stages:
#   1. g++ build with -Werror: unit tests and the API suite against SQLite and against a real
#      PostgreSQL server started here (initdb into a temporary directory, run as a non-root
#      user), each run followed by its contract check against the providers' API definitions,
#      the Debian package (scripts/test-package.sh), then the soak test (kill -9 mid-traffic)
#      on both databases.
#   2. clang build with AddressSanitizer + UBSan (and libFuzzer coverage): unit tests and the
#      API suite on SQLite again, then each fuzz target for a short time.
# Usage: scripts/test.sh [--sanitize-only]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
scripts/install-deps.sh --with-test-tools

# A throwaway PostgreSQL cluster on a Unix socket in a temporary directory.
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
pg_user=postgres
id "$pg_user" >/dev/null 2>&1 || pg_user=nobody
pg_dir=$(mktemp -d /tmp/cxco-pg.XXXXXX)
chown "$pg_user" "$pg_dir"
as_pg() { if [[ $(id -u) -eq 0 ]]; then su -s /bin/sh "$pg_user" -c "$*"; else sh -c "$*"; fi; }
stop_pg() { as_pg "$pg_bin/pg_ctl -D $pg_dir/data -m immediate stop" >/dev/null 2>&1 || true; rm -rf "$pg_dir"; }
trap stop_pg EXIT
as_pg "$pg_bin/initdb -D $pg_dir/data -U cxco --auth=trust -E UTF8 >/dev/null"
as_pg "$pg_bin/pg_ctl -D $pg_dir/data -l $pg_dir/log -w -o \"-c listen_addresses='' -k $pg_dir -c fsync=off -c max_connections=300\" start" >/dev/null
export CXCO_TEST_POSTGRES_URL="postgresql://cxco@/postgres?host=$pg_dir"

# ctest in the given build directory. The servers' request logs make a failing suite's output
# long, so on failure the failed assertions are repeated last, where a log's tail shows them.
run_ctest() {
  local dir=$1; shift
  (cd "$dir" && ctest --output-on-failure --timeout 900 "$@") && return 0
  echo "== failed assertions (from $dir/Testing/Temporary/LastTest.log)"
  grep -v -E '^[0-9]{4}-[0-9]{2}-[0-9]{2}T' "$dir/Testing/Temporary/LastTest.log" |
    grep -E -A8 ': Failure$|^\[  FAILED  \]' | tail -80
  return 1
}

if [[ "${1:-}" != "--sanitize-only" ]]; then
  echo "== stage 1: build, unit and API tests on SQLite and PostgreSQL, package, soak"
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCXCO_WERROR=ON >/dev/null
  ninja -C build -j2
  run_ctest build

  # The Debian package built from this build: contents, unit, and the packaged binary runs.
  scripts/test-package.sh

  # The API reference: redocly lint of the OpenAPI document, and the docs page in headless Chromium.
  scripts/check-docs.sh
  scripts/test-browser.sh

  # Soak: mixed traffic against the real binary with a kill -9 and restart half-way; every
  # acknowledged write must survive. Once on SQLite, once on PostgreSQL.
  soak_seconds=${CXCO_SOAK_SECONDS:-40}
  /usr/bin/python3 tests/soak/soak.py --binary build/cxco --seconds "$soak_seconds"
  as_pg "$pg_bin/createdb -h $pg_dir -U cxco soak"
  /usr/bin/python3 tests/soak/soak.py --binary build/cxco --seconds "$soak_seconds" \
    --database-url "postgresql://cxco@/soak?host=$pg_dir"
fi

echo "== stage 2: AddressSanitizer + UBSan build, unit and API tests, fuzzing"
CXX=clang++-14 cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCXCO_SANITIZE=ON -DCXCO_FUZZ=ON \
  -DCXCO_WERROR=OFF >/dev/null
ninja -C build-asan -j2
ASAN_OPTIONS=detect_leaks=1 run_ctest build-asan -E postgres
for f in fuzz/*.cpp; do
  name=$(basename "$f" .cpp)
  echo "fuzzing $name for ${CXCO_FUZZ_SECONDS:-20}s"
  build-asan/"$name" -max_total_time="${CXCO_FUZZ_SECONDS:-20}" -rss_limit_mb=2048 -print_final_stats=0 \
    >/dev/null 2>build-asan/"$name".log || { tail -50 build-asan/"$name".log; exit 1; }
done
cd "$root"
echo "all tests passed"
