# lib.sh: sourced by the integration scenarios tests/integration/t_*.sh.
#
# run.sh exports: SRCDIR BUILDDIR LAB NS ADLAB AUTOENROLL CA_ADMIN ICPR_BIND
# WORK (a scratch dir shared by the scenarios; each makes its own subdir).
# A scenario prints detail lines freely and ends with exactly one verdict:
# "PASS <name>" (pass) or "FAIL <name>: <reason>" (fail, exits 1).
# shellcheck shell=bash
set -uo pipefail

NAME=$(basename "$0" .sh)
NAME=${NAME#t_}

# cmd | qgrep [grep options] PATTERN: grep -q that reads all of its input.
# With pipefail, `cmd | grep -q` fails at random on a loaded machine: grep
# exits at the first match, cmd's next write gets SIGPIPE and the pipeline's
# status is 141. Use qgrep (or grep -q ... <<< "$text") after a pipe. grep -c
# counts to the end of its input (into a pipe: to /dev/null GNU grep stops at
# the first match), and sees exactly the input (no line added: -v stays right).
qgrep() {
	local n
	n=$(grep -c "$@")
}
# shellcheck source=/dev/null
. "$LAB/env.sh"
AE_TIMEOUT=${AE_TIMEOUT:-90}
MEMBER_FQDN=${MEMBER_FQDN:-member1.lab.example.com}

note() { printf '  %s: %s\n' "$NAME" "$*"; }
fail() {
	echo "FAIL $NAME: $*"
	exit 1
}
pass() {
	echo "PASS $NAME"
	exit 0
}

# A fresh, not yet existing output dir for autoenroll --out.
out_dir() {
	local d="$WORK/$NAME/$1"
	rm -rf "$d"
	mkdir -p "$(dirname "$d")"
	echo "$d"
}

need_autoenroll() {
	[ -x "$AUTOENROLL" ] || fail "autoenroll not built: $AUTOENROLL"
}

# ae ARGS...: run autoenroll as the member machine inside the netns
# (KRB5_CONFIG and -s member/smb.conf set). Sets AE_RC, AE_STDOUT,
# AE_STDERR and AE_ALL (both), and shows the command, its exit code and
# the last lines of its output as detail lines.
ae() {
	local o="$WORK/$NAME/ae.out" e="$WORK/$NAME/ae.err"
	mkdir -p "$WORK/$NAME"
	need_autoenroll
	timeout -k 5 "$AE_TIMEOUT" "$ADLAB" client "$AUTOENROLL" -s "$LAB/member/smb.conf" "$@" \
		> "$o" 2> "$e" < /dev/null
	AE_RC=$?
	AE_STDOUT=$(cat "$o")
	AE_STDERR=$(cat "$e")
	AE_ALL="$AE_STDOUT
$AE_STDERR"
	note "autoenroll $* -> exit $AE_RC"
	[ "$AE_RC" != 124 ] || note "(killed after ${AE_TIMEOUT}s)"
	tail -n "${AE_SHOW_LINES:-6}" "$o" "$e" 2> /dev/null | grep -v '^==> ' | grep -v '^$' |
		sed 's/^/      | /' || true
}

# expect_rc N: the last ae() exited N.
expect_rc() {
	[ "$AE_RC" = "$1" ] ||
		fail "expected exit $1, got $AE_RC: $(printf '%s' "$AE_ALL" | grep -v '^$' | tail -n 1 | cut -c1-300)"
}

# expect_output REGEX WHAT: the last ae() output (stdout+stderr) matches.
expect_output() {
	grep -qE -- "$1" <<< "$AE_ALL" || fail "output does not name $2 (/$1/)"
}

# expect_nothing_written DIR: DIR is absent or empty.
expect_nothing_written() {
	local left
	[ -e "$1" ] || return 0
	left=$(find "$1" -mindepth 1 | head -n 5 | tr '\n' ' ')
	[ -z "$left" ] || fail "files written in $1: $left"
}

# json_field NAME: a field of the --json object on the last ae()'s stdout.
json_field() {
	/usr/bin/python3 -c '
import json, sys
s = sys.stdin.read()
try:
    d = json.loads(s)
except ValueError:
    d = json.loads(s[s.index("{"):s.rindex("}") + 1])
v = d.get(sys.argv[1], "")
print("" if v is None else v)' "$1" <<< "$AE_STDOUT" 2> /dev/null
}

# cert_fact CERT [KEY] NAME: one fact from certcheck.py.
cert_fact() {
	local name=${*: -1}
	/usr/bin/python3 "$SRCDIR/tests/integration/certcheck.py" "${@:1:$#-1}" |
		sed -n "s/^$name: //p"
}

# expect_issued DIR TEMPLATE: DIR/TEMPLATE.{key,crt,chain.pem} exist, the
# key is mode 0600 and matches the certificate, and the certificate
# verifies against the lab CA.
expect_issued() {
	local d=$1 t=$2 f mode v
	for f in "$t.key" "$t.crt" "$t.chain.pem"; do
		[ -s "$d/$f" ] || fail "$d/$f missing or empty (have: $(ls "$d" 2> /dev/null | tr '\n' ' '))"
	done
	mode=$(stat -c %a "$d/$t.key")
	[ "$mode" = 600 ] || fail "$t.key has mode $mode, not 600"
	v=$(openssl verify -CAfile "$LAB/ca/ca.pem" "$d/$t.crt" 2>&1) ||
		fail "openssl verify: $v"
	note "openssl verify: $v"
	[ "$(cert_fact "$d/$t.crt" "$d/$t.key" key_match)" = yes ] ||
		fail "$t.key does not match $t.crt"
	note "$t.key (0600) matches $t.crt; subject: $(cert_fact "$d/$t.crt" subject)"
}

# expect_san_dns CERT NAME: NAME is among the DNS SANs.
expect_san_dns() {
	local sans
	sans=$(cert_fact "$1" san_dns)
	[[ ",$sans," == *",$2,"* ]] || fail "DNS SAN '$sans' lacks $2"
	note "DNS SAN: $sans"
}

# expect_template_oid CERT OID: the v2 template extension names OID.
expect_template_oid() {
	local oid
	oid=$(cert_fact "$1" template_oid)
	[ "$oid" = "$2" ] || fail "template extension (1.3.6.1.4.1.311.21.7) OID '$oid', want $2"
	note "template extension: $oid v$(cert_fact "$1" template_major).$(cert_fact "$1" template_minor)"
}

# ca_admin ARGS...: tests/ca/ca-admin against the lab CA.
ca_admin() {
	local out rc
	[ -n "$CA_ADMIN" ] && [ -x "$CA_ADMIN" ] || fail "ca-admin not found (looked for $CA_ADMIN)"
	out=$(ICPR_CA_DIR="$LAB/ca" ICPR_SAM_LDB="$LAB/dc/private/sam.ldb" \
		timeout 60 "$CA_ADMIN" "$@" 2>&1)
	rc=$?
	note "ca-admin $* -> exit $rc${out:+: $(printf '%s' "$out" | tail -n 2 | tr '\n' ' ')}"
	[ $rc = 0 ] || fail "ca-admin $* failed (exit $rc)"
}

# pending_request TEMPLATE DIR: request TEMPLATE, expect exit 3 (pending),
# a request id in --json, and the template's record DIR/TEMPLATE.state
# PENDING with that id next to its key DIR/TEMPLATE.key.new; prints
# nothing, sets REQ_ID.
pending_request() {
	ae request --template "$1" --out "$2" --json
	expect_rc 3
	REQ_ID=$(json_field request_id)
	[[ $REQ_ID =~ ^[0-9]+$ ]] && [ "$REQ_ID" -gt 0 ] ||
		fail "no request id in --json output: $(printf '%s' "$AE_STDOUT" | head -c 300)"
	[ "$(json_field disposition)" = pending ] ||
		fail "--json disposition '$(json_field disposition)', want pending"
	grep -qx 'status=pending' "$2/$1.state" 2> /dev/null &&
		grep -qx "request_id=$REQ_ID" "$2/$1.state" ||
		fail "$2/$1.state does not record request $REQ_ID as pending"
	[ -s "$2/$1.key.new" ] || fail "the request's key $2/$1.key.new is missing"
	note "pending: request id $REQ_ID, recorded in $2/$1.state (key $1.key.new)"
}

# live_pid PIDFILE COMM: the pid in PIDFILE if it is a live (not zombie)
# COMM process. This machine's init may not reap orphans: a stopped daemon
# can stay a zombie that kill -0 still finds.
live_pid() {
	local p
	p=$(cat "$1" 2> /dev/null) && [ -n "$p" ] &&
		[ "$(cat "/proc/$p/comm" 2> /dev/null)" = "$2" ] && alive "$p" && echo "$p"
}

# alive PID: exists and is not a zombie (builtins only: no fork, so a
# scenario may poll it tightly)
alive() {
	local st=""
	read -r st 2> /dev/null < "/proc/$1/stat" || return 1
	[[ $st != *") Z "* ]]
}

# stop_winbindd: the member winbindd and the samba-dcerpcd it spawned, with
# their children (TERM, then KILL after 5 s)
stop_winbindd() {
	local w d pids p left _
	w=$(live_pid "$LAB/member/winbindd.pid" winbindd) || w=""
	d=$(live_pid "$LAB/member/run/samba-dcerpcd.pid" samba-dcerpcd) || d=""
	pids="$w $d"
	for p in $w $d; do pids="$pids $(ps -o pid= --ppid "$p" 2> /dev/null | tr '\n' ' ')"; done
	[ -n "${pids// /}" ] || return 0
	# shellcheck disable=SC2086
	kill $pids 2> /dev/null
	for _ in $(seq 50); do
		left=""
		for p in $pids; do alive "$p" && left="$left $p"; done
		[ -n "$left" ] || break
		sleep 0.1
	done
	for p in $left; do kill -KILL "$p" 2> /dev/null || true; done
	note "stopped the member winbindd and its helpers:$pids"
}
