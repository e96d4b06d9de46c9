#!/usr/bin/env bash
# Checks the API reference: `redocly lint` (pinned in tools/node, rules in redocly.yaml) on the
# OpenAPI document that GET /openapi.json serves, and that the Redoc bundle compiled into the
# binary (third_party/redoc) is exactly the one the pinned `redoc` package ships; and that the
# committed console bundle (console/dist) is what console/src builds to with the pinned esbuild.
set -euo pipefail
cd "$(dirname "$0")/.."

tools/node/install.sh
# No usage reports from CI: nothing but package registries is reachable from here anyway.
export REDOCLY_TELEMETRY=off
tools/node/node_modules/.bin/redocly lint --config redocly.yaml --format=stylish

for f in redoc.standalone.js redoc.standalone.js.LICENSE.txt; do
  if ! cmp -s "tools/node/node_modules/redoc/bundles/$f" "third_party/redoc/$f"; then
    echo "third_party/redoc/$f differs from the pinned redoc package: run 'npm run vendor-redoc' in tools/node" >&2
    exit 1
  fi
done
# The console bundle compiled into the binary is what its sources build to (console/build.mjs).
node console/build.mjs --check
echo "API reference and console checks passed"
