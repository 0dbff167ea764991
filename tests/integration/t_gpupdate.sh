#!/bin/bash
# samba-gpupdate runs samba-autoenroll's client-side extension (gpo/):
# gpo/register puts it into the member's gpext.conf (twice: one entry);
# with a member winbindd and nss_wrapper (adlab.sh member), samba-gpupdate
# --target=Computer runs '<autoenroll:command> -s <its smb.conf> run' on
# every refresh (--force or not) and never for -X (the User target is
# t_user_gpupdate_target's); a failing command is
# logged with its exit code and stderr and the extensions after ours still
# run; --rsop prints our section with the 'policy' output; Samba's
# built-in certificate extension does not break the run (and is silenced by
# autoenroll:samba cert auto enroll = no, which also keeps 4.17's --rsop
# alive); gpo/unregister removes only our entry.
# With the real autoenroll ('run' in its --help) the command is autoenroll
# itself: the eligible templates (but those whose subject the enrollee
# supplies, msPKI-Certificate-Name-Flag 0x1: never autoenrolled, they need a
# manual request) end up issued in the machine store (or
# pending at the CA), and a second samba-gpupdate makes no new request.
# Otherwise a fake command records its arguments.
. "$(dirname "$0")/lib.sh"
W=$WORK/$NAME
rm -rf "$W"
mkdir -p "$W"
CONF=$LAB/member/smb.conf
EXT=$SRCDIR/gpo/gp_autoenroll_ext.py
GUID='{BDB61189-79C0-438C-94CE-FBFE7CA16FF5}'
OTHER_GUID='{0F7C1E2A-5B3D-4C6E-9A81-2D4F6B8C0E13}'
GPEXT=$(/usr/bin/python3 -B -c 'import sys
from samba.param import LoadParm
lp = LoadParm(); lp.load(sys.argv[1]); print(lp.state_path("gpext.conf"))' "$CONF") ||
	fail "cannot find the member's state directory"
STARTED_WB=""

pyreg() { # register|unregister GUID [CLASS PATH]
	/usr/bin/python3 -B - "$CONF" "$@" << 'PY'
import sys
from samba.gp.gpclass import register_gp_extension, unregister_gp_extension
conf, op, guid = sys.argv[1:4]
if op == 'register':
    ok = register_gp_extension(guid, sys.argv[4], sys.argv[5], smb_conf=conf,
                               machine=True, user=False)
else:
    ok = unregister_gp_extension(guid, smb_conf=conf)
sys.exit(0 if ok else 1)
PY
}

# a gpext.conf that this scenario created is removed again once empty
GPEXT_EXISTED=0
[ ! -e "$GPEXT" ] || GPEXT_EXISTED=1
CLEANED=""
cleanup() {
	[ -z "$CLEANED" ] || return 0
	CLEANED=1
	"$SRCDIR/gpo/unregister" -s "$CONF" > /dev/null 2>&1
	pyreg unregister "$OTHER_GUID" > /dev/null 2>&1
	if [ $GPEXT_EXISTED = 0 ] && ! grep -q . "$GPEXT" 2> /dev/null; then
		rm -f "$GPEXT"
	fi
	[ -z "$STARTED_WB" ] || stop_winbindd
}
trap cleanup EXIT

# gpu ARGS...: samba-gpupdate as the member host (PATH=/usr/bin:/bin so that
# Samba's extensions do not find /usr/sbin tools). Sets GP_RC, GP_OUT.
gpu() {
	timeout -k 5 120 "$ADLAB" member env PATH=/usr/bin:/bin PYTHONDONTWRITEBYTECODE=1 \
		/usr/sbin/samba-gpupdate -s "$CONF" "$@" > "$W/gp.out" 2>&1 < /dev/null
	GP_RC=$?
	GP_OUT=$(grep -v 'secrets\.ldb' "$W/gp.out")
	note "samba-gpupdate $* -> exit $GP_RC"
	printf '%s\n' "$GP_OUT" | grep -E '\| (samba-autoenroll|certmonger|Failed)|Error|Traceback' |
		cut -c1-240 | sed 's/^/      | /' || true
}
# Samba 4.17's own certificate extension raises (TypeError, os.path.exists(None))
# when getcert is installed without cepces-submit (README): a host with
# certmonger (t_certmonger_getcert, tests/deps.sh) shows that one known
# failure, which ends nothing; any other raising extension still fails.
known_builtin_failure() {
	command -v getcert > /dev/null && ! command -v cepces-submit > /dev/null &&
		[ ! -e /usr/lib/certmonger/cepces-submit ] && [ ! -e /usr/libexec/certmonger/cepces-submit ]
}
gp_ok() { # the run ended well and no extension raised
	local out=$GP_OUT
	[ "$GP_RC" = 0 ] || fail "samba-gpupdate $1 exited $GP_RC: $(printf '%s' "$GP_OUT" | tail -n 3 | tr '\n' ' ')"
	! grep -q 'Traceback' <<< "$GP_OUT" || fail "samba-gpupdate $1 printed a traceback"
	if known_builtin_failure; then
		out=$(grep -v -e 'Failed to apply extension  *Cryptography\\AutoEnrollment |' \
			-e 'Message was: TypeError: stat: path should be string' <<< "$GP_OUT")
	fi
	! grep -q 'Failed to apply extension' <<< "$out" ||
		fail "an extension raised in samba-gpupdate $1: $(grep -A1 'Failed to apply extension' <<< "$out" | tr '\n' ' ')"
}
sections() { grep -c "^\[$1\]" "$GPEXT" 2> /dev/null || true; }

[ -x "$SRCDIR/gpo/register" ] && [ -x "$SRCDIR/gpo/unregister" ] || fail "gpo/register or gpo/unregister missing"
"$SRCDIR/gpo/unregister" -s "$CONF" > /dev/null || fail "gpo/unregister failed on a clean member"
pyreg unregister "$OTHER_GUID" > /dev/null 2>&1

# -- the configured command: the real autoenroll once it has 'run' ---------
# A wrapper that records its arguments in $W/calls. With $W/fake.rc present
# it fails with that exit code and prints $W/fake.stderr; otherwise it execs
# the real autoenroll, or (no 'run' yet) prints a fake summary.
REAL=0
if [ -x "$AUTOENROLL" ] && "$AUTOENROLL" --help 2>&1 | qgrep ' run'; then
	REAL=1
	note "autoenroll has 'run': the extension runs $AUTOENROLL (through a recording wrapper)"
else
	note "autoenroll has no 'run' yet: the extension runs a fake command"
fi
CMD=$W/autoenroll-wrapper
cat > "$CMD" << EOF
#!/bin/bash
echo "\$*" >> "$W/calls"
if [ -s "$W/fake.rc" ]; then
	cat "$W/fake.stderr" >&2
	exit \$(cat "$W/fake.rc")
fi
if [ -s "$W/fake.sleep" ]; then
	echo "sleeping" >&2
	sleep "\$(cat "$W/fake.sleep")"
fi
# the sanitizer build refuses to start behind nss_wrapper's LD_PRELOAD
# (samba-gpupdate runs under it in the lab; a real host has no preload)
[ $REAL = 0 ] || exec env -u LD_PRELOAD "$AUTOENROLL" "\$@"
echo "fake autoenroll: \$*"
[ "\${*: -1}" != policy ] || echo "FAKE-POLICY-TEXT eligible: LabMachine"
exit 0
EOF
chmod 755 "$CMD"
calls() { cat "$W/calls" 2> /dev/null; }
ncalls() { calls | wc -l; }
OPT=("--option=autoenroll:command=$CMD")

# -- register (twice), then another extension after ours -------------------
"$SRCDIR/gpo/register" -s "$CONF" "$EXT" > "$W/reg.out" 2>&1 || fail "gpo/register: $(cat "$W/reg.out")"
"$SRCDIR/gpo/register" -s "$CONF" "$EXT" > "$W/reg.out" 2>&1 || fail "second gpo/register: $(cat "$W/reg.out")"
note "$(cat "$W/reg.out")"
[ "$(sections "$GUID")" = 1 ] || fail "$GUID appears $(sections "$GUID") times in $GPEXT"
grep -qi "^dllname = $EXT$" "$GPEXT" || fail "$GPEXT does not name $EXT"
cat > "$W/other_ext.py" << EOF
from samba.gp.gpclass import gp_pol_ext
class other_ext(gp_pol_ext):
    def __str__(self):
        return 'other test extension'
    def process_group_policy(self, deleted_gpo_list, changed_gpo_list):
        open('$W/other.ran', 'a').write('ran\n')
    def rsop(self, gpo):
        return {}
EOF
pyreg register "$OTHER_GUID" other_ext "$W/other_ext.py" || fail "cannot register the other test extension"
note "gpext.conf: $(grep '^\[' "$GPEXT" | tr '\n' ' ')"

# -- member winbindd (machine SID -> uid through nss_wrapper) --------------
if live_pid "$LAB/member/winbindd.pid" winbindd > /dev/null; then
	note "member winbindd already running"
else
	"$ADLAB" winbindd > "$W/wb.out" 2>&1 ||
		fail "adlab.sh winbindd: $(tail -n 3 "$W/wb.out" "$LAB/member/winbindd.stdout" 2> /dev/null)"
	STARTED_WB=1
	note "member winbindd started (pid $(cat "$LAB/member/winbindd.pid"))"
fi

if [ $REAL = 1 ]; then
	STORE=$LAB/member/state/autoenroll/machine
	AE_SHOW_LINES=0 ae policy --json
	expect_rc 0
	ELIG=$(/usr/bin/python3 -c 'import json, sys
d = json.loads(sys.stdin.read())
print(" ".join(t["name"] for t in d["templates"] if t["eligible"] and not t["name_flag"] & 1))' \
		<<< "$AE_STDOUT") ||
		fail "cannot read the eligible templates from autoenroll policy --json"
	[ -n "$ELIG" ] || fail "no eligible template in the lab"
	note "eligible templates: $ELIG"
	calist() { ICPR_CA_DIR="$LAB/ca" timeout 60 "$CA_ADMIN" list 2> /dev/null; }
	before=$(calist)
fi

# -- apply: '<command> -s <conf> run'; the built-in does not crash ---------
gpu "${OPT[@]}" --target=Computer --force
gp_ok --force
[ "$(calls)" = "-s $CONF run" ] || fail "the command was called as '$(calls | tr '\n' ';')', want '-s $CONF run'"
note "the extension ran: $(basename "$CMD") $(calls)"
[ -s "$W/other.ran" ] || fail "the extension registered after ours did not run"
if grep -q 'certmonger and cepces must be installed' <<< "$GP_OUT"; then
	note "Samba's gp_cert_auto_enroll_ext ran and stopped (no certmonger/cepces)"
else
	note "Samba's gp_cert_auto_enroll_ext did not log its certmonger warning"
fi
if [ $REAL = 1 ]; then
	! grep -q 'samba-autoenroll: autoenroll run failed' <<< "$GP_OUT" ||
		fail "autoenroll run failed: $(grep 'autoenroll run failed' <<< "$GP_OUT" | cut -c1-300)"
	after1=$(calist)
	new=$(comm -13 <(sort <<< "$before") <(sort <<< "$after1") | grep -v '^$' || true)
	note "new requests at the CA: $(printf '%s' "$new" | tr '\n' ';')"
	issued=0
	for t in $ELIG; do
		if [ -e "$STORE/$t.crt" ]; then
			expect_issued "$STORE" "$t"
			issued=$((issued + 1))
		elif awk -v t="$t" '$3 == t && $2 == "pending"' <<< "$after1" | qgrep .; then
			note "$t: pending at the CA"
		else
			fail "eligible template $t neither issued in $STORE nor pending at the CA"
		fi
	done
	[ $issued -gt 0 ] || fail "no eligible template was issued"
fi

# -- every refresh, changed GPO or not --------------------------------------
gpu "${OPT[@]}" --target=Computer
gp_ok "(no --force)"
[ "$(ncalls)" = 2 ] || fail "a refresh without GPO changes did not run the command (calls: $(ncalls))"
note "refresh without --force: run again (Windows runs autoenrollment at every refresh)"
if [ $REAL = 1 ]; then
	after2=$(calist)
	[ "$after2" = "$after1" ] ||
		fail "the second refresh made new requests: $(comm -13 <(sort <<< "$after1") <(sort <<< "$after2") | tr '\n' ';')"
	note "second refresh: no new request at the CA ($(grep -c . <<< "$after2") requests in all)"
fi

# -- a failing command: logged, not raised; later extensions still run ------
rm -f "$W/other.ran"
echo 5 > "$W/fake.rc"
echo "fake: cannot reach dc1.lab.example.com" > "$W/fake.stderr"
gpu "${OPT[@]}" --target=Computer
rm -f "$W/fake.rc" "$W/fake.stderr"
gp_ok "(command exits 5)"
grep -q "autoenroll run failed.*'exit code': 5.*cannot reach dc1" <<< "$GP_OUT" ||
	fail "the failure is not logged with exit code 5 and stderr"
[ -s "$W/other.ran" ] || fail "the extension after ours did not run after our failure"
note "exit 5 logged with its stderr; the next extension still ran"
gpu --option="autoenroll:command=$W/no-such-command" --target=Computer
gp_ok "(missing command)"
grep -q "autoenroll run failed.*cannot run $W/no-such-command" <<< "$GP_OUT" ||
	fail "a missing command is not logged"
# a hanging command (its child holding the pipes) is killed at the timeout
echo 60 > "$W/fake.sleep"
t0=$(date +%s)
gpu "${OPT[@]}" "--option=autoenroll:command timeout=2" --target=Computer
rm -f "$W/fake.sleep"
gp_ok "(command hangs)"
el=$(($(date +%s) - t0))
grep -q "autoenroll run failed.*killed after 2 s (autoenroll:command timeout); stderr: sleeping" <<< "$GP_OUT" ||
	fail "a hanging command is not logged as killed"
[ $el -lt 30 ] || fail "samba-gpupdate waited ${el}s for a command killed after 2 s"
note "a hanging command: killed after 2 s, samba-gpupdate done in ${el}s"

# -- Samba's extension switched off ------------------------------------------
n=$(ncalls)
gpu "${OPT[@]}" "--option=autoenroll:samba cert auto enroll=no" --target=Computer --force
gp_ok "(built-in off)"
! grep -q 'certmonger and cepces must be installed' <<< "$GP_OUT" ||
	fail "autoenroll:samba cert auto enroll = no did not silence Samba's extension"
[ "$(ncalls)" = $((n + 1)) ] || fail "our extension did not run with the built-in off"
note "autoenroll:samba cert auto enroll = no: Samba's extension silent, ours ran"

# -- unapply: not run (the User target: t_user_gpupdate_target) -------------
n=$(ncalls)
gpu "${OPT[@]}" --target=Computer -X
[ "$GP_RC" = 0 ] || fail "samba-gpupdate -X exited $GP_RC"
[ "$(ncalls)" = "$n" ] || fail "-X ran the command: $(calls | tail -n 1)"
note "-X: the command was not run"

# -- --rsop ------------------------------------------------------------------
# Samba 4.17's own extension raises in rsop() when cepces-submit is missing
# (os.path.exists(None)), which ends samba-gpupdate --rsop before ours.
gpu "${OPT[@]}" --target=Computer --rsop
if [ "$GP_RC" != 0 ] && grep -q 'path should be string' <<< "$GP_OUT"; then
	note "--rsop with Samba's extension on: its 4.17 TypeError ends the run (exit $GP_RC)"
fi
n=$(ncalls)
gpu "${OPT[@]}" "--option=autoenroll:samba cert auto enroll=no" --target=Computer --rsop
gp_ok --rsop
grep -q '^  CSE: gp_autoenroll_ext' <<< "$GP_OUT" || fail "--rsop has no gp_autoenroll_ext section"
grep -q 'Policy Type: AutoEnrollment values in this GPO' <<< "$GP_OUT" ||
	fail "--rsop does not list the GPO's AutoEnrollment values"
grep -qF '[ AEPolicy ] = 7 (0x7: enroll|manage|pending)' <<< "$GP_OUT" || fail "--rsop does not show AEPolicy 7"
grep -q 'Policy Type: autoenroll policy' <<< "$GP_OUT" || fail "--rsop does not show autoenroll policy"
[ "$(calls | tail -n 1)" = "-s $CONF policy" ] && [ "$(ncalls)" = $((n + 1)) ] ||
	fail "--rsop called the command as '$(calls | tail -n 1)' ($(($(ncalls) - n)) times), want '-s $CONF policy' once"
if [ $REAL = 1 ]; then
	grep -qE '^ +LabMachine +v2 .*eligible' <<< "$GP_OUT" || fail "--rsop does not show autoenroll policy's templates"
else
	grep -q '^      FAKE-POLICY-TEXT eligible: LabMachine' <<< "$GP_OUT" || fail "--rsop does not show the policy output"
fi
# our section under the first GPO, as printed
printf '%s\n' "$GP_OUT" | awk '/^  CSE: gp_autoenroll_ext/ { on = 1 } /^====/ && on { exit } on' |
	head -n 20 | sed 's/^/      | /'

# -- unregister: ours only ----------------------------------------------------
"$SRCDIR/gpo/unregister" -s "$CONF" > "$W/unreg.out" 2>&1 || fail "gpo/unregister: $(cat "$W/unreg.out")"
note "$(cat "$W/unreg.out")"
[ "$(sections "$GUID")" = 0 ] || fail "$GUID still in $GPEXT"
[ "$(sections "$OTHER_GUID")" = 1 ] || fail "gpo/unregister removed the other extension's entry"
"$SRCDIR/gpo/unregister" -s "$CONF" > "$W/unreg.out" 2>&1 || fail "a second gpo/unregister failed"
n=$(ncalls)
gpu "${OPT[@]}" --target=Computer --force
gp_ok "(unregistered)"
[ "$(ncalls)" = "$n" ] || fail "the command still runs after gpo/unregister"
note "unregistered: samba-gpupdate no longer runs it; the other entry is kept"
cleanup
pass
