#!/bin/bash
# Names the administrator chooses (issue K, must-show 1):
#   - on LabMachine (CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT not set: AD builds the
#     names) `request --subject ... --dns ...` is refused with exit 6 naming
#     the template and the flag, before any request: the CA's request count
#     is unchanged and nothing is installed;
#   - a value that is no DNS name is a usage error (exit 2), nothing sent;
#   - on LabWebServerAuto (0x1 | 0x8) the same options are issued with
#     exactly those names: subject CN=www.lab.example.com, SAN dNSName
#     www.lab.example.com and files.lab.example.com, nothing else; the
#     certificate is the store's managed certificate of the template, its
#     record says the names came from the request (enrollee_names=1) and
#     that `run` renews it (no manual_renewal=1); status lists it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
. "$(dirname "$0")/cycle/lib.sh"
. "$(dirname "$0")/names/lib.sh"

NAMES=(--subject "$WEB_SUBJECT" --dns "$WEB_DNS1" --dns "$WEB_DNS2")
cyc_store chosen
n0=$(ca_count)
w0=$(ca_count LabWebServerAuto)

cae request --template LabMachine "${NAMES[@]}"
expect_rc 6
expect_output 'template LabMachine: --subject refused' "the template"
expect_output 'CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT 0x1' "the flag"
[ "$(ca_count)" = "$n0" ] || fail "the CA got a request ($n0 -> $(ca_count) records)"
[ ! -e "$STORE/LabMachine.crt" ] || fail "LabMachine.crt installed"
note "LabMachine refused before any request: the CA still has $n0 records"

cae request --template LabWebServerAuto --subject "$WEB_SUBJECT" --dns bad_name.example
expect_rc 2
expect_output "--dns 'bad_name.example'" "the bad value"
[ "$(ca_count)" = "$n0" ] || fail "the CA got a request for a bad value"

cae request --template LabWebServerAuto "${NAMES[@]}"
expect_rc 0
expect_issued "$STORE" LabWebServerAuto
expect_template_oid "$STORE/LabWebServerAuto.crt" "$FOREST_OID.1000.9"
want_names "$STORE/LabWebServerAuto.crt" "$WEB_SUBJECT" "$WEB_SAN"
[ "$(ca_count LabWebServerAuto)" = $((w0 + 1)) ] ||
	fail "the CA has $(ca_count LabWebServerAuto) LabWebServerAuto requests, want $((w0 + 1))"
record_has LabWebServerAuto enrollee_names=1
grep -q '^manual_renewal=' "$STORE/LabWebServerAuto.state" &&
	fail "LabWebServerAuto.state says manual_renewal (the template has 0x8)"
cstatus
[ "$(sq 'cert("LabWebServerAuto")["state"]')" = issued ] ||
	fail "status: LabWebServerAuto is $(sq 'cert("LabWebServerAuto")["state"]')"
[ "$(sq 'cert("LabWebServerAuto")["enrollee_names"]')" = true ] ||
	fail "status: LabWebServerAuto enrollee_names is not true"
note "status: LabWebServerAuto issued, names from the request"
pass
