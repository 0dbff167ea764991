#!/bin/bash
# A workgroup machine (not joined: its own smb.conf without realm, an empty
# private dir, no secrets.tdb, no ticket) in the lab's namespace, with the
# lab's CEP as a local policy server over its UsernamePassword end point
# ([MS-XCEP] 3.1.4.1.3.4 ClientAuthentication, WS-Security UsernameToken):
# the account it authenticates as is a computer account made for the
# scenario in AD (WKS1$, Domain Computers, dNSHostName wks1.lab.example.com,
# a known password in a root-only credential file), removed on exit.
#   1. `run` enrolls LabMachine through LAB-CA's UsernamePassword CES: the
#      Kerberos end points before it fail (no credentials) and are named in
#      the item; the CES and the CA saw WKS1$ (the backend's line,
#      `ca-admin list --requester`); no LDAP search, no MS-ICPR bind, and
#      (strace) no secrets.tdb nor anything of the member opened, no
#      connection but to the CEP/CES; the certificate verifies against the
#      lab CA and carries wks1.lab.example.com;
#   2. LAB-CA's Certificate CES made renewalOnly with priority 1 (cep.json,
#      restored on exit); with the clock past renew-at (AE_TEST_NOW) the
#      renewal goes there, authenticated by TLS with the certificate being
#      renewed ([MS-WSTEP] 3.1.4.1.1 key-based renewal): the backend saw a
#      client certificate and mapped it to WKS1$, the CA's record renews the
#      old serial, the new certificate verifies, the old pair is archived.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
. "$(dirname "$0")/cycle/lib.sh"
. "$SRCDIR/tests/cep/scenario-lib.sh"
cep_need

W=$WORK/$NAME
WK=$W/wks1
ACCT=WKS1
WKS_FQDN=wks1.lab.example.com
CEPERR=$LAB/cep/backend.err

# -- the computer account in AD ------------------------------------------------
sat() { # samba-tool as the lab's Administrator inside the netns
	KRB5CCNAME=FILE:$LAB/admin.ccache "$ADLAB" client samba-tool "$@" -H "ldap://$DCFQDN" \
		--use-kerberos=required -s "$LAB/client.conf" < /dev/null > "$W/sat.log" 2>&1
}
"$ADLAB" admin sid domain > /dev/null 2>&1 || fail "adlab.sh admin: no admin ticket"
sat computer delete "$ACCT" || true
on_exit env KRB5CCNAME="FILE:$LAB/admin.ccache" "$ADLAB" client samba-tool computer delete \
	"$ACCT" -H "ldap://$DCFQDN" --use-kerberos=required -s "$LAB/client.conf"
sat computer add "$ACCT" --prepare-oldjoin || fail "samba-tool computer add $ACCT: $(tail -n 2 "$W/sat.log")"
PW="Wks1.$(openssl rand -hex 12)"
sat user setpassword "$ACCT\$" --newpassword="$PW" ||
	fail "samba-tool user setpassword $ACCT\$: $(tail -n 2 "$W/sat.log")"
DN=$("$ADLAB" admin ldbsearch -b "$BASEDN" "(sAMAccountName=$ACCT\$)" dn 2> /dev/null |
	sed -n 's/^dn: //p' | head -n 1)
[ -n "$DN" ] || fail "no DN for $ACCT\$"
printf 'dn: %s\nchangetype: modify\nreplace: dNSHostName\ndNSHostName: %s\n' "$DN" "$WKS_FQDN" |
	"$ADLAB" admin ldbmodify > "$W/sat.log" 2>&1 || fail "dNSHostName: $(tail -n 2 "$W/sat.log")"
got=$("$ADLAB" admin ldbsearch -b "$DN" -s base dNSHostName primaryGroupID 2> /dev/null)
[[ $got == *"dNSHostName: $WKS_FQDN"* && $got == *"primaryGroupID: 515"* ]] ||
	fail "$DN: not dNSHostName $WKS_FQDN in Domain Computers: $got"
note "AD: $DN (Domain Computers, dNSHostName $WKS_FQDN, a password of its own)"

# -- the workgroup machine -------------------------------------------------
mkdir -p "$WK"/{state,cache,private,lock,run}
chmod 0755 "$WK/state" "$WK/cache"
chmod 0700 "$WK/private"
install -d -m 0700 "$W/cred"
printf 'LAB\\%s$\n%s\n' "$ACCT" "$PW" > "$W/cred/wks1"
chmod 0600 "$W/cred/wks1"
STORE=$WK/store
CONF=$WK/smb.conf
cat > "$CONF" << EOF
[global]
	workgroup = LAB
	netbios name = $ACCT
	private dir = $WK/private
	lock directory = $WK/lock
	state directory = $WK/state
	cache directory = $WK/cache
	pid directory = $WK/run
	log file = $WK/log.%m
	autoenroll:store dir = $STORE
	autoenroll:trust dir = $WK/trust
	autoenroll:trust command = none
EOF
NOCC=FILE:$W/no-ticket.ccache # no ticket: nothing Kerberos can use
cae KRB5CCNAME="$NOCC" policy-server add "$CEP_URL_PASSWORD" --auth password \
	--credential "$W/cred/wks1" --ca-file "$CEP_CA_FILE"
expect_rc 0
[ -s "$WK/state/autoenroll/policy-servers.conf" ] ||
	fail "the policy server did not land in $WK/state/autoenroll: $(find "$WK/state" -type f)"
grep -qF -- "$PW" "$WK/state/autoenroll/policy-servers.conf" && fail "the password is in the configuration"

# autoenroll under strace (files opened, connections made)
REAL_AE=$AUTOENROLL
cat > "$W/ae-strace" << EOF
#!/bin/sh
exec strace -f -qq -e trace=openat,open,connect -o "$W/strace.out" "$REAL_AE" "\$@"
EOF
chmod 0755 "$W/ae-strace"
errmark() { ERR_MARK=$(wc -l < "$CEPERR"); }
err_since() { tail -n "+$((ERR_MARK + 1))" "$CEPERR"; }

# -- 1. enrollment over the password end point -----------------------------
cep_log_mark
errmark
# shellcheck disable=SC2034 # read by cycle/lib.sh's cycle
AUTOENROLL=$W/ae-strace CYCLE_DEBUG=2
cycle KRB5CCNAME="$NOCC" ASAN_OPTIONS=detect_leaks=0
AUTOENROLL=$REAL_AE
unset CYCLE_DEBUG
expect_rc_in 0 3
printf '%s\n' "$AE_STDERR" | qgrep "workgroup machine (smb.conf has no realm): local policy servers only" ||
	fail "the run did not take the host for a workgroup machine: $(printf '%s' "$AE_STDERR" | tail -n 2)"
grep -qF -- "$PW" <<< "$AE_ALL" && fail "the password is in autoenroll's output (-d 2)"
expect_item LabMachine enroll no-certificate "done"
reason=$(cq 'item("LabMachine", "enroll")["reason"]')
[[ $reason == *"(MS-WSTEP: $CES_URL_PASSWORD, wstep password)"* ]] ||
	fail "LabMachine was not enrolled over LAB-CA's password CES: $reason"
for u in "$CES_URL_KERBEROS" "$CES_URL_KERBEROS_CB"; do
	[[ ${reason#*end points that failed first: } == *"$u: no kerberos credentials"* ]] ||
		fail "the item does not name the Kerberos end point $u that failed first: $reason"
done
note "failed over: ${reason#*end points that failed first: }"
[ "$(cq 'd["counts"]["ldap_searches"]')" = 0 ] || fail "LDAP searches: $(cq 'd["counts"]')"
[ "$(cq 'd["counts"]["rpc_binds"]')" = 0 ] || fail "MS-ICPR binds: $(cq 'd["counts"]')"
cep_log_expect endpoint="${CANAME}_CES_UsernamePassword" kind=password status=200 ||
	fail "no request reached LAB-CA's password CES: $(cep_log_since | tail -n 2)"
line=$(err_since | grep -F "'/${CANAME}_CES_UsernamePassword/service.svc/CES' 200 LAB\\$ACCT\$ (password $ACCT\$@$REALM): Issue LabMachine" | head -n 1)
[ -n "$line" ] || fail "the CES did not issue LabMachine to $ACCT\$: $(err_since | tail -n 3)"
note "CES: ${line#cepapp: }"
! cep_log_since | qgrep '"kind": "kerberos' || fail "a Kerberos request reached the CEP/CES"

# strace: nothing of the member, no secrets.tdb, connections to the CEP only
[ -s "$W/strace.out" ] || fail "strace wrote nothing"
bad=$(grep -E 'secrets\.tdb|'"$LAB"'/member/' "$W/strace.out" | grep -v ENOENT | head -n 3)
[ -z "$bad" ] || fail "the workgroup run opened the member's files: $bad"
bad=$(grep -E 'secrets\.tdb' "$W/strace.out" | head -n 3)
[ -z "$bad" ] || fail "the workgroup run looked for a secrets.tdb: $bad"
conns=$(grep -oE 'connect\([0-9]+, \{sa_family=AF_INET6?, sin6?_port=htons\([0-9]+\), [^}]*\}' "$W/strace.out" |
	sed -E 's/.*htons\(([0-9]+)\), sin6?_addr=inet_(addr|pton)\((AF_INET6, )?"?([^")]*).*/\4:\1/' | sort -u)
[ -n "$conns" ] || fail "strace saw no connection at all"
others=$(printf '%s\n' "$conns" | grep -vx '127\.0\.0\.4:443')
[ -z "$others" ] || fail "the workgroup run connected elsewhere than the CEP/CES: ${others//$'\n'/ }"
note "strace: no secrets.tdb, nothing of $LAB/member opened; connections: ${conns//$'\n'/ }"

expect_issued "$STORE" LabMachine
expect_san_dns "$STORE/LabMachine.crt" "$WKS_FQDN"
rid=$(cq 'item("LabMachine", "enroll")["request_id"]')
req=$(ca_run list --requester 2> /dev/null | awk -v id="$rid" '$1 == id { print $5 }')
[ "$req" = "LAB\\$ACCT\$" ] || fail "ca-admin list --requester: request $rid by '$req', want LAB\\$ACCT\$"
note "CA request $rid: requester $req"
old=$(serial_of "$STORE/LabMachine.crt")

# -- 2. key-based renewal over the certificate end point --------------------
cep_cert_uri_for_renewals 1
# the policy is cached for nextUpdateHours: the renewal's GetPolicies must see the change
rm -f "$WK/cache/autoenroll/xcep/"*.xcep
note "LAB-CA's certificate CES end point: priority 1, renewalOnly (the cached policy dropped)"

cep_log_mark
errmark
cycle KRB5CCNAME="$NOCC" AE_TEST_NOW=+$((330 * 86400))
expect_rc_in 0 3
expect_item LabMachine renew renewal-due "done"
expect_item LabMachine archive replaced "done"
reason=$(cq 'item("LabMachine", "renew")["reason"]')
[[ $reason == *"(MS-WSTEP: $CES_URL_CERTIFICATE, wstep certificate (key-based renewal))"* ]] ||
	fail "the renewal did not go to LAB-CA's certificate CES with the current certificate: $reason"
[ "$(cq 'd["counts"]["ldap_searches"]')" = 0 ] || fail "LDAP searches: $(cq 'd["counts"]')"
[ "$(cq 'd["counts"]["rpc_binds"]')" = 0 ] || fail "MS-ICPR binds: $(cq 'd["counts"]')"
cep_log_expect endpoint="${CANAME}_CES_Certificate" kind=certificate status=200 ||
	fail "the certificate CES did not get a request with a client certificate: $(cep_log_since | tail -n 2)"
line=$(err_since | grep -F "'/${CANAME}_CES_Certificate/service.svc/CES' 200 LAB\\$ACCT\$ (certificate): Issue" | head -n 1)
[ -n "$line" ] || fail "the certificate CES did not take the client certificate for $ACCT\$: $(err_since | tail -n 3)"
note "CES: ${line#cepapp: }"
rid=$(cq 'item("LabMachine", "renew")["request_id"]')
renews=$(ca_field "$rid" renews)
[ "$(canon_serial "${renews:-x}")" = "$old" ] ||
	fail "CA request $rid renews '$renews', want the old certificate $old"
expect_issued "$STORE" LabMachine
expect_san_dns "$STORE/LabMachine.crt" "$WKS_FQDN"
new=$(serial_of "$STORE/LabMachine.crt")
[ "$new" != "$old" ] || fail "LabMachine still has the old serial $old"
expect_archived "$STORE" LabMachine "$old" archived
note "key-based renewal: CA request $rid renews $old -> $new"
pass
