#!/usr/bin/env bash
# Runs the browser tests (tests/browser, node's built-in test runner): headless Chromium, driven
# by playwright-core from tools/node, against the real `cxco serve`. Installs Debian's chromium
# and the pinned npm tools when missing. Needs a built binary: build/cxco, or CXCO_BINARY.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ ! -x /usr/bin/chromium ]]; then
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium
fi
tools/node/install.sh

export CXCO_BINARY="${CXCO_BINARY:-$PWD/build/cxco}"
if [[ ! -x "$CXCO_BINARY" ]]; then
  echo "$CXCO_BINARY is missing: build it first (ninja -C build cxco)" >&2
  exit 1
fi
node --test tests/browser/*.test.mjs
