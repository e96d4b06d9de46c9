#!/usr/bin/env bash
# Installs the Debian 12 packages CXCo builds, tests, packages and benchmarks with. Only what is
# missing is installed; as root it runs apt-get directly, otherwise through sudo.
set -euo pipefail

packages=(
  cmake ninja-build g++ pkg-config
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libsqlite3-dev libpq-dev libssl-dev libcurl4-openssl-dev libcli11-dev libgtest-dev
  libhowardhinnant-date-dev tzdata
  postgresql python3 python3-cryptography curl
)
if [[ "${1:-}" == "--with-test-tools" ]]; then
  # python3-jsonschema: the contract tests (tests/contract/validate.py); dpkg-dev, file and
  # systemd: scripts/test-package.sh builds the package and verifies its unit.
  packages+=(clang-14 libclang-rt-14-dev chromium python3-jsonschema dpkg-dev file systemd)
fi
# Packaging: dpkg-dev and file for CPack's computed dependencies (dpkg-shlibdeps).
if [[ "${1:-}" == "--with-package-tools" ]]; then
  packages+=(dpkg-dev file)
fi
if [[ "${1:-}" == "--with-bench-tools" ]]; then
  packages+=(wrk bc valgrind)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "Installing: ${missing[*]}"
sudo=""
[[ $(id -u) -ne 0 ]] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
