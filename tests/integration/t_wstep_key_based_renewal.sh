#!/bin/bash
# Key-based renewal over MS-WSTEP: the test CEP gives LAB-CA a certificate
# CES end point that is renewalOnly and first by priority (its cep.json,
# restored on exit); a store, state and cache directory of the scenario's
# own, the CEP as a local policy server (Kerberos with channel bindings):
#   1. `run` enrolls LabMachine through the Kerberos CES: the renewalOnly
#      end point is not used for a new request;
#   2. with the clock past renew-at (AE_TEST_NOW), the renewal goes to the
#      certificate end point, authenticated by TLS with the certificate
#      being renewed (the CES saw a client certificate: kind=certificate),
#      and the CA took it as a renewal of that certificate (renews=).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
. "$(dirname "$0")/cycle/lib.sh"
. "$SRCDIR/tests/cep/scenario-lib.sh"
cep_need

cep_cert_uri_for_renewals 0
note "LAB-CA's certificate CES end point: priority 0, renewalOnly"

cep_own_dirs kbr
cep_local_server "$CEP_URL_KERBEROS_CB"

cep_log_mark
cycle
expect_rc_in 0 3
expect_item LabMachine enroll no-certificate "done"
reason=$(cq 'item("LabMachine", "enroll")["reason"]')
[[ $reason == *"_CES_Kerberos/service.svc/CES, wstep kerberos)"* ]] ||
	fail "the new request did not go to the Kerberos CES: $reason"
! cep_log_expect kind=certificate || fail "a new request reached the renewalOnly certificate end point"
expect_issued "$STORE" LabMachine
old=$(serial_of "$STORE/LabMachine.crt")

cep_log_mark
cycle AE_TEST_NOW=+$((330 * 86400))
expect_rc_in 0 3
expect_item LabMachine renew renewal-due "done"
reason=$(cq 'item("LabMachine", "renew")["reason"]')
[[ $reason == *"_CES_Certificate/service.svc/CES, wstep certificate (key-based renewal))"* ]] ||
	fail "the renewal did not go to the certificate CES with the current certificate: $reason"
cep_log_expect endpoint="${CANAME}_CES_Certificate" kind=certificate status=200 ||
	fail "the certificate CES did not get a request with a client certificate: $(cep_log_since | tail -n 2)"
rid=$(cq 'item("LabMachine", "renew")["request_id"]')
renews=$(ca_field "$rid" renews)
[ "$(canon_serial "${renews:-x}")" = "$old" ] ||
	fail "CA request $rid renews '$renews', want the old certificate $old"
expect_issued "$STORE" LabMachine
note "key-based renewal: request $rid over the certificate end point renews $old"
pass
