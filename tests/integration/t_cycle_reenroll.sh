#!/bin/bash
# Re-enrollment, in a fresh store that holds a LabMachine certificate:
#  1. LabMachine's `revision` (the template's major version) bumped in AD:
#     the next run RE-ENROLLS (cause major-revision): a new certificate of
#     the new version, the old one archived (ARCHIVED record);
#  2. a new template LabCycSuper that supersedes LabMachine (LabMachine's
#     attributes, msPKI-Supersede-Templates: LabMachine, its own OID and OID
#     object, published on the lab CA, Domain Computers Enroll+AutoEnroll):
#     the next run enrolls it (re-enroll/superseded: LabMachine's
#     certificate is what it replaces), LabMachine itself is skipped as
#     superseded, and LabMachine's certificate is archived: LabMachine.crt
#     gone, archive/LabMachine.<serial>.state ARCHIVED.
# The revision and the new template are restored/removed on exit.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
. "$(dirname "$0")/cycle/lib.sh"

SUPER=LabCycSuper
SUPER_OID=$FOREST_OID.1000.71

cyc_store reenroll
cycle
expect_rc_in 0 3
expect_item LabMachine enroll no-certificate "done"
s1=$(serial_of "$STORE/LabMachine.crt")

note "1. LabMachine's revision bumped"
tpl_bump LabMachine
rev=$TPL_REV
cycle
expect_rc_in 0 3
expect_item LabMachine re-enroll major-revision "done"
expect_item LabMachine archive replaced "done"
expect_issued "$STORE" LabMachine
s2=$(serial_of "$STORE/LabMachine.crt")
[ "$s2" != "$s1" ] || fail "re-enrollment kept serial $s1"
[ "$(cert_fact "$STORE/LabMachine.crt" template_major)" = $((rev + 1)) ] ||
	fail "the new certificate's template major version is $(cert_fact "$STORE/LabMachine.crt" template_major), want $((rev + 1))"
id=$(cq 'item("LabMachine", "re-enroll")["request_id"]')
[ -z "$(ca_field "$id" renews)" ] || fail "CA request $id is a renewal; a re-enrollment is a new request"
expect_archived "$STORE" LabMachine "$s1" archived
adm template-set LabMachine revision "$rev"

note "2. $SUPER supersedes LabMachine"
on_exit "$ADLAB" admin template-delete "$SUPER"
adm template-copy LabMachine "$SUPER" "$SUPER_OID" msPKI-Supersede-Templates=LabMachine
adm template-publish "$SUPER"
cycle
expect_rc_in 0 3
expect_item "$SUPER" re-enroll superseded "done"
expect_item "$SUPER" archive replaced "done"
expect_item LabMachine skip not-eligible skipped
cq 'item("LabMachine")["reason"]' | qgrep -i supersede ||
	fail "LabMachine's skip does not say it is superseded: $(cq 'item("LabMachine")["reason"]')"
expect_issued "$STORE" "$SUPER"
expect_template_oid "$STORE/$SUPER.crt" "$SUPER_OID"
[ ! -e "$STORE/LabMachine.crt" ] || fail "LabMachine.crt is still installed"
[ ! -e "$STORE/LabMachine.key" ] || fail "LabMachine.key is still installed"
expect_archived "$STORE" LabMachine "$s2" archived
probs=$(pair_problems "$STORE")
[ -z "$probs" ] || fail "store: $probs"

cycle
expect_rc_in 0 3
expect_item "$SUPER" skip valid skipped
pass
