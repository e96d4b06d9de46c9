#!/usr/bin/env bash
# Installs the pinned npm tools of tools/node (package-lock.json) into tools/node/node_modules,
# only when they are missing or the lock file changed since the last install.
# @redocly/cli needs Node.js 20.19+ (or 22.12+).
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "tools/node: needs node and npm (Node.js 20.19 or later) on PATH" >&2
  exit 1
fi
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'; then
  echo "tools/node: Node.js $(node --version) is too old; @redocly/cli needs 20.19 or later" >&2
  exit 1
fi

stamp=node_modules/.installed-package-lock.json
if ! cmp -s package-lock.json "$stamp"; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi
