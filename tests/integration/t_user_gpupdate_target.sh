#!/bin/bash
# samba-gpupdate --target=User -U NAME runs the user cycle (gpo/
# gp_autoenroll_ext.py, Must show 6 of issue F). With a fake command that
# records its arguments and ids: apply runs '<command> -s <smb.conf> run
# --user DOMAIN\NAME' with real and effective uid and gid 0 (Samba 4.17's
# apply_gp calls User-target extensions with the effective ids dropped to
# another account); '--ccache FILE:<path>' is added only when the template
# 'autoenroll:user ccache' (%u = uid) names the user's own FILE ccache (checked
# as root); a failing command is
# logged with the user and its exit code; -X runs nothing; --rsop runs
# 'policy --user DOMAIN\NAME' once when the user's GPOs set AutoEnrollment
# values in User/Registry.pol, and nothing otherwise.
# The subject is alice when the lab has her (the user lab), else
# Administrator. With alice and an autoenroll that has 'run --user': the
# real command, with alice's ticket in a FILE ccache she owns; her cycle
# ran as alice: her store <state>/autoenroll/users/<SID> is hers, and a
# request the CA received since is alice's.
. "$(dirname "$0")/lib.sh"
W=$WORK/$NAME
rm -rf "$W"
mkdir -p "$W"
CONF=$LAB/member/smb.conf
EXT=$SRCDIR/gpo/gp_autoenroll_ext.py
CCDIR=""

# A member winbindd started here is left running for the scenarios after
# this one (the logon ones need it; the lab's teardown stops it): a stopped
# one stays a zombie on a machine whose init does not reap, and its pid
# file then names a "live" winbindd.
cleanup() {
	"$SRCDIR/gpo/unregister" -s "$CONF" > /dev/null 2>&1
	[ -z "$CCDIR" ] || rm -rf "$CCDIR"
	CCDIR=""
}
trap cleanup EXIT

# gpu [VAR=VALUE...] ARGS...: samba-gpupdate as the member host runs it
gpu() {
	local envs=()
	while [[ ${1:-} == *=* && ${1:-} != -* ]]; do
		envs+=("$1")
		shift
	done
	timeout -k 5 180 "$ADLAB" member env PATH=/usr/bin:/bin PYTHONDONTWRITEBYTECODE=1 "${envs[@]}" \
		/usr/sbin/samba-gpupdate -s "$CONF" "$@" > "$W/gp.out" 2>&1 < /dev/null
	GP_RC=$?
	GP_OUT=$(grep -v 'secrets\.ldb' "$W/gp.out")
	note "samba-gpupdate $* -> exit $GP_RC"
	printf '%s\n' "$GP_OUT" | grep -E '\| samba-autoenroll|Error|Traceback|Failed to' |
		cut -c1-240 | sed 's/^/      | /' || true
}
gp_ok() {
	[ "$GP_RC" = 0 ] || fail "samba-gpupdate $1 exited $GP_RC: $(printf '%s' "$GP_OUT" | tail -n 3 | tr '\n' ' ')"
	! grep -q 'Traceback' <<< "$GP_OUT" || fail "samba-gpupdate $1 printed a traceback"
	! grep -q 'Failed to apply extension' <<< "$GP_OUT" ||
		fail "an extension raised in samba-gpupdate $1: $(grep -A1 'Failed to apply extension' <<< "$GP_OUT" | tr '\n' ' ')"
}

"$SRCDIR/gpo/register" -s "$CONF" "$EXT" > "$W/reg.out" 2>&1 || fail "gpo/register: $(cat "$W/reg.out")"
grep -q '(machine, user)' "$W/reg.out" || fail "gpo/register did not register for the User target: $(cat "$W/reg.out")"
if ! live_pid "$LAB/member/winbindd.pid" winbindd > /dev/null; then
	"$ADLAB" winbindd > "$W/wb.out" 2>&1 || fail "adlab.sh winbindd: $(tail -n 3 "$W/wb.out")"
	note "member winbindd started (left running)"
fi

DOM=$(/usr/bin/python3 -B -c 'import sys
from samba.param import LoadParm
lp = LoadParm(); lp.load(sys.argv[1]); print(lp.get("workgroup"))' "$CONF") || fail "cannot read the workgroup"
SUBJ=Administrator
for _ in $(seq 60); do
	"$ADLAB" member getent passwd "$DOM\\Administrator" > /dev/null 2>&1 && break
	sleep 0.5
done
if "$ADLAB" member getent passwd "$DOM\\alice" > "$W/alice.pw" 2> /dev/null && [ -s "$W/alice.pw" ]; then
	SUBJ=alice
fi
# a winbindd just started answers after its first connection to the DC
for _ in $(seq 60); do
	"$ADLAB" member getent passwd "$DOM\\$SUBJ" > "$W/subj.pw" 2> "$W/subj.err" && break
	sleep 0.5
done
[ -s "$W/subj.pw" ] || fail "getent passwd $DOM\\$SUBJ failed in the member (winbindd: $("$ADLAB" member wbinfo -p 2>&1 | tail -n 1); $(tail -n 2 "$W/wb.out" 2> /dev/null | tr '\n' ' '))"
SUID=$(cut -d: -f3 "$W/subj.pw")
[[ $SUID =~ ^[0-9]+$ ]] && [ "$SUID" != 0 ] || fail "no uid for $DOM\\$SUBJ: $(cat "$W/subj.pw")"
note "subject: $DOM\\$SUBJ (uid $SUID)"

# -- the fake command: arguments, ids -----------------------------------------
CMD=$W/autoenroll-fake
cat > "$CMD" << EOF
#!/bin/bash
{
	echo "ARGS \$*"
	grep -E '^(Uid|Gid):' /proc/\$\$/status | tr '\t' ' '
} >> "$W/calls"
if [ -s "$W/fake.rc" ]; then
	echo "fake: cannot reach dc1" >&2
	exit \$(cat "$W/fake.rc")
fi
echo "fake autoenroll: \$*"
EOF
chmod 755 "$CMD"
OPT=("--option=autoenroll:command=$CMD" "--option=autoenroll:samba cert auto enroll=no")
nargs() { grep -c '^ARGS' "$W/calls" 2> /dev/null || true; }
last_args() { grep '^ARGS' "$W/calls" | tail -n 1 | cut -c6-; }

gpu "${OPT[@]}" --target=User -U "$SUBJ" --force
gp_ok "--target=User"
[ "$(nargs)" = 1 ] || fail "the User target ran the command $(nargs) times, want 1"
[ "$(last_args)" = "-s $CONF run --user $DOM\\$SUBJ" ] ||
	fail "the User target ran '$(last_args)', want '-s $CONF run --user $DOM\\$SUBJ'"
grep -q '^Uid: 0 0 0 0$' "$W/calls" && grep -q '^Gid: 0 0 0 0$' "$W/calls" ||
	fail "the command did not run as root: $(grep -E '^(Uid|Gid)' "$W/calls" | tr '\n' ' ')"
note "apply: $(last_args), as root (uid/gid 0 real and effective)"

# -- autoenroll:user ccache (%u = uid): passed when it is the user's own ------
# (in a root-only 0700 directory: checked as root, not as the account
# samba-gpupdate dropped to)
CCDIR=$(mktemp -d /tmp/ae-usercc.XXXXXX)
printf 'not a real ccache\n' > "$CCDIR/krb5cc_$SUID"
chown "$SUID" "$CCDIR/krb5cc_$SUID"
chmod 600 "$CCDIR/krb5cc_$SUID"
gpu "${OPT[@]}" "--option=autoenroll:user ccache=FILE:$CCDIR/krb5cc_%u" --target=User -U "$SUBJ"
gp_ok "(user ccache)"
[ "$(last_args)" = "-s $CONF run --user $DOM\\$SUBJ --ccache FILE:$CCDIR/krb5cc_$SUID" ] ||
	fail "with autoenroll:user ccache the command was '$(last_args)'"
chown 0 "$CCDIR/krb5cc_$SUID"
gpu "${OPT[@]}" "--option=autoenroll:user ccache=FILE:$CCDIR/krb5cc_%u" --target=User -U "$SUBJ"
gp_ok "(ccache not the user's)"
[ "$(last_args)" = "-s $CONF run --user $DOM\\$SUBJ" ] ||
	fail "a ccache the user does not own was passed on: '$(last_args)'"
grep -qF "no ccache of $DOM\\$SUBJ at FILE:$CCDIR/krb5cc_%u" <<< "$GP_OUT" ||
	fail "a missing user ccache is not logged"
rm -rf "$CCDIR"
CCDIR=""
note "autoenroll:user ccache: --ccache FILE:<path> only for the user's own ccache"

# -- a failing command is logged with the user; -X runs nothing --------------
echo 5 > "$W/fake.rc"
gpu "${OPT[@]}" --target=User -U "$SUBJ"
rm -f "$W/fake.rc"
gp_ok "(command exits 5)"
grep -qF "autoenroll run --user $DOM\\$SUBJ failed" <<< "$GP_OUT" && grep -q "'exit code': 5" <<< "$GP_OUT" ||
	fail "the failure is not logged with the user and exit code 5"
n=$(nargs)
gpu "${OPT[@]}" --target=User -U "$SUBJ" -X
[ "$GP_RC" = 0 ] || fail "samba-gpupdate --target=User -X exited $GP_RC"
[ "$(nargs)" = "$n" ] || fail "-X ran the command: $(last_args)"
note "exit 5 logged with the user; -X: not run"

# -- --rsop: policy --user, once, when the user's GPOs set AutoEnrollment -----
n=$(nargs)
gpu "${OPT[@]}" --target=User -U "$SUBJ" --rsop
gp_ok "--rsop"
if [ "$SUBJ" = alice ]; then
	[ "$(nargs)" = $((n + 1)) ] && [ "$(last_args)" = "-s $CONF policy --user $DOM\\alice" ] ||
		fail "--rsop for alice (user GPO with AEPolicy) ran the command $(($(nargs) - n)) times, last '$(last_args)'"
	grep -q '^  CSE: gp_autoenroll_ext' <<< "$GP_OUT" && grep -qF '[ AEPolicy ] = 7' <<< "$GP_OUT" ||
		fail "--rsop does not show the User/Registry.pol AutoEnrollment values"
	note "--rsop: policy --user $DOM\\alice, under the user GPO"
else
	[ "$(nargs)" = "$n" ] || fail "--rsop ran '$(last_args)' although no GPO of $SUBJ sets user AutoEnrollment"
	note "--rsop: $SUBJ has no user AutoEnrollment values, not run"
fi

# -- the real autoenroll: alice's cycle, as alice -----------------------------
if [ "$SUBJ" != alice ] || ! "$AUTOENROLL" run --help 2>&1 | qgrep -- '--user' ||
	[ ! -s "$LAB/member/nsswitch.conf" ]; then
	note "real run: not done here (needs the user lab's alice and nsswitch.conf, and 'autoenroll run --user')"
	cleanup
	pass
fi
[ -n "${USERPASS:-}" ] || fail "the lab's env has no USERPASS"
# alice's ticket where the lab's pam_winbind puts it
CC=$LAB/member/ccache/krb5cc_$SUID
REALM=$(sed -n 's/^[[:space:]]*realm[[:space:]]*=[[:space:]]*//Ip' "$CONF" | head -n 1 | tr '[:lower:]' '[:upper:]')
printf '%s\n' "$USERPASS" | "$ADLAB" client env KRB5CCNAME="FILE:$CC" kinit "alice@$REALM" \
	> "$W/kinit.out" 2>&1 || fail "kinit alice: $(cat "$W/kinit.out")"
chown "$SUID" "$CC"
chmod 600 "$CC"
# the sanitizer build refuses nss_wrapper's LD_PRELOAD: NSS through the
# lab's nsswitch.conf (files winbind) in a mount namespace of its own
REAL=$W/autoenroll-real
cat > "$REAL" << EOF
#!/bin/bash
echo "ARGS \$*" >> "$W/calls"
exec unshare -m sh -c 'mount --bind "$LAB/member/nsswitch.conf" /etc/nsswitch.conf && exec env -u LD_PRELOAD "\$0" "\$@"' "$AUTOENROLL" "\$@"
EOF
chmod 755 "$REAL"
calist() { ICPR_CA_DIR="$LAB/ca" timeout 60 "$CA_ADMIN" list --requester 2> /dev/null; }
before=$(calist)
gpu "--option=autoenroll:command=$REAL" "--option=autoenroll:samba cert auto enroll=no" \
	"--option=autoenroll:user ccache=FILE:$LAB/member/ccache/krb5cc_%u" --target=User -U alice
gp_ok "(real, alice)"
[ "$(last_args)" = "-s $CONF run --user $DOM\\alice --ccache FILE:$CC" ] ||
	fail "the real run was '$(last_args)'"
! grep -qF "autoenroll run --user $DOM\\alice failed" <<< "$GP_OUT" ||
	fail "alice's cycle failed: $(grep -F 'failed' <<< "$GP_OUT" | cut -c1-400)"
SID=$("$ADLAB" member wbinfo --name-to-sid "$DOM\\alice" 2> /dev/null | cut -d' ' -f1)
[[ $SID == S-1-5-21-* ]] || fail "no SID for $DOM\\alice"
UDIR=$LAB/member/state/autoenroll/users/$SID
[ -d "$UDIR" ] || fail "alice's store $UDIR does not exist"
[ "$(stat -c %u "$UDIR")" = "$SUID" ] || fail "alice's store is owned by uid $(stat -c %u "$UDIR"), not $SUID"
bad=$(find "$UDIR" ! -uid "$SUID" | head -n 3)
[ -z "$bad" ] || fail "files in alice's store not owned by alice: $bad"
after=$(calist)
new=$(comm -13 <(sort <<< "$before") <(sort <<< "$after") | grep -v '^$' || true)
note "new requests at the CA: $(tr '\n' ';' <<< "$new")"
[ -n "$new" ] || [ -n "$(find "$UDIR" -name '*.crt')" ] || fail "alice's cycle made no request and her store has no certificate"
# ca-admin list --requester: ID STATE TEMPLATE SID REQUESTER (the account the
# CA authenticated)
if [ -n "$new" ]; then
	others=$(ME="$DOM\\alice" awk '$NF != ENVIRON["ME"]' <<< "$new")
	[ -z "$others" ] || fail "requests since alice's cycle not made by $DOM\\alice: $others"
fi
note "alice's cycle ran as alice: store $UDIR owned by uid $SUID"
cleanup
pass
