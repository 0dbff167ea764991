#!/bin/bash
# certmonger with our external CA helper (source/certmonger): a certmonger
# daemon of the scenario's own (-L: a private socket only, no D-Bus; its
# state, CA list and requests under the scratch dir, never the machine's)
# runs in the member's environment (the lab's netns).
# - `getcert add-ca -c AE -e '<helper> -s member/smb.conf'`: certmonger asks
#   the helper IDENTIFY, FETCH-ROOTS, GET-SUPPORTED-TEMPLATES and the
#   requirements: the CA entry gets the lab root, LabMachine among the
#   profiles, not LabNoEnroll (computers lack Enroll), template-profile
#   required.
# - `getcert request -c AE -T LabMachine`: certmonger makes the key, the
#   helper sends its request over MS-ICPR with the machine's credentials:
#   the lab CA's certificate for that key lands, certmonger tracks it
#   (MONITORING); the CA recorded the member as the requester.
# - `getcert request -c AE -T LabNoEnroll`: CA_REJECTED, the ca-error names
#   CERTSRV_E_TEMPLATE_DENIED and the template; no certificate written.
# - POLL, called directly with the environment certmonger sets: LabPending
#   -> exit 1 with a cookie; still pending -> exit 1; after `ca-admin
#   issue` -> exit 0 with the certificate for the request's key; the
#   cookie with another key's request, or a forged cookie -> exit 2.
# - The DC (and CA) stopped: SUBMIT -> exit 3 (certmonger retries later),
#   naming the DC; the DC is started again whatever happens.
. "$(dirname "$0")/lib.sh"

HELPER=$BUILDDIR/source/certmonger/certmonger-submit
[ -x "$HELPER" ] || fail "helper not built: $HELPER"
command -v certmonger > /dev/null && command -v getcert > /dev/null ||
	fail "certmonger is not installed (tests/deps.sh installs it)"

D=$WORK/$NAME
rm -rf "$D"
mkdir -p "$D"/{config,requests,cas,local,tmp,home,out}
chmod 700 "$D"
export CERTMONGER_PVT_ADDRESS=unix:path=$D/sock
CM_PID=""
DC_STOPPED=""

stop_certmonger() {
	local _
	[ -n "$CM_PID" ] || return 0
	kill "$CM_PID" 2> /dev/null
	for _ in $(seq 100); do alive "$CM_PID" || break; sleep 0.1; done
	alive "$CM_PID" && kill -KILL "$CM_PID" 2> /dev/null
	CM_PID=""
}
cleanup() {
	stop_certmonger
	[ -z "$DC_STOPPED" ] || "$ADLAB" start > /dev/null 2>&1
}
trap cleanup EXIT

# the daemon, inside the lab's netns (the helper it runs talks to the DC)
CERTMONGER_CONFIG_DIR=$D/config CERTMONGER_REQUESTS_DIR=$D/requests \
	CERTMONGER_CAS_DIR=$D/cas CERTMONGER_LOCAL_CA_DIR=$D/local CERTMONGER_TMPDIR=$D/tmp \
	CERTMONGER_SYSTEM_LOCK_FILE=$D/lock HOME=$D/home \
	"$ADLAB" client certmonger -L -P "$D/sock" -n -d 2 -p "$D/pid" \
	> "$D/certmonger.log" 2>&1 < /dev/null &
CM_PID=$!
for _ in $(seq 300); do
	[ -S "$D/sock" ] && [ -s "$D/pid" ] && break
	alive "$CM_PID" || fail "certmonger exited: $(tail -n 3 "$D/certmonger.log" | tr '\n' ' ')"
	sleep 0.1
done
[ -S "$D/sock" ] || fail "certmonger's socket $D/sock did not appear"
[ "$(cat "$D/pid")" = "$CM_PID" ] || fail "certmonger pid $(cat "$D/pid"), started $CM_PID"
note "certmonger $(certmonger -v 2>&1 | head -n 1) pid $CM_PID, private socket $D/sock"

getcert add-ca -c AE -e "$HELPER -s $LAB/member/smb.conf" > "$D/add-ca.out" 2>&1 ||
	fail "getcert add-ca: $(cat "$D/add-ca.out")"

# ca_file: the CA entry certmonger keeps for AE
ca_file() { grep -l '^id=AE$' "$D"/cas/* 2> /dev/null | head -n 1; }
f=""
for _ in $(seq 600); do
	f=$(ca_file)
	[ -n "$f" ] && grep -q '^ca_profiles=' "$f" && grep -q '^ca_root_certs=' "$f" &&
		grep -q '^ca_required_enroll_attributes=' "$f" && break
	sleep 0.1
done
[ -n "$f" ] || fail "certmonger has no CA entry AE"
grep -q '^ca_profiles=' "$f" || fail "no GET-SUPPORTED-TEMPLATES answer in $f: $(cat "$f")"
profiles=$(sed -n 's/^ca_profiles=//p' "$f")
note "AE's profiles (GET-SUPPORTED-TEMPLATES): $profiles"
[[ ",$profiles," == *,LabMachine,* ]] || fail "LabMachine is not among the profiles"
[[ ",$profiles," != *,LabNoEnroll,* ]] || fail "LabNoEnroll (no Enroll) is among the profiles"
grep -q '^ca_required_enroll_attributes=template-profile$' "$f" ||
	fail "requirements: $(grep required "$f")"
grep -q 'CN = LAB-CA' "$f" || fail "FETCH-ROOTS: no LAB-CA root in $f"
sed -n '/^ca_root_certs=/,/END CERTIFICATE/p' "$f" | sed 's/^ //;1s/^ca_root_certs=.*//' |
	sed '/^$/d' > "$D/root.pem"
cmp -s <(openssl x509 -in "$D/root.pem" -outform DER) \
	<(openssl x509 -in "$LAB/ca/ca.pem" -outform DER) ||
	fail "the root certmonger fetched is not the lab CA's certificate"
note "AE: $(getcert list-cas -c AE -v | sed -n 's/^.*self-identifies as: //p'); root = lab CA"

# wait_status ID: poll getcert list until the request leaves the working states
wait_status() {
	local s=""
	for _ in $(seq 900); do
		s=$(getcert list -i "$1" 2> /dev/null | sed -n 's/^[[:space:]]*status: //p')
		case "$s" in
		MONITORING | CA_REJECTED | CA_UNREACHABLE | CA_UNCONFIGURED | NEED_GUIDANCE) break ;;
		esac
		sleep 0.2
	done
	echo "$s"
}

getcert request -c AE -T LabMachine -I lm -f "$D/out/m.crt" -k "$D/out/m.key" \
	> "$D/req.out" 2>&1 || fail "getcert request: $(cat "$D/req.out")"
st=$(wait_status lm)
getcert list -i lm | sed -n 's/^[[:space:]]*\(status\|ca-error\|issuer\|profile\|dns\): /\1: /p' |
	sed 's/^/      | /'
[ "$st" = MONITORING ] || fail "LabMachine: status '$st', not MONITORING: $(getcert list -i lm |
	grep ca-error)"
v=$(openssl verify -CAfile "$LAB/ca/ca.pem" "$D/out/m.crt" 2>&1) || fail "openssl verify: $v"
[ "$(cert_fact "$D/out/m.crt" "$D/out/m.key" key_match)" = yes ] ||
	fail "certmonger's key does not match the certificate it got"
expect_template_oid "$D/out/m.crt" "$FOREST_OID.1000.1"
expect_san_dns "$D/out/m.crt" "$MEMBER_FQDN"
serial=$(openssl x509 -in "$D/out/m.crt" -noout -serial | sed 's/^serial=//')
ca_admin list --requester
last=$(ICPR_CA_DIR="$LAB/ca" ICPR_SAM_LDB="$LAB/dc/private/sam.ldb" "$CA_ADMIN" list --requester |
	tail -n 1)
[[ $last == *LabMachine*'MEMBER1$'* ]] || fail "the CA's last request is not LabMachine by MEMBER1\$: $last"
note "issued $serial to certmonger's key; CA record: $last"

getcert request -c AE -T LabNoEnroll -I ld -f "$D/out/d.crt" -k "$D/out/d.key" \
	> "$D/req2.out" 2>&1 || fail "getcert request: $(cat "$D/req2.out")"
st=$(wait_status ld)
err=$(getcert list -i ld | sed -n 's/^[[:space:]]*ca-error: //p')
note "LabNoEnroll: $st: $err"
[ "$st" = CA_REJECTED ] || fail "LabNoEnroll: status '$st', not CA_REJECTED"
[[ $err == *CERTSRV_E_TEMPLATE_DENIED* && $err == *LabNoEnroll* ]] ||
	fail "ca-error does not name CERTSRV_E_TEMPLATE_DENIED and the template: $err"
[ ! -e "$D/out/d.crt" ] || fail "a certificate was written for the denied template"
stop_certmonger

# POLL, with the environment certmonger gives the helper
openssl req -new -newkey rsa:2048 -nodes -keyout "$D/p.key" -subj /CN=member1 \
	-out "$D/p.csr" 2> /dev/null || fail "openssl req"
openssl req -new -newkey rsa:2048 -nodes -keyout "$D/o.key" -subj /CN=other \
	-out "$D/o.csr" 2> /dev/null || fail "openssl req"
# helper OP CSR [PROFILE [COOKIE]]: sets H_RC, H_OUT
helper() {
	H_OUT=$(CERTMONGER_OPERATION=$1 CERTMONGER_CSR=$(cat "$2") CERTMONGER_CA_PROFILE=${3:-} \
		CERTMONGER_CA_COOKIE=${4:-} timeout -k 5 "$AE_TIMEOUT" "$ADLAB" client "$HELPER" \
		-s "$LAB/member/smb.conf" 2> "$D/helper.err" < /dev/null)
	H_RC=$?
	note "helper $1${3:+ $3} -> exit $H_RC: $(printf '%s' "$H_OUT" | head -n 1 | cut -c1-110)"
}
helper SUBMIT "$D/p.csr" LabPending
[ "$H_RC" = 1 ] || fail "SUBMIT LabPending: exit $H_RC, not 1 (wait)"
cookie=$H_OUT
[[ $cookie =~ ^aeicpr1\.([0-9]+)\.[0-9a-f]{64}\.[0-9a-f]+$ ]] || fail "cookie '$cookie'"
id=${BASH_REMATCH[1]}
helper POLL "$D/p.csr" LabPending "$cookie"
[ "$H_RC" = 1 ] && [ "$H_OUT" = "$cookie" ] || fail "POLL while pending: exit $H_RC '$H_OUT'"
helper POLL "$D/o.csr" LabPending "$cookie"
[ "$H_RC" = 2 ] && [[ $H_OUT == *"another key"* ]] || fail "POLL with another key's CSR: exit $H_RC"
helper POLL "$D/p.csr" LabPending "${cookie/aeicpr1./aeicpr1.0}"
[ "$H_RC" = 2 ] || fail "POLL with a forged cookie: exit $H_RC"
ca_admin issue "$id"
helper POLL "$D/p.csr" LabPending "$cookie"
[ "$H_RC" = 0 ] || fail "POLL after issue: exit $H_RC"
printf '%s\n' "$H_OUT" > "$D/p.crt"
[ "$(cert_fact "$D/p.crt" "$D/p.key" key_match)" = yes ] || fail "POLL: not the request's key"
v=$(openssl verify -CAfile "$LAB/ca/ca.pem" "$D/p.crt" 2>&1) || fail "openssl verify: $v"
expect_template_oid "$D/p.crt" "$FOREST_OID.1000.2"

DC_STOPPED=1
"$ADLAB" stop | sed 's/^/  /' || fail "adlab.sh stop failed"
helper SUBMIT "$D/p.csr" LabMachine
[ "$H_RC" = 3 ] || fail "SUBMIT with the DC down: exit $H_RC, not 3 (unreachable)"
[[ $H_OUT == *dc1.lab.example.com* ]] || fail "the message does not name the DC: $H_OUT"
"$ADLAB" start | sed 's/^/  /' || fail "adlab.sh start failed"
DC_STOPPED=""
pass
