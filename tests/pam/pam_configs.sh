#!/bin/bash
# pam_configs.sh SRCDIR: pam/pam-configs/autoenroll as pam-auth-update
# (Debian's libpam-runtime) uses it, in a private mount namespace over
# copies of /etc/pam.d, /usr/share/pam-configs and /var/lib/pam (the host's
# files are never written): enabled together with winbind (and systemd when
# the host has its profile), common-session gets
# "session optional pam_autoenroll.so" after pam_winbind.so and before
# pam_systemd.so; common-session-noninteractive (cron, sudo) does not; only
# the session stacks change. Root only (unshare -m). Exit 0 = pass.
set -euo pipefail
SRC=${1:?usage: pam_configs.sh SRCDIR}
fail() {
	echo "FAIL pam_configs: $*"
	exit 1
}
[ "$(id -u)" = 0 ] || fail "needs root (a private mount namespace)"
command -v pam-auth-update > /dev/null || fail "pam-auth-update (libpam-runtime) is missing"
T=$(mktemp -d /tmp/pam_configs.XXXXXX)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/pamd" "$T/cfg" "$T/varlib"
cp -a /etc/pam.d/. "$T/pamd/"
cp -a /usr/share/pam-configs/. "$T/cfg/"
cp -a /var/lib/pam/. "$T/varlib/" 2> /dev/null || true
cp "$SRC/pam/pam-configs/autoenroll" "$T/cfg/autoenroll"
# a winbind profile as libpam-winbind ships it, when the host has none
[ -e "$T/cfg/winbind" ] || printf '%s\n' 'Name: Winbind' 'Default: yes' 'Priority: 192' \
	'Session-Type: Additional' 'Session:' '	optional	pam_winbind.so' > "$T/cfg/winbind"
cp -a "$T/pamd" "$T/before"
profiles="autoenroll winbind"
[ ! -e "$T/cfg/systemd" ] || profiles="$profiles systemd"
# shellcheck disable=SC2086
unshare -m sh -c 'mount --bind "$1/pamd" /etc/pam.d && mount --bind "$1/cfg" /usr/share/pam-configs &&
	mount --bind "$1/varlib" /var/lib/pam && shift && DEBIAN_FRONTEND=noninteractive pam-auth-update --package --enable "$@"' \
	sh "$T" $profiles > "$T/out" 2>&1 || fail "pam-auth-update: $(tail -n 3 "$T/out")"
cs=$T/pamd/common-session
n_ae=$(grep -n '^session[[:space:]]\+optional[[:space:]]\+pam_autoenroll\.so[[:space:]]*$' "$cs" | cut -d: -f1)
n_wb=$(grep -n '^session.*pam_winbind\.so' "$cs" | cut -d: -f1 | head -n 1)
[ -n "$n_ae" ] || fail "common-session has no 'session optional pam_autoenroll.so': $(grep '^session' "$cs" | tr '\n' ';')"
[ -n "$n_wb" ] && [ "$n_ae" -gt "$n_wb" ] || fail "pam_autoenroll.so (line $n_ae) does not come after pam_winbind.so (line ${n_wb:-none})"
if [ -e "$T/cfg/systemd" ]; then
	n_sd=$(grep -n '^session.*pam_systemd\.so' "$cs" | cut -d: -f1 | head -n 1)
	[ -n "$n_sd" ] && [ "$n_ae" -lt "$n_sd" ] || fail "pam_autoenroll.so (line $n_ae) does not come before pam_systemd.so (line ${n_sd:-none})"
fi
! grep -q pam_autoenroll "$T/pamd/common-session-noninteractive" ||
	fail "pam_autoenroll.so is in common-session-noninteractive"
for f in common-auth common-account common-password; do
	! grep -q pam_autoenroll "$T/pamd/$f" || fail "pam_autoenroll.so is in $f"
done
echo "PASS pam_configs: common-session line $n_ae (pam_winbind.so line $n_wb), not in the noninteractive stack"
