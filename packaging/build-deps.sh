#!/bin/bash
# build-deps.sh: install the Build-Depends of packaging/debian/control (and
# dpkg-dev, fakeroot, lintian for building and checking the package) from
# Debian's archive with apt-get. Fast when nothing is missing.
#
#   packaging/build-deps.sh         (root when something is missing)
#
# apt-get build-dep reads the control file of a source tree; the tree here
# is a temporary directory holding only debian/control, so nothing of the
# checkout is touched.
set -euo pipefail

SRCDIR=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
CONTROL=$SRCDIR/packaging/debian/control
[ -f "$CONTROL" ] || { echo "build-deps: $CONTROL missing" >&2; exit 1; }

tools=(dpkg-dev fakeroot lintian)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/debian"
cp "$CONTROL" "$tmp/debian/control"

missing_tools=()
for t in "${tools[@]}"; do
	dpkg-query -W -f='${db:Status-Abbrev}' "$t" 2> /dev/null | grep -q '^ii' || missing_tools+=("$t")
done
# dpkg-checkbuilddeps: exit 0 when every Build-Depends is satisfied
if command -v dpkg-checkbuilddeps > /dev/null &&
   (cd "$tmp" && dpkg-checkbuilddeps > /dev/null 2>&1) && [ ${#missing_tools[@]} = 0 ]; then
	echo "build-deps: Build-Depends and tools present"
	exit 0
fi
[ "$(id -u)" = 0 ] || { echo "build-deps: must run as root to install them" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${tools[@]}"
apt-get build-dep -y -q --no-install-recommends "$tmp"
echo "build-deps: done"
