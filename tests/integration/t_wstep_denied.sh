#!/bin/bash
# A denial over MS-WSTEP is named as over MS-ICPR: LabPending, taken under
# submission by the CA behind the lab's CES (a local policy server, store and
# state directory of the scenario's own), is denied by the CA administrator
# (ca-admin deny); the next run's QueryTokenStatus gets the CES's SOAP fault
# with CertificateEnrollmentWSDetail: the item is "denied" with the HRESULT
# CERTSRV_E_ADMIN_DENIED_REQUEST (0x80094014), the run exits 4, the
# request's key is dropped, and no MS-ICPR bind was made.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
. "$(dirname "$0")/cycle/lib.sh"
. "$SRCDIR/tests/cep/scenario-lib.sh"
cep_need

cyc_store denied
D=$WORK/$NAME/denied
mkdir -p "$D/state" "$D/cache"
chmod 0755 "$D/state" "$D/cache"
printf '\tstate directory = %s\n\tcache directory = %s\n' "$D/state" "$D/cache" >> "$CONF"
cae policy-server add "$CEP_URL_KERBEROS_CB" --auth kerberos --cost 1 --ca-file "$CEP_CA_FILE"
expect_rc 0

cycle
expect_rc_in 3
expect_item LabPending enroll no-certificate pending
id=$(cq 'item("LabPending", "enroll")["request_id"]')
[[ $id =~ ^[1-9][0-9]*$ ]] || fail "LabPending: no request id in the item"
ca_admin deny "$id"

cycle
expect_rc_in 4
expect_item LabPending retrieve "" denied
[ "$(cq 'item("LabPending", "retrieve")["hresult_name"]')" = CERTSRV_E_ADMIN_DENIED_REQUEST ] ||
	fail "the denial is not named CERTSRV_E_ADMIN_DENIED_REQUEST: $(cq 'item("LabPending", "retrieve")')"
reason=$(cq 'item("LabPending", "retrieve")["reason"]')
[[ $reason == *"CERTSRV_E_ADMIN_DENIED_REQUEST 0x80094014"* && $reason == *LabPending* &&
	$reason == *LAB-CA* ]] || fail "the item does not name the HRESULT, template and CA: $reason"
[ "$(cq 'd["counts"]["rpc_binds"]')" = 0 ] || fail "MS-ICPR binds: $(cq 'd["counts"]')"
[ ! -e "$STORE/LabPending.key.new" ] || fail "the denied request's key is still in the store"
note "denied over MS-WSTEP: $reason"
pass
