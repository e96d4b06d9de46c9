#!/usr/bin/env bash
# Builds CXCo and runs it on the embedded default: SQLite, simulated providers, demo data.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C build -j2 cxco
: "${CXCO_ADMIN_KEY:=dev-admin-key-not-a-secret}"
export CXCO_ADMIN_KEY
echo "Admin API key (X-Admin-Key): $CXCO_ADMIN_KEY"
exec build/cxco serve --demo "$@"
