#!/bin/bash
# The cycle over MS-WSTEP: a local policy server (the lab's CEP, Kerberos
# with channel bindings, its TLS CA pinned) whose CAs are the CES end points
# of the test CEP/CES (tests/cep); a store and a state directory of the
# scenario's own (the policy-server configuration lives there):
#   1. `run` enrolls LabMachine over the CES (the item names the CES URL and
#      "wstep kerberos"), no MS-ICPR bind; the certificate verifies against
#      the lab CA; LabPending is taken under submission (exit 3), its record
#      PENDING with the CES's request id;
#   2. the CA issues it (ca-admin issue); the next run sends QueryTokenStatus
#      and installs it; a run after that sends nothing;
#   3. with the clock past LabMachine's renew-at (AE_TEST_NOW), the renewal
#      goes over the CES too, signed with the old certificate: the CA's
#      request record says renews=<old serial>.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
. "$(dirname "$0")/cycle/lib.sh"
. "$SRCDIR/tests/cep/scenario-lib.sh"
cep_need

cyc_store wstep
STATE=$WORK/$NAME/wstep/state
mkdir -p "$STATE"
chmod 0755 "$STATE"
printf '\tstate directory = %s\n' "$STATE" >> "$CONF"
cae policy-server add "$CEP_URL_KERBEROS_CB" --auth kerberos --cost 1 --ca-file "$CEP_CA_FILE"
expect_rc 0
note "local policy server $CEP_URL_KERBEROS_CB (kerberos, CA $CEP_CA_FILE) in $STATE"

# -- 1. enrollment and a pending request over the CES --------------------------
cep_log_mark
cycle
expect_rc_in 3
expect_item LabMachine enroll no-certificate "done"
expect_item LabPending enroll no-certificate pending
[ "$(cq 'd["counts"]["rpc_binds"]')" = 0 ] || fail "MS-ICPR binds: $(cq 'd["counts"]')"
reason=$(cq 'item("LabMachine", "enroll")["reason"]')
[[ $reason == *"(MS-WSTEP: https://$CEP_FQDN/"*"_CES_"*", wstep kerberos)"* ]] ||
	fail "LabMachine's item does not name the CES URL and its authentication: $reason"
ces=$(cep_log_since | grep -c '_CES_')
[ "$ces" -ge 2 ] || fail "the CES got $ces requests, want 2 (LabMachine, LabPending)"
cep_log_expect kind=kerberos principal="MEMBER1\$@LAB.EXAMPLE.COM" status=200 ||
	fail "no Kerberos request of the member reached the CES: $(cep_log_since | tail -n 2)"
note "the CES got $ces requests from MEMBER1\$; no MS-ICPR bind"
expect_issued "$STORE" LabMachine
id=$(cq 'item("LabPending", "enroll")["request_id"]')
[[ $id =~ ^[1-9][0-9]*$ ]] || fail "LabPending: no request id in the item"
if ! grep -qx 'status=pending' "$STORE/LabPending.state" ||
	! grep -qx "request_id=$id" "$STORE/LabPending.state"; then
	fail "$STORE/LabPending.state does not record request $id as pending"
fi
note "LabPending: request $id pending at the CA behind the CES"

# -- 2. issued by the CA: QueryTokenStatus on the next run ----------------------
ca_admin issue "$id"
cep_log_mark
cycle
expect_rc_in 0
expect_item LabPending retrieve "" "done"
[ "$(cq 'item("LabPending", "retrieve")["request_id"]')" = "$id" ] ||
	fail "the retrieval was not of request $id: $(cq 'item("LabPending", "retrieve")')"
cep_log_expect kind=kerberos status=200 || fail "the retrieval did not go to the CES"
expect_issued "$STORE" LabPending
cycle
expect_rc_in 0
[ "$(cq 'd["counts"]["requests"]')" = 0 ] || fail "a run with everything issued sent requests: $(cq 'd["counts"]')"
note "a run with both issued sends nothing"

# -- 3. renewal over the CES, signed with the old certificate ------------------
old=$(serial_of "$STORE/LabMachine.crt")
cycle AE_TEST_NOW=+$((330 * 86400))
expect_rc_in 0 3
expect_item LabMachine renew renewal-due "done"
rid=$(cq 'item("LabMachine", "renew")["request_id"]')
reason=$(cq 'item("LabMachine", "renew")["reason"]')
[[ $reason == *"(MS-WSTEP: https://"* ]] || fail "the renewal did not go over MS-WSTEP: $reason"
[ "$(cq 'd["counts"]["rpc_binds"]')" = 0 ] || fail "MS-ICPR binds in the renewal run: $(cq 'd["counts"]')"
renews=$(ca_field "$rid" renews)
[ "$(canon_serial "${renews:-x}")" = "$old" ] ||
	fail "CA request $rid renews '$renews', want the old certificate $old"
expect_issued "$STORE" LabMachine
[ "$(serial_of "$STORE/LabMachine.crt")" != "$old" ] || fail "LabMachine still has the old serial $old"
note "renewed over the CES: request $rid renews $old"
pass
