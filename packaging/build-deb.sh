#!/bin/bash
# build-deb.sh: build the Debian package from this checkout.
#
#   packaging/build-deb.sh OUTDIR [--no-lintian]
#
# The packaging lives in packaging/debian (it is not at the top of the tree,
# so that meson's source tree stays the upstream one). This exports the
# checkout, as the working tree has it (git: tracked files plus untracked
# ones that are not ignored; no build directory, no .git), into
# OUTDIR/samba-autoenroll-<version>/, copies packaging/debian to debian/
# there, the place dpkg-buildpackage expects, and runs
#   dpkg-buildpackage -us -uc -b
# then lintian on the result. OUTDIR gets samba-autoenroll_<version>_<arch>.deb,
# the .buildinfo, .changes, build.log and lintian.log. Exit 0 when the
# package was built and lintian reported no error.
# Build-Depends: packaging/build-deps.sh installs them.
set -euo pipefail

SRCDIR=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
OUT=${1:?usage: build-deb.sh OUTDIR [--no-lintian]}
LINTIAN=1
[ "${2:-}" = --no-lintian ] && LINTIAN=0

version=$(dpkg-parsechangelog -l "$SRCDIR/packaging/debian/changelog" -S Version)
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
tree=$OUT/samba-autoenroll-$version
rm -rf "$tree"
mkdir -p "$tree"

# the export
if git -C "$SRCDIR" rev-parse --git-dir > /dev/null 2>&1; then
	(cd "$SRCDIR" && git ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
		tar --null -T - -cf -) | tar -C "$tree" -xf -
else
	# a tarball of the sources: everything but build directories
	tar -C "$SRCDIR" --exclude=./build --exclude='./build-*' -cf - . | tar -C "$tree" -xf -
fi
[ ! -e "$tree/debian" ] || { echo "build-deb: the tree already has a debian/" >&2; exit 1; }
cp -a "$SRCDIR/packaging/debian" "$tree/debian"

echo "build-deb: building in $tree (log: $OUT/build.log)"
if ! (cd "$tree" && dpkg-buildpackage -us -uc -b) > "$OUT/build.log" 2>&1; then
	tail -40 "$OUT/build.log" >&2
	echo "build-deb: dpkg-buildpackage failed (log: $OUT/build.log)" >&2
	exit 1
fi
changes=$(ls "$OUT"/samba-autoenroll_"$version"_*.changes)
deb=$(ls "$OUT"/samba-autoenroll_"$version"_*.deb)
echo "build-deb: $deb"
[ $LINTIAN = 1 ] || exit 0
# --fail-on error: exit non-zero on any error tag; warnings are printed
# (each one kept is justified in debian/samba-autoenroll.lintian-overrides)
if ! lintian --fail-on error --display-info "$changes" > "$OUT/lintian.log" 2>&1; then
	cat "$OUT/lintian.log" >&2
	echo "build-deb: lintian reported errors" >&2
	exit 1
fi
echo "build-deb: lintian: $(grep -c '^E: ' "$OUT/lintian.log" || true) errors, $(grep -c '^W: ' "$OUT/lintian.log" || true) warnings, $(grep -c '^I: ' "$OUT/lintian.log" || true) info"
