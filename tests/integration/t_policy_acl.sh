#!/bin/bash
# Template eligibility from the templates' ACLs and the member's token
# (objectSid + tokenGroups), as `autoenroll policy --json` reports it:
#   0. the lab as built: LabMachine and LabPending eligible, LabNoEnroll
#      "no-enroll", LabWebServer and Machine "no-autoenroll-flag",
#      LabUnpublished "not-published"; LAB-CA on the DC publishing LabMachine;
#   1. a deny-Enroll ACE on LabMachine for "PB Deny A", which holds "PB Deny
#      B", which holds MEMBER1$ (nested): not eligible, "denied-enroll", the
#      reason names the group and its SID; without the ACE eligible again;
#   2. LabNoEnroll (Domain Computers may only read it): + allow Enroll for
#      Domain Computers -> "no-autoenroll"; + allow AutoEnroll -> eligible;
#      both removed -> "no-enroll" again.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
need_policy

ENROLL=0e10c968-78fb-11d2-90d4-00c04f79dc55
AE_RIGHT=a05b8cc2-17bc-4802-a710-e7c15ab866a2

note "0. the lab's templates"
policy
for t in LabMachine LabPending LabNoEnroll LabWebServer Machine LabUnpublished LabMachineEC; do
	note "   $t: $(q "tpl('$t')['code']"): $(q "tpl('$t')['reason']")"
done
expect_q 'tpl("LabMachine")["eligible"]' true "LabMachine eligible"
expect_q 'tpl("LabMachine")["code"]' eligible "LabMachine code"
expect_q 'tpl("LabMachine")["cas"]' '["LAB-CA"]' "LabMachine's CAs"
expect_q 'tpl("LabMachine")["oid"]' "$FOREST_OID.1000.1" "LabMachine's OID"
expect_q 'tpl("LabMachine")["schema_version"]' 2 "LabMachine's schema version"
expect_q '[tpl("LabMachine")["major"], tpl("LabMachine")["minor"]]' '[100, 3]' "LabMachine's revision"
expect_q 'tpl("LabMachine")["superseded_by"]' null "LabMachine superseded_by"
expect_q 'tpl("LabPending")["code"]' eligible "LabPending code"
expect_q 'tpl("LabNoEnroll")["code"]' no-enroll "LabNoEnroll code"
expect_q 'tpl("LabNoEnroll")["eligible"]' false "LabNoEnroll eligible"
expect_q 'tpl("LabWebServer")["code"]' no-autoenroll-flag "LabWebServer code"
expect_q 'tpl("Machine")["code"]' no-autoenroll-flag "Machine (v1) code"
expect_q 'tpl("LabUnpublished")["code"]' not-published "LabUnpublished code"
expect_q '[c["name"] for c in d["cas"]]' '["LAB-CA"]' "CAs"
expect_q 'd["cas"][0]["host"]' "$DCFQDN" "LAB-CA's host"
expect_true '"LabMachine" in d["cas"][0]["templates"] and "LabUnpublished" not in d["cas"][0]["templates"]' \
	"LAB-CA's templates"

note "1. deny Enroll on LabMachine for PB Deny A (PB Deny A > PB Deny B > MEMBER1\$)"
adm group-create "PB Deny A"
on_exit "$ADLAB" admin group-delete "PB Deny A"
adm group-create "PB Deny B"
on_exit "$ADLAB" admin group-delete "PB Deny B"
adm group-add "PB Deny A" "PB Deny B"
adm group-add "PB Deny B" 'MEMBER1$'
adm sid "PB Deny A"
SIDA=$ADM_OUT
DENY="(OD;;CR;$ENROLL;;$SIDA)"
adm ace template:LabMachine add "$DENY"
on_exit "$ADLAB" admin ace template:LabMachine del "$DENY"
adm dacl template:LabMachine
policy
note "   LabMachine: $(q 'tpl("LabMachine")["reason"]')"
expect_q 'tpl("LabMachine")["eligible"]' false "LabMachine eligible with the deny ACE"
expect_q 'tpl("LabMachine")["code"]' denied-enroll "LabMachine code with the deny ACE"
expect_true '"PB Deny A" in tpl("LabMachine")["reason"]' "the reason must name the group PB Deny A"
expect_true "'$SIDA' in tpl('LabMachine')['reason']" "the reason must name the SID $SIDA"
expect_q 'tpl("LabPending")["code"]' eligible "LabPending (no deny ACE) code"

adm ace template:LabMachine del "$DENY"
policy
expect_q 'tpl("LabMachine")["eligible"]' true "LabMachine eligible once the deny ACE is gone"
expect_q 'tpl("LabMachine")["code"]' eligible "LabMachine code once the deny ACE is gone"

note "2. LabNoEnroll: allow Enroll, then AutoEnroll, for Domain Computers"
on_exit "$ADLAB" admin ace template:LabNoEnroll del "(OA;;CR;$ENROLL;;DC)" del "(OA;;CR;$AE_RIGHT;;DC)"
adm ace template:LabNoEnroll add "(OA;;CR;$ENROLL;;DC)"
policy
note "   LabNoEnroll: $(q 'tpl("LabNoEnroll")["reason"]')"
expect_q 'tpl("LabNoEnroll")["code"]' no-autoenroll "LabNoEnroll with Enroll only"
adm ace template:LabNoEnroll add "(OA;;CR;$AE_RIGHT;;DC)"
adm dacl template:LabNoEnroll
policy
note "   LabNoEnroll: $(q 'tpl("LabNoEnroll")["reason"]')"
expect_q 'tpl("LabNoEnroll")["eligible"]' true "LabNoEnroll eligible with Enroll+AutoEnroll for Domain Computers"
expect_q 'tpl("LabNoEnroll")["code"]' eligible "LabNoEnroll code with Enroll+AutoEnroll"
adm ace template:LabNoEnroll del "(OA;;CR;$ENROLL;;DC)" del "(OA;;CR;$AE_RIGHT;;DC)"
policy
expect_q 'tpl("LabNoEnroll")["code"]' no-enroll "LabNoEnroll code once the allows are gone"
pass
