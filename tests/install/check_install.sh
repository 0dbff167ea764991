#!/bin/bash
# check_install.sh: what `meson install` puts where (meson test, suite unit;
# tests/install/meson.build passes the arguments).
#
#   check_install.sh BUILD_DIR SRC_DIR SBINDIR PKGDATADIR -- EXPECTED_PATH...
#
# 1. `meson install --destdir` of BUILD_DIR installs exactly EXPECTED_PATH
#    (absolute, as configured: prefix, sbindir, libexecdir, systemd and PAM
#    directories), nothing more or less;
# 2. the installed Python scripts carry this build's paths (the extension
#    runs SBINDIR/autoenroll, register's default is the installed extension)
#    and the program's own default for autoenroll:command is the same;
# 3. `systemd-analyze verify` passes for every unit (system and user), with
#    ExecStart= pointed into the destdir and the man pages of Documentation=
#    found in the destdir's MANPATH;
# 4. `man -l` renders each page without a warning, and autoenroll(8) names
#    every command of `autoenroll --help` and every option of
#    `autoenroll config`.
# Ends with one line "PASS install" or "FAIL install: reason" (exit 1).
set -uo pipefail

BUILD=$1 SRC=$2 SBINDIR=$3 PKGDATADIR=$4
shift 4
[ "${1:-}" = -- ] && shift
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
D=$W/dest
fail() { echo "FAIL install: $*"; exit 1; }

meson install -C "$BUILD" --destdir "$D" --no-rebuild --quiet > "$W/install.log" 2>&1 ||
	fail "meson install: $(tail -5 "$W/install.log")"

# 1. the tree
(cd "$D" && find . \( -type f -o -type l \) | sed 's|^\.||' | LC_ALL=C sort) > "$W/got"
printf '%s\n' "$@" | LC_ALL=C sort > "$W/want"
if ! cmp -s "$W/got" "$W/want"; then
	diff "$W/want" "$W/got" | sed 's/^/  /'
	fail "the installed tree is not the expected one (< expected, > installed)"
fi
[ -x "$D$SBINDIR/autoenroll" ] || fail "$SBINDIR/autoenroll not executable"

# 2. the paths
ext=$D$PKGDATADIR/gp_autoenroll_ext.py
grep -qx "DEFAULT_COMMAND = '$SBINDIR/autoenroll'" "$ext" ||
	fail "$ext does not default to $SBINDIR/autoenroll: $(grep '^DEFAULT_COMMAND' "$ext")"
reg=$(printf '%s\n' "$@" | grep '/register$')
grep -qx "DEFAULT_PATH = '$PKGDATADIR/gp_autoenroll_ext.py'" "$D$reg" ||
	fail "$reg does not default to $PKGDATADIR/gp_autoenroll_ext.py"
printf '[global]\n\trealm = EXAMPLE.COM\n' > "$W/smb.conf"
# The staged program loads its modules (smb.conf is read by ae-net.so) from
# where they will be installed: it runs in a mount namespace of its own in
# which the destdir's module directory is there (a bind mount, or an
# overlay of the destdir's part over the nearest directory that exists).
MODDIR=$(dirname "$(printf '%s\n' "$@" | grep '/ae-net\.so$')")
run_staged() {
	[ "$(id -u)" = 0 ] || fail "running the staged autoenroll needs root (a mount namespace)"
	unshare -m sh -ec '
		d=$1 m=$2
		shift 2
		mount --make-rprivate /
		if [ -d "$m" ]; then
			mount --bind "$d$m" "$m"
		else
			a=$m
			while [ ! -d "$a" ]; do a=$(dirname "$a"); done
			mount -t overlay overlay -o "lowerdir=$d$a:$a" "$a"
		fi
		exec "$@"' run_staged "$D" "$MODDIR" "$@"
}
run_staged "$D$SBINDIR/autoenroll" -s "$W/smb.conf" config > "$W/config" 2>&1 ||
	fail "autoenroll config: $(head -3 "$W/config")"
grep -q "autoenroll:command.*$SBINDIR/autoenroll" "$W/config" ||
	fail "autoenroll config does not show $SBINDIR/autoenroll as autoenroll:command's default: $(grep 'autoenroll:command' "$W/config")"

# 3. the units: ExecStart into the destdir, Documentation= from its man pages
units=$(printf '%s\n' "$@" | grep -E '\.(service|timer)$')
[ "$(wc -l <<< "$units")" = 4 ] || fail "expected 4 systemd units, got: $units"
mkdir -p "$W/units/system" "$W/units/user"
for u in $units; do
	case $u in */user/*) kind=user ;; *) kind=system ;; esac
	sed "s|^ExecStart=$SBINDIR/|ExecStart=$D$SBINDIR/|" "$D$u" > "$W/units/$kind/${u##*/}"
	grep -q "^ExecStart=$SBINDIR/" "$D$u" || [[ $u == *.timer ]] ||
		fail "$u: ExecStart= is not under $SBINDIR"
done
export MANPATH=$D$(dirname "$(dirname "$(printf '%s\n' "$@" | grep '/man8/autoenroll.8$')")")
(cd "$W/units/system" && systemd-analyze verify autoenroll.service autoenroll.timer) > "$W/verify" 2>&1 ||
	fail "systemd-analyze verify (system): $(cat "$W/verify")"
# a user manager needs a runtime directory of its own
mkdir -m 0700 "$W/xdg"
(cd "$W/units/user" && XDG_RUNTIME_DIR=$W/xdg systemd-analyze --user verify autoenroll-user.service autoenroll-user.timer) > "$W/verify" 2>&1 ||
	fail "systemd-analyze --user verify: $(cat "$W/verify")"
[ ! -s "$W/verify" ] || fail "systemd-analyze verify warned: $(cat "$W/verify")"

# 4. the man pages
for page in $(printf '%s\n' "$@" | grep '/man8/'); do
	MANWIDTH=100 man --warnings -E UTF-8 -l "$D$page" > "$W/${page##*/}.txt" 2> "$W/man.err" ||
		fail "man -l $page: $(cat "$W/man.err")"
	[ ! -s "$W/man.err" ] || fail "man -l $page warns: $(cat "$W/man.err")"
	grep -q '^NAME' "$W/${page##*/}.txt" || fail "$page has no NAME section"
done
"$D$SBINDIR/autoenroll" --help > "$W/help" 2>&1
cmds=$(sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p; s/^  \([a-z][a-z-]*\)$/\1/p' "$W/help" | sort -u)
[ -n "$cmds" ] || fail "no command found in autoenroll --help"
for c in $cmds; do
	grep -qE "^ {5,}$c( |$)" "$W/autoenroll.8.txt" || fail "autoenroll(8) does not describe the command '$c'"
done
opts=$(grep -o 'autoenroll:[a-z][a-z ]*[a-z]' "$W/config" | sort -u)
[ -n "$opts" ] || fail "no option in autoenroll config"
while read -r o; do
	grep -qF "$o =" "$W/autoenroll.8.txt" || fail "autoenroll(8) does not describe the option '$o'"
done <<< "$opts"
echo "PASS install"
