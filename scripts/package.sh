#!/usr/bin/env bash
# Builds the Debian package build/cxco_<version>_<arch>.deb: the cxco binary, its hardened
# systemd unit and /etc/cxco/cxco.env, installed under /usr (docs/operations.md).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --with-package-tools
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=/usr >/dev/null
ninja -C build -j2 cxco
rm -f build/cxco_*.deb
(cd build && cpack -G DEB)
