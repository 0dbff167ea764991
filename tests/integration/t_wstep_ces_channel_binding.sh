#!/bin/bash
# Our client through a CES that requires channel bindings (Extended
# Protection, the KB5005413 hardening; issue G must-show 6, the client's
# half: t_cep_channel_binding shows curl's SPNEGO, which sends no bindings,
# refused by the same end points):
#   LAB-CA's KerberosCB CES end point first (priority 0 in the test CEP's
#   cep.json, put back on exit), a local policy server on the CEP's
#   KerberosCB end point: `run` enrolls LabMachine through
#   LAB-CA_CES_KerberosCB, where the backend's own GSS acceptor accepted the
#   machine's token only with tls-server-end-point bindings of this TLS
#   connection (RFC 5929 §4.1; kind=kerberos-cb, status 200); the
#   GetPolicies went to the CEP's KerberosCB end point the same way; no
#   MS-ICPR bind; the certificate verifies against the lab CA.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
. "$(dirname "$0")/cycle/lib.sh"
. "$SRCDIR/tests/cep/scenario-lib.sh"
cep_need

cep_uri_set LAB-CA kerberos-cb 0 false
note "LAB-CA's KerberosCB CES end point first (priority 0)"

cep_own_dirs cesbound
cep_local_server "$CEP_URL_KERBEROS_CB"

cep_log_mark
cycle
expect_rc_in 0 3
expect_item LabMachine enroll no-certificate "done"
[ "$(cq 'd["counts"]["rpc_binds"]')" = 0 ] || fail "MS-ICPR binds: $(cq 'd["counts"]')"
reason=$(cq 'item("LabMachine", "enroll")["reason"]')
[[ $reason == *"(MS-WSTEP: https://$CEP_FQDN/LAB-CA_CES_KerberosCB/service.svc/CES, wstep kerberos)"* ]] ||
	fail "LabMachine was not enrolled through LAB-CA's KerberosCB CES: $reason"
note "LabMachine: $reason"
cep_log_expect endpoint=ADPolicyProvider_CEP_KerberosCB kind=kerberos-cb \
	principal="MEMBER1\$@LAB.EXAMPLE.COM" status=200 ||
	fail "the CEP's channel-bound end point did not serve our GetPolicies: $(cep_log_since | head -n 3)"
cep_log_expect endpoint=LAB-CA_CES_KerberosCB kind=kerberos-cb \
	principal="MEMBER1\$@LAB.EXAMPLE.COM" status=200 ||
	fail "the CES's channel-bound end point did not accept our request: $(cep_log_since | tail -n 3)"
if cep_log_expect endpoint=LAB-CA_CES_KerberosCB status=401; then
	fail "the channel-bound CES refused a token of ours first: $(cep_log_since | grep -m1 '"status": 401')"
fi
note "backend: GetPolicies at the CEP's KerberosCB and the request at LAB-CA_CES_KerberosCB accepted (bound, MEMBER1\$)"
expect_issued "$STORE" LabMachine
pass
