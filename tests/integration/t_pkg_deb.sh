#!/bin/bash
# The Debian package (issue H, Must show 1 and 2), one scenario bounded by
# work (the package build takes minutes on 2 cores):
#  1. packaging/build-deb.sh builds samba-autoenroll_*.deb from an export of
#     this checkout (dpkg-buildpackage -us -uc -b); lintian reports no error;
#  2. `meson install --destdir` of the package's own build directory
#     installs exactly the files of the .deb (less what debhelper adds:
#     /usr/share/doc's changelog, copyright and README, the lintian
#     override, man pages gzipped);
#  3. dpkg -i: the files where Debian puts them, pam-auth-update's stack has
#     pam_autoenroll.so, the timer enabled, the extension registered in
#     Samba's gpext.conf (samba-gpupdate is installed here), systemd-analyze
#     verify passes for the installed units, man finds both pages;
#  4. the installed /usr/sbin/autoenroll, run with the ExecStart= line of
#     the installed autoenroll.service (plus the lab's -s) inside an
#     emulation of the unit's sandbox (sandbox.sh), enrolls in the lab; the installed extension, registered in the member's gpext.conf
#     by the installed register (its default path), runs under
#     samba-gpupdate with no autoenroll:command: the default command is
#     the installed program;
#  5. dpkg --purge: says what it keeps (a store put at the default place
#     stays, with its key), every file of the package is gone, and
#     /etc/nsswitch.conf, /etc/pam.d and gpext.conf are as they were.
# Refuses to run (FAIL) when samba-autoenroll is already installed or a
# file of the package is already on the machine: it never overwrites or
# removes what it did not install.
. "$(dirname "$0")/lib.sh"

W=$WORK/$NAME
rm -rf "$W"
mkdir -p "$W"
PKG=samba-autoenroll
CONF=$LAB/member/smb.conf
GUID='{BDB61189-79C0-438C-94CE-FBFE7CA16FF5}'
SYS_GPEXT=$(/usr/bin/python3 -B -c 'from samba.param import LoadParm
lp = LoadParm(); lp.load_default(); print(lp.state_path("gpext.conf"))' 2> /dev/null) ||
	fail "cannot find Samba's state directory (python3-samba)"
LAB_GPEXT=$(/usr/bin/python3 -B -c 'import sys
from samba.param import LoadParm
lp = LoadParm(); lp.load(sys.argv[1]); print(lp.state_path("gpext.conf"))' "$CONF") ||
	fail "cannot find the member's state directory"
DEFAULT_STORE_TOP=/var/lib/samba/autoenroll
LAB_GPEXT_EXISTED=0
[ ! -e "$LAB_GPEXT" ] || LAB_GPEXT_EXISTED=1

# -- refuse to clobber -----------------------------------------------------
if dpkg-query -W -f='${db:Status-Abbrev}' $PKG 2> /dev/null | qgrep '^[ic]'; then
	fail "$PKG is already installed here: this scenario installs and purges it"
fi
for f in /usr/sbin/autoenroll /usr/share/samba-autoenroll /usr/libexec/samba-autoenroll \
	/usr/share/pam-configs/autoenroll /lib/systemd/system/autoenroll.service "$DEFAULT_STORE_TOP"; do
	[ ! -e "$f" ] || fail "$f exists already (not from the package): not overwriting it"
done

# -- the machine before ------------------------------------------------------
snapshot() { # DIR: nsswitch.conf, /etc/pam.d, Samba's gpext.conf (or its absence)
	mkdir -p "$1"
	cp -p /etc/nsswitch.conf "$1/nsswitch.conf"
	(cd /etc/pam.d && find . -type f -exec sha256sum {} + | LC_ALL=C sort -k2) > "$1/pam.d"
	if [ -e "$SYS_GPEXT" ]; then sha256sum < "$SYS_GPEXT" > "$1/gpext"; else echo absent > "$1/gpext"; fi
}
snapshot "$W/before"

INSTALLED=0
LAB_REG=0
FAKE_STORE=0
cleanup() {
	[ $LAB_REG = 0 ] || /usr/libexec/samba-autoenroll/unregister -s "$GCONF" > /dev/null 2>&1 || true
	if [ $INSTALLED = 1 ]; then
		DEBIAN_FRONTEND=noninteractive dpkg --purge $PKG > "$W/purge-cleanup.log" 2>&1 || true
	fi
	[ $FAKE_STORE = 0 ] || rm -rf "$DEFAULT_STORE_TOP"
	# a gpext.conf this scenario created in the lab is removed once empty
	if [ $LAB_GPEXT_EXISTED = 0 ] && [ -f "$LAB_GPEXT" ] && ! grep -q . "$LAB_GPEXT"; then
		rm -f "$LAB_GPEXT"
	fi
	[ -z "${STARTED_WB:-}" ] || stop_winbindd
}
trap cleanup EXIT

# -- 1. build + lintian ------------------------------------------------------
bash "$SRCDIR/packaging/build-deps.sh" > "$W/deps.log" 2>&1 ||
	fail "packaging/build-deps.sh: $(tail -3 "$W/deps.log")"
t0=$(date +%s)
bash "$SRCDIR/packaging/build-deb.sh" "$W/out" > "$W/build.out" 2>&1 ||
	fail "packaging/build-deb.sh: $(tail -5 "$W/build.out" | tr '\n' ' ')"
DEB=$(ls "$W"/out/${PKG}_*_*.deb)
note "built $(basename "$DEB") in $(($(date +%s) - t0)) s"
note "$(grep '^build-deb: lintian' "$W/build.out")"
sed 's/^/      | /' "$W/out/lintian.log"
! grep -q '^E: ' "$W/out/lintian.log" || fail "lintian errors"

# -- 2. meson install --destdir = the package -------------------------------
OBJ=$(ls -d "$W"/out/$PKG-*/obj-*) || fail "no meson build directory in the package build"
meson install -C "$OBJ" --destdir "$W/dest" --no-rebuild --quiet > "$W/destdir.log" 2>&1 ||
	fail "meson install --destdir: $(tail -3 "$W/destdir.log")"
(cd "$W/dest" && find . \( -type f -o -type l \) | sed 's|^\.||; s|\(/man/man[0-9]/.*\)$|\1.gz|') |
	LC_ALL=C sort > "$W/tree.destdir"
dpkg-deb -c "$DEB" | awk '$1 !~ /^d/ { p = $6; sub(/^\./, "", p); print p }' |
	grep -vxE "/usr/share/doc/$PKG/(changelog\.gz|copyright|README\.md\.gz)|/usr/share/lintian/overrides/$PKG" |
	LC_ALL=C sort > "$W/tree.deb"
cmp -s "$W/tree.destdir" "$W/tree.deb" ||
	fail "meson install --destdir and the .deb differ: $(diff "$W/tree.destdir" "$W/tree.deb" | tr '\n' ' ')"
note "meson install --destdir = the .deb: $(wc -l < "$W/tree.deb") files"
dpkg-deb -c "$DEB" | awk '$1 !~ /^d/ { print $6 }' | sed 's/^/      | /'

# -- 3. dpkg -i ---------------------------------------------------------------
INSTALLED=1
DEBIAN_FRONTEND=noninteractive dpkg -i "$DEB" > "$W/install.log" 2>&1 ||
	fail "dpkg -i: $(tail -5 "$W/install.log")"
sed 's/^/      | /' "$W/install.log"
for f in /usr/sbin/autoenroll /lib/x86_64-linux-gnu/security/pam_autoenroll.so \
	/usr/share/samba-autoenroll/gp_autoenroll_ext.py /usr/libexec/samba-autoenroll/register \
	/usr/libexec/samba-autoenroll/unregister /usr/share/pam-configs/autoenroll \
	/usr/share/doc/$PKG/examples/smb.conf.example /lib/systemd/system/autoenroll.service \
	/lib/systemd/system/autoenroll.timer /usr/lib/systemd/user/autoenroll-user.service \
	/usr/lib/systemd/user/autoenroll-user.timer; do
	[ -e "$f" ] || fail "$f not installed"
done
grep -q 'pam_autoenroll\.so' /etc/pam.d/common-session || fail "pam-auth-update did not add pam_autoenroll.so to common-session"
! grep -q 'pam_autoenroll\.so' /etc/pam.d/common-session-noninteractive ||
	fail "pam_autoenroll.so is in common-session-noninteractive"
[ -L /etc/systemd/system/timers.target.wants/autoenroll.timer ] || fail "autoenroll.timer is not enabled"
[ ! -e /etc/systemd/user/timers.target.wants/autoenroll-user.timer ] || fail "autoenroll-user.timer enabled for every user"
grep -qx "\[$GUID\]" "$SYS_GPEXT" 2> /dev/null || fail "the extension is not registered in $SYS_GPEXT"
grep -qix 'dllname = /usr/share/samba-autoenroll/gp_autoenroll_ext.py' "$SYS_GPEXT" ||
	fail "$SYS_GPEXT does not name the installed extension"
note "installed: pam stack, timer enabled, extension registered in $SYS_GPEXT"
systemd-analyze verify /lib/systemd/system/autoenroll.service /lib/systemd/system/autoenroll.timer \
	> "$W/verify" 2>&1 || fail "systemd-analyze verify: $(cat "$W/verify")"
mkdir -m 0700 "$W/xdg"	# a user manager needs a runtime directory
XDG_RUNTIME_DIR=$W/xdg systemd-analyze --user verify /usr/lib/systemd/user/autoenroll-user.service \
	/usr/lib/systemd/user/autoenroll-user.timer >> "$W/verify" 2>&1 ||
	fail "systemd-analyze --user verify: $(cat "$W/verify")"
[ ! -s "$W/verify" ] || fail "systemd-analyze verify warns: $(cat "$W/verify")"
note "systemd-analyze verify: the 4 installed units pass, no warning"
for p in autoenroll pam_autoenroll; do
	man -w 8 $p > /dev/null 2>&1 || fail "man does not find $p(8)"
	MANWIDTH=80 man --warnings 8 $p 2> "$W/man.err" | qgrep '^NAME' || fail "man 8 $p renders nothing"
	[ ! -s "$W/man.err" ] || fail "man 8 $p warns: $(cat "$W/man.err")"
done
note "man 8 autoenroll, man 8 pam_autoenroll render"

# -- 4. the installed program and extension in the lab ------------------------
EXEC=$(sed -n 's/^ExecStart=//p' /lib/systemd/system/autoenroll.service)
read -r -a EXECV <<< "$EXEC"
[ "${EXECV[0]}" = /usr/sbin/autoenroll ] && [ "${EXECV[*]:1}" = run ] ||
	fail "autoenroll.service: ExecStart=$EXEC, want /usr/sbin/autoenroll run"
# ... under the unit's sandbox (tests/integration/sandbox.sh: systemd is not
# PID 1 here): every mount read-only but the lab's counterparts of the
# unit's ReadWritePaths= (Samba's state directory with the private dir in
# it, the cache directory, the trust dir; the store of its own stands for
# the store under the state directory), no new privileges, the unit's
# CapabilityBoundingSet=.
UNIT=/lib/systemd/system/autoenroll.service
RWP=$(sed -n 's/^ReadWritePaths=//p' "$UNIT" | tr '\n' ' ' | sed 's/ *$//')
[ "$RWP" = "/var/lib/samba /var/cache/samba -/usr/local/share/ca-certificates /etc/ssl/certs" ] ||
	fail "$UNIT: ReadWritePaths= is '$RWP': update the lab mapping of this scenario"
grep -qx 'ProtectSystem=strict' "$UNIT" && grep -qx 'NoNewPrivileges=yes' "$UNIT" ||
	fail "$UNIT lacks ProtectSystem=strict or NoNewPrivileges=yes"
CAPS=$(sed -n 's/^CapabilityBoundingSet=//p' "$UNIT")
STORE=$W/store
mkdir -p -m 0700 "$STORE" "$LAB/member/trust"
RW="$LAB/member/state:$LAB/member/private:$LAB/member/cache:$LAB/member/trust:$STORE"
timeout -k 5 300 "$ADLAB" client "$SRCDIR/tests/integration/sandbox.sh" "$RW" "$CAPS" -- \
	"${EXECV[0]}" -s "$CONF" "--option=autoenroll:store dir=$STORE" \
	"${EXECV[@]:1}" > "$W/run.out" 2>&1 < /dev/null
rc=$?
note "ExecStart ($EXEC, -s the lab's smb.conf, a store of its own) in the unit's sandbox (capabilities: '${CAPS:-none}') -> exit $rc"
sed 's/^/      | /' "$W/run.out" | tail -8
[ $rc = 0 ] || [ $rc = 3 ] || fail "the installed autoenroll run exited $rc"
ls "$STORE"/*.crt > /dev/null 2>&1 || fail "the installed autoenroll issued nothing into $STORE"
for c in "$STORE"/*.crt; do
	expect_issued "$STORE" "$(basename "$c" .crt)"
done

# samba-gpupdate with a copy of the member's smb.conf whose only change is
# a store of its own: no autoenroll:command, so what fills that store is the
# extension's default command, the installed /usr/sbin/autoenroll
GCONF=$W/smb.conf
GSTORE=$W/gpstore
sed "/^\[global\]\$/a\\	autoenroll:store dir = $GSTORE" "$CONF" > "$GCONF"
grep -q "autoenroll:store dir = $GSTORE" "$GCONF" || fail "cannot write $GCONF"
! grep -qi '^[[:space:]]*autoenroll:command' "$GCONF" || fail "the lab's smb.conf sets autoenroll:command"
/usr/libexec/samba-autoenroll/register -s "$GCONF" > "$W/reg.out" 2>&1 ||
	fail "the installed register -s $GCONF: $(cat "$W/reg.out")"
LAB_REG=1
grep -qix 'dllname = /usr/share/samba-autoenroll/gp_autoenroll_ext.py' "$LAB_GPEXT" ||
	fail "register's default is not the installed extension: $(grep -i dllname "$LAB_GPEXT")"
if ! live_pid "$LAB/member/winbindd.pid" winbindd > /dev/null; then
	"$ADLAB" winbindd > "$W/wb.out" 2>&1 || fail "adlab.sh winbindd: $(tail -n 3 "$W/wb.out")"
	STARTED_WB=1
fi
timeout -k 5 300 "$ADLAB" member env PATH=/usr/bin:/bin PYTHONDONTWRITEBYTECODE=1 \
	/usr/sbin/samba-gpupdate -s "$GCONF" --target=Computer --force > "$W/gp.out" 2>&1 < /dev/null
rc=$?
note "samba-gpupdate -s $GCONF --target=Computer --force -> exit $rc"
grep -E 'samba-autoenroll|Traceback' "$W/gp.out" | cut -c1-220 | sed 's/^/      | /'
[ $rc = 0 ] || fail "samba-gpupdate exited $rc"
! grep -qE 'Traceback|samba-autoenroll: autoenroll run failed|set autoenroll:command' "$W/gp.out" ||
	fail "the installed extension failed: $(grep -E 'Traceback|autoenroll run|autoenroll:command' "$W/gp.out" | head -3)"
[ -e "$GSTORE/LabMachine.crt" ] || fail "samba-gpupdate's run of the installed extension issued nothing into $GSTORE (have: $(ls "$GSTORE" 2> /dev/null | tr '\n' ' '))"
expect_issued "$GSTORE" LabMachine
note "samba-gpupdate ran the installed extension, which ran /usr/sbin/autoenroll (no autoenroll:command): LabMachine issued"
/usr/libexec/samba-autoenroll/unregister -s "$GCONF" > /dev/null 2>&1 || fail "the installed unregister failed"
LAB_REG=0

# -- 5. dpkg --purge --------------------------------------------------------
dpkg -L $PKG | while read -r f; do [ -d "$f" ] || echo "$f"; done > "$W/files"
# a store at the default place, as a cycle would leave it: purge keeps it
mkdir -p -m 0700 "$DEFAULT_STORE_TOP/machine"
FAKE_STORE=1
echo "not a key" > "$DEFAULT_STORE_TOP/machine/Test.key"
chmod 0600 "$DEFAULT_STORE_TOP/machine/Test.key"
DEBIAN_FRONTEND=noninteractive dpkg --purge $PKG > "$W/purge.log" 2>&1 ||
	fail "dpkg --purge: $(tail -5 "$W/purge.log")"
INSTALLED=0
sed 's/^/      | /' "$W/purge.log"
grep -q "keeps $DEFAULT_STORE_TOP" "$W/purge.log" || fail "purge does not say that it keeps $DEFAULT_STORE_TOP"
[ -f "$DEFAULT_STORE_TOP/machine/Test.key" ] || fail "purge removed a key"
rm -rf "$DEFAULT_STORE_TOP"
FAKE_STORE=0
while read -r f; do
	[ ! -e "$f" ] && [ ! -L "$f" ] || fail "$f is still there after the purge"
done < "$W/files"
[ ! -e /etc/systemd/system/timers.target.wants/autoenroll.timer ] || fail "the timer is still enabled after the purge"
snapshot "$W/after"
for f in nsswitch.conf pam.d gpext; do
	cmp -s "$W/before/$f" "$W/after/$f" || fail "$f differs after the purge: $(diff "$W/before/$f" "$W/after/$f" | tr '\n' ' ')"
done
note "purged: $(wc -l < "$W/files") files gone, the store kept and named; nsswitch.conf, /etc/pam.d, gpext.conf as before"
pass
