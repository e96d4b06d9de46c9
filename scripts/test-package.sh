#!/usr/bin/env bash
# Builds the Debian package from build/ (scripts/package.sh) and checks it: control fields and
# maintainer scripts, the files it ships, the systemd unit (systemd-analyze verify), the
# example environment file against `cxco --help`, and the packaged binary itself, unpacked
# into a temporary directory (dpkg -x): `cxco --help` and `cxco migrate` on a new SQLite
# database. It does not install the package: `make test` also runs on developers' machines,
# where dpkg -i would add a system user and replace an installed cxco.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "test-package: $*" >&2; exit 1; }

scripts/package.sh
debs=(build/cxco_*.deb)
[[ ${#debs[@]} -eq 1 && -f ${debs[0]} ]] || fail "expected one build/cxco_*.deb, found: ${debs[*]}"
deb=${debs[0]}
echo "== checking $deb"

tmp=$(mktemp -d /tmp/cxco-package.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# Control: name, version, computed library dependencies, maintainer scripts, conffile.
[[ $(dpkg-deb -f "$deb" Package) == cxco ]] || fail "Package is not cxco"
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' build/CMakeCache.txt)
[[ $(dpkg-deb -f "$deb" Version) == "$version" ]] || fail "Version is not the project's $version"
depends=$(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed 's/^ *//; s/ .*//')
for dep in adduser libc6 libsqlite3-0 libpq5 libssl3 libcurl4; do
  grep -qx "$dep" <<<"$depends" || fail "Depends lacks $dep (dpkg-shlibdeps): $(dpkg-deb -f "$deb" Depends)"
done
dpkg-deb -e "$deb" "$tmp/control"
for script in postinst prerm postrm; do
  [[ -x $tmp/control/$script ]] || fail "no executable $script"
  sh -n "$tmp/control/$script" || fail "$script is not valid sh"
done
[[ $(cat "$tmp/control/conffiles") == /etc/cxco/cxco.env ]] || fail "conffiles is not /etc/cxco/cxco.env"

# Files: the binary (and no other), the unit, the environment file readable by root only, docs.
listing=$(dpkg-deb -c "$deb")
has() { grep -qE "$1" <<<"$listing" || fail "the package lacks $2"; }
has '^-rwxr-xr-x root/root .* \./usr/bin/cxco$' "/usr/bin/cxco"
has '^-rw-r--r-- root/root .* \./usr/lib/systemd/system/cxco\.service$' "/usr/lib/systemd/system/cxco.service"
has '^-rw------- root/root .* \./etc/cxco/cxco\.env$' "/etc/cxco/cxco.env (mode 0600)"
has ' \./usr/share/doc/cxco/README\.md$' "the README"
has ' \./usr/share/doc/cxco/docs/operations\.md$' "docs/operations.md"
has ' \./usr/share/doc/cxco/third_party/redoc/LICENSE$' "Redoc's licence"
extra=$(awk '$1 !~ /^d/ {print $NF}' <<<"$listing" |
  grep -vE '^\./(usr/bin/cxco|usr/lib/systemd/system/cxco\.service|etc/cxco/cxco\.env|usr/share/doc/cxco/.*)$' || true)
[[ -z $extra ]] || fail "unexpected files in the package: $extra"

root=$tmp/root
dpkg -x "$deb" "$root"
cxco=$root/usr/bin/cxco

# The unit as installed; verify resolves ExecStart on this machine, so point it at the
# unpacked binary after checking that the unit names the packaged path.
unit=$root/usr/lib/systemd/system/cxco.service
grep -qx 'ExecStart=/usr/bin/cxco serve' "$unit" || fail "the unit does not start /usr/bin/cxco serve"
grep -qx 'EnvironmentFile=-/etc/cxco/cxco.env' "$unit" || fail "the unit does not read /etc/cxco/cxco.env"
sed "s|^ExecStart=/usr/bin/cxco|ExecStart=$cxco|" "$unit" >"$tmp/cxco.service"
verify=$(systemd-analyze verify "$tmp/cxco.service" 2>&1) || fail "systemd-analyze verify failed: $verify"
[[ -z $verify ]] || fail "systemd-analyze verify complains: $verify"

# The environment file shows every configuration variable, all commented out.
help=$("$cxco" --help) || fail "cxco --help failed"
vars=$(grep -oE '\(CXCO_[A-Z0-9_]+\)' <<<"$help" | tr -d '()')
grep -qx CXCO_LISTEN <<<"$vars" || fail "cxco --help names no configuration variables"
env_file=$root/etc/cxco/cxco.env
for var in $vars; do
  grep -q "^#$var=" "$env_file" || fail "cxco.env lacks a commented-out $var"
done
if grep -nvE '^(#.*)?$' "$env_file" >&2; then
  fail "cxco.env sets the lines above; every setting must be commented out"
fi

# The packaged binary runs and migrates a new SQLite database.
CXCO_DATABASE_URL="sqlite://$tmp/cxco.db" "$cxco" migrate || fail "cxco migrate failed"
[[ -s $tmp/cxco.db ]] || fail "cxco migrate created no database"
echo "package checks passed: $deb"
