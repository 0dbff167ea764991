# user/lib.sh: sourced by the user-certificate scenarios (t_user_*.sh)
# after ../lib.sh (and ../policy/lib.sh for on_exit). The lab side is
# tests/lab/lab-users.sh: alice/bob (OU=Staff, user GPO), carol
# (OU=Contractors), password $USERPASS, `adlab.sh logon` = real PAM and NSS
# through the member winbindd.
#
# The client contract these scenarios test (issue F): pam_autoenroll.so
# (session; options debug, wait=SECONDS, command=PATH) runs
# `<command> run --user NAME --ccache <KRB5CCNAME>` as root, detached;
# `autoenroll run|policy|status --user NAME [--ccache CC]` drops to NAME;
# the user store is <state dir>/autoenroll/users/<SID>/ (0700, the user's),
# keys 0600; `autoenroll:user nssdb = yes` adds the NSS database copy.
#
#   need_user_client [pam] fail at once (naming what is missing) unless
#                          autoenroll takes `run --user` (and, with pam,
#                          pam_autoenroll.so is built)
#   user_uid NAME | user_sid NAME | user_store NAME | user_ccache NAME
#   ae_wrapper [CONF]      write $LAB/member/autoenroll-lab: the command=
#                          for pam_autoenroll.so: logs "start uid=N <args>"
#                          and "end rc=N <args>" to $CALLS (this scenario's
#                          $WORK/<scenario>/autoenroll-calls.log: counts
#                          start at 0 in each scenario), runs autoenroll -s
#                          CONF (default: the member's smb.conf) with the
#                          lab's krb5.conf, its output into
#                          $WORK/<scenario>/ae-<user>.log
#   pam_session [--timed] [OPTS...] | pam_session none
#                          the logon's session lines: pam_autoenroll.so
#                          debug command=<wrapper> OPTS ("none": clear them);
#                          --timed: between two pam_exec lines that write
#                          $WORK/<scenario>/stamp.{before,after} (ns)
#   session_ms             after a --timed logon: the module's open_session, ms
#   logon USER [--session-only] [OP...]
#                          echo $USERPASS | pamtester -v autoenroll-test USER
#                          OP... (default: authenticate open_session) in the
#                          logon environment; --session-only: service
#                          autoenroll-test-session (KRB5CCNAME from
#                          $LAB/member/logon.env, no authentication); sets
#                          LOGON_RC, LOGON_OUT, LOGON_MS (pamtester, ms)
#   wait_until SECS WHAT CMD...
#                          poll CMD every 0.1 s until it succeeds, at most
#                          SECS; fail naming WHAT when it does not
#   wait_run_end USER [N]  wait (30 s) until the wrapper logged N (1) ends
#                          of `run --user USER` in this scenario
#   run_ends USER          how many runs for USER ended so far
#   ca_requests TEMPLATE ACCOUNT
#                          the CA's request ids of TEMPLATE whose requester
#                          is LAB\ACCOUNT (ca-admin list), one a line
#   user_certs NAME        the DER certificates in NAME's userCertificate,
#                          as PEM files $WORK/<scenario>/ucert.N.pem (echoed)
#   user_reset NAME        remove NAME's user store and user cache (root), as
#                          if NAME had never logged on here
#   user_ae [USER] [VAR=V...] ARGS...
#                          autoenroll -s $UCONF ARGS as root in the logon
#                          environment (e.g. run --user alice --ccache CC
#                          --json); AE_RC, AE_STDOUT, AE_STDERR, AE_ALL
# shellcheck shell=bash

PAM_SO=${PAM_SO:-$BUILDDIR/source/pam/pam_autoenroll.so}
CALLS=$WORK/$NAME/autoenroll-calls.log	# this scenario's runs only
WRAPPER_WRITTEN=""
WRAPPER=$LAB/member/autoenroll-lab
UCONF=${UCONF:-$LAB/member/smb.conf}
SESSION_FILE=$LAB/member/pam.d/autoenroll-session
mkdir -p "$WORK/$NAME"

need_user_client() {
	[ "${1:-}" != pam ] || [ -f "$PAM_SO" ] ||
		fail "pam_autoenroll.so not built: $PAM_SO (issue F's PAM module)"
	need_autoenroll
	"$AUTOENROLL" run --help 2>&1 | qgrep -- '--user' ||
		fail "autoenroll run has no --user option (issue F's user cycle is not built)"
}

user_uid() {
	"$ADLAB" logon id -u "$1" 2> /dev/null || fail "getpwnam($1) fails in the logon environment"
}
user_sid() { "$ADLAB" admin sid "$1" 2> /dev/null || fail "no objectSid for $1"; }
user_store() { echo "$LAB/member/state/autoenroll/users/$(user_sid "$1")"; }
user_ccache() { echo "FILE:$LAB/member/ccache/krb5cc_$(user_uid "$1")"; }

ae_wrapper() {
	local conf=${1:-$UCONF}
	cat > "$WRAPPER.tmp" << EOF
#!/bin/bash
# pam_autoenroll.so command= in the lab (written by tests/integration/user/lib.sh)
u=unknown
a=("\$@")
for ((i = 0; i < \${#a[@]}; i++)); do
	[ "\${a[i]}" != --user ] || u=\${a[i + 1]:-unknown}
done
u=\${u//[^A-Za-z0-9._-]/_}
echo "start uid=\$(id -u) \$*" >> "$CALLS"
KRB5_CONFIG=$LAB/krb5.conf "$AUTOENROLL" -s "$conf" "\$@" >> "$WORK/$NAME/ae-\$u.log" 2>&1
rc=\$?
echo "end rc=\$rc \$*" >> "$CALLS"
exit \$rc
EOF
	chmod 755 "$WRAPPER.tmp"
	mv -f "$WRAPPER.tmp" "$WRAPPER"
	WRAPPER_WRITTEN=1
}

pam_session() {
	local stamp=$WORK/$NAME/stamp.sh
	if [ "${1:-}" != none ] && [ ! -f "$PAM_SO" ]; then
		fail "pam_autoenroll.so not built: $PAM_SO (issue F's PAM module)"
	fi
	if [ "${1:-}" = none ]; then
		: > "$SESSION_FILE.tmp"
	elif [ "${1:-}" = --timed ]; then
		shift
		[ -n "$WRAPPER_WRITTEN" ] || ae_wrapper
		printf '#!/bin/sh\ndate +%%s%%N > "%s/stamp.$1"\n' "$WORK/$NAME" > "$stamp"
		chmod 755 "$stamp"
		{
			echo "session optional pam_exec.so quiet $stamp before"
			echo "session optional $PAM_SO debug command=$WRAPPER $*"
			echo "session optional pam_exec.so quiet $stamp after"
		} > "$SESSION_FILE.tmp"
	else
		[ -n "$WRAPPER_WRITTEN" ] || ae_wrapper
		echo "session optional $PAM_SO debug command=$WRAPPER $*" > "$SESSION_FILE.tmp"
	fi
	mv -f "$SESSION_FILE.tmp" "$SESSION_FILE"
	note "PAM session: $(cat "$SESSION_FILE")"
}

# A sanitizer-built pam_autoenroll.so loads into pamtester only with the
# sanitizer runtime preloaded (leak reports of pamtester itself off).
pam_preload() {
	local l lib
	for l in asan ubsan; do
		readelf -d "$PAM_SO" 2> /dev/null | qgrep "NEEDED.*lib$l" || continue
		lib=$(gcc -print-file-name="lib$l.so")
		[ -f "$lib" ] && printf '%s:' "$lib"
	done
}

logon() {
	local u=$1 t0 out="$WORK/$NAME/logon.out" svc=$PAM_SERVICE pre
	shift
	if [ "${1:-}" = --session-only ]; then
		svc=$PAM_SERVICE-session
		shift
	fi
	[ $# -gt 0 ] || set -- authenticate open_session
	pre=$(pam_preload)
	t0=$(date +%s%N)
	echo "$USERPASS" | timeout -k 5 60 "$ADLAB" logon env ${pre:+LD_PRELOAD="${pre%:}"} \
		${pre:+ASAN_OPTIONS=detect_leaks=0} pamtester -v "$svc" "$u" "$@" > "$out" 2>&1
	LOGON_RC=$?
	LOGON_MS=$((($(date +%s%N) - t0) / 1000000))
	LOGON_OUT=$(cat "$out")
	note "logon $u ($*) -> exit $LOGON_RC in $LOGON_MS ms"
	[ "$LOGON_RC" != 124 ] || fail "pamtester for $u hung (killed after 60 s)"
}

session_ms() {
	local b a
	b=$(cat "$WORK/$NAME/stamp.before" 2> /dev/null) && a=$(cat "$WORK/$NAME/stamp.after" 2> /dev/null) ||
		fail "the session's pam_exec stamps are missing (did open_session run?)"
	echo $(((a - b) / 1000000))
}

wait_until() {
	local secs=$1 what=$2 i
	shift 2
	for ((i = 0; i < secs * 10; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	"$@" || fail "$what: not within $secs s"
}

run_ends() {
	local n
	n=$(grep -c -- "^end rc=[0-9]* run .*--user $1\( \|$\)" "$CALLS" 2> /dev/null)
	echo "${n:-0}"
}
run_starts() {
	local n
	n=$(grep -c -- "^start uid=[0-9]* run .*--user $1\( \|$\)" "$CALLS" 2> /dev/null)
	echo "${n:-0}"
}
wait_run_end() {
	local want=${2:-1}
	# shellcheck disable=SC2317
	ended() { [ "$(run_ends "$1")" -ge "$2" ]; }
	wait_until 30 "$want run(s) of autoenroll --user $1 started by pam_autoenroll.so" ended "$1" "$want"
}

ca_requests() {
	ICPR_CA_DIR="$LAB/ca" timeout 60 "$CA_ADMIN" list --requester 2> /dev/null |
		awk -v t="$1" -v a="LAB\\\\$2" '$3 == t && $5 == a { print $1 }'
}

user_certs() {
	local i=0 b
	rm -f "$WORK/$NAME"/ucert.*.pem
	while IFS= read -r b; do
		[ -n "$b" ] || continue
		i=$((i + 1))
		base64 -d <<< "$b" | openssl x509 -inform DER -out "$WORK/$NAME/ucert.$i.pem" 2> /dev/null &&
			echo "$WORK/$NAME/ucert.$i.pem"
	done < <("$ADLAB" admin ldbsearch -b "$BASEDN" "(sAMAccountName=$1)" userCertificate 2> /dev/null |
		unwrap_ldif | sed -n 's/^userCertificate:: //p')
}
unwrap_ldif() { awk 'NR > 1 && /^ / { buf = buf substr($0, 2); next } NR > 1 { print buf } { buf = $0 } END { if (NR) print buf }'; }

user_reset() {
	local sid
	sid=$(user_sid "$1")
	rm -rf "$LAB/member/state/autoenroll/users/$sid" "$LAB/member/cache/autoenroll/users/$sid"
}

user_ae() {
	local envs=() o="$WORK/$NAME/uae.out" e="$WORK/$NAME/uae.err"
	# an optional leading lab user name (for the reader: whose cycle it is)
	if [[ " ${LAB_USERS:-alice bob carol} " == *" ${1:-} "* ]]; then
		shift
	fi
	while [[ ${1:-} =~ ^[A-Za-z_][A-Za-z0-9_]*= ]]; do
		envs+=("$1")
		shift
	done
	need_autoenroll
	timeout -k 5 "$AE_TIMEOUT" "$ADLAB" logon env "${envs[@]}" "$AUTOENROLL" -s "$UCONF" "$@" \
		> "$o" 2> "$e" < /dev/null
	AE_RC=$?
	AE_STDOUT=$(cat "$o")
	AE_STDERR=$(cat "$e")
	AE_ALL="$AE_STDOUT
$AE_STDERR"
	note "${envs[*]:+${envs[*]} }autoenroll $* -> exit $AE_RC"
	grep -v '^$' "$e" 2> /dev/null | tail -n 3 | sed 's/^/      | /' || true
	[ "$AE_RC" != 124 ] || fail "autoenroll $* killed after ${AE_TIMEOUT}s"
}
