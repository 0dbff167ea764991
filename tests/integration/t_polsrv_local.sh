#!/bin/bash
# Local enrollment policy servers (`autoenroll policy-server`) against the
# lab's test CEP (tests/cep), read by `policy`:
#  1. add refuses bad input with exit 2 naming the argument (http://, an
#     unknown --auth, a password end point without --credential, a
#     credential file others can read); list shows what was added;
#  2. one policy ID, three end points by cost: the closed port (refused),
#     the self-signed listener (not verified: the backend gets nothing), then
#     the Kerberos end point that requires channel bindings, which accepts
#     ours and serves the group: its CAs are XCEP CAs, its templates carry
#     its URL, each failure is named; the AD policy (no GPO PolicyServers)
#     is read too;
#  3. a second `policy` takes the cached answer (nextUpdateHours): no
#     GetPolicies reaches the backend;
#  4. a workgroup machine (an smb.conf without realm): without a local
#     policy server exit 6 naming `policy-server add`; with the password end
#     point (alice's UsernameToken) the policy is read with no LDAP search,
#     no DC, no Kerberos;
#  5. remove by policy ID takes every end point of that ID.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/cep/scenario-lib.sh"
W=$WORK/$NAME
rm -rf "$W"
mkdir -p "$W"
need_autoenroll
cep_need
CONF=$LAB/member/state/autoenroll/policy-servers.conf
XCACHE=$LAB/member/cache/autoenroll/xcep
cleanup_local() {
	rm -f "$CONF" "$XCACHE"/*.xcep
}
cleanup_local
trap cleanup_local EXIT

jq_() { /usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(json.dumps(eval(sys.argv[2])))' "$@"; }
expect_j() { # FILE EXPR WANT WHAT
	local got
	got=$(jq_ "$1" "$2" 2>&1) || fail "$4: cannot evaluate $2: $got"
	[ "$got" = "$3" ] || fail "$4: $2 is $got, want $3"
}

note "1. bad input"
ae policy-server add http://cep.lab.example.com/CEP
expect_rc 2
expect_output "not an https:// URL" "the http URL refused"
ae policy-server add "$CEP_URL_KERBEROS" --auth ntlm
expect_rc 2
expect_output "--auth 'ntlm'" "the bad --auth"
ae policy-server add "$CEP_URL_PASSWORD" --auth password
expect_rc 2
expect_output "needs --credential FILE" "the missing --credential"
install -d -m 0700 "$W/cred"
printf 'alice@LAB.EXAMPLE.COM\n%s\n' "$USERPASS" > "$W/cred/alice"
chmod 0644 "$W/cred/alice"
ae policy-server add "$CEP_URL_PASSWORD" --auth password --credential "$W/cred/alice"
expect_rc 2
expect_output "$W/cred/alice" "the credential file"
expect_output "group or others" "why the file is refused"
[ ! -e "$CONF" ] || fail "a refused add wrote $CONF"
chmod 0600 "$W/cred/alice"

note "2. failover in cost order"
ae policy-server add "$CEP_DOWN_URL_KERBEROS" --policy-id '{LABCEP}' --cost 1
expect_rc 0
ae policy-server add "$CEP_BAD_URL_KERBEROS" --policy-id '{LABCEP}' --cost 2
expect_rc 0
ae policy-server add "$CEP_URL_KERBEROS_CB" --policy-id '{LABCEP}' --cost 3 --ca-file "$CEP_CA_FILE"
expect_rc 0
ae policy-server list --json
expect_rc 0
printf '%s\n' "$AE_STDOUT" > "$W/list.json"
expect_j "$W/list.json" '[s["cost"] for s in d["servers"]]' '[1, 2, 3]' "listed costs"
expect_j "$W/list.json" 'd["servers"][2]["ca_file"]' "\"$CEP_CA_FILE\"" "the pinned CA file"
[ "$(stat -c '%u %a' "$CONF")" = "0 600" ] || fail "$CONF is $(stat -c '%U %a' "$CONF")"
cep_log_mark
AE_SHOW_LINES=0 ae policy --json
expect_rc 0
printf '%s\n' "$AE_STDOUT" > "$W/p1.json"
expect_j "$W/p1.json" '[s["state"] for s in d["policy_servers"]]' \
	'["failed", "failed", "used", "used"]' "states: refused, not verified, KerberosCB, AD"
expect_j "$W/p1.json" '[s["origin"] for s in d["policy_servers"]]' \
	'["local", "local", "local", "default"]' "origins"
expect_j "$W/p1.json" '"connect to cep.lab.example.com port 4444" in d["policy_servers"][0]["note"]' \
	true "the closed port's cause"
expect_j "$W/p1.json" '"does not verify" in d["policy_servers"][1]["note"]' true "the self-signed listener's cause"
expect_j "$W/p1.json" 'sorted(c["name"] for c in d["cas"] if c["xcep"])' '["LAB-CA", "LAB-CA2"]' "the CEP's CAs"
expect_j "$W/p1.json" '[t["eligible"] for t in d["templates"] if t["name"] == "LabMachine"]' '[true]' \
	"LabMachine eligible through the CEP"
expect_j "$W/p1.json" '[t["policy_server"] for t in d["templates"] if t["name"] == "LabMachine"]' \
	"[\"$CEP_URL_KERBEROS_CB\"]" "LabMachine's server"
cep_log_expect kind=kerberos-cb status=200 principal='MEMBER1$@LAB.EXAMPLE.COM' ||
	fail "the backend did not accept our channel-bound Kerberos: $(cep_log_since | tail -n 2)"
# the self-signed listener serves the same paths: had we sent anything there,
# the backend would have logged a plain "kerberos" request
others=$(cep_log_since | /usr/bin/python3 -c '
import json, sys
print(sum(1 for l in sys.stdin if json.loads(l).get("kind") != "kerberos-cb"))')
[ "$others" = 0 ] || fail "$others request(s) other than the KerberosCB end point's reached the backend"
note "   $(jq_ "$W/p1.json" '[(s["url"][:60], s["state"]) for s in d["policy_servers"]]')"

note "3. the cached answer"
cep_log_mark
AE_SHOW_LINES=0 ae policy --json
expect_rc 0
printf '%s\n' "$AE_STDOUT" > "$W/p2.json"
expect_j "$W/p2.json" '[s["from_cache"] for s in d["policy_servers"] if s["state"] == "used"]' \
	'[true, false]' "the CEP's answer from the cache"
[ -z "$(cep_log_since)" ] || fail "the cached policy was fetched again: $(cep_log_since | head -n 2)"
[ "$(stat -c '%a' "$XCACHE")" = 700 ] || fail "$XCACHE mode $(stat -c '%a' "$XCACHE")"

note "4. a workgroup machine"
WK=$W/wk
mkdir -p "$WK/state" "$WK/cache" "$WK/private" "$WK/lock" "$WK/run"
cat > "$WK/smb.conf" <<EOF
[global]
	workgroup = WKGRP
	netbios name = WK1
	private dir = $WK/private
	lock directory = $WK/lock
	state directory = $WK/state
	cache directory = $WK/cache
	pid directory = $WK/run
	log file = $WK/log.%m
	autoenroll:trust dir = $WK/trust
	autoenroll:trust command = none
EOF
wk() {
	AE_STDOUT=$(timeout -k 5 "$AE_TIMEOUT" "$ADLAB" client "$AUTOENROLL" -s "$WK/smb.conf" "$@" \
		2> "$W/wk.err")
	AE_RC=$?
	AE_STDERR=$(cat "$W/wk.err")
}
wk policy
[ "$AE_RC" = 6 ] || fail "workgroup without policy servers: exit $AE_RC, want 6: $AE_STDERR"
printf '%s' "$AE_STDERR" | qgrep "policy-server add" || fail "the exit 6 does not say what to do: $AE_STDERR"
wk policy-server add "$CEP_URL_PASSWORD" --auth password --credential "$W/cred/alice" \
	--ca-file "$CEP_CA_FILE"
[ "$AE_RC" = 0 ] || fail "workgroup add: exit $AE_RC: $AE_STDERR"
cep_log_mark
wk policy --json
[ "$AE_RC" = 0 ] || fail "workgroup policy: exit $AE_RC: $AE_STDERR"
printf '%s\n' "$AE_STDOUT" > "$W/wk.json"
expect_j "$W/wk.json" '[(s["origin"], s["auth"], s["state"]) for s in d["policy_servers"]]' \
	'[["local", "password", "used"]]' "the workgroup's one policy server"
expect_j "$W/wk.json" 'd["counts"]["ldap_searches"]' 0 "LDAP searches of a workgroup machine"
expect_j "$W/wk.json" 'd["principal"]["dc"]' null "no DC"
expect_j "$W/wk.json" 'len(d["templates"]) > 0' true "templates from the CEP"
cep_log_expect kind=password status=200 || fail "the password end point did not answer 200"

note "5. remove by policy ID"
ae policy-server remove '{LABCEP}'
expect_rc 0
expect_output "3 policy server end point\\(s\\) removed" "the removal"
ae policy-server remove '{LABCEP}'
expect_rc 2
pass
