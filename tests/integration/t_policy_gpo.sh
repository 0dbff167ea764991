#!/bin/bash
# The GPO list of MS-GPOL as `autoenroll policy --json` computes it for the
# member: the lab's "Lab AutoEnroll" GPO linked at the domain (AEPolicy 7)
# and "PB OU Policy" (AEPolicy 1) linked at OU=Servers, which holds MEMBER1:
#   1. the OU's GPO wins by precedence (applied after the domain's);
#   2. an enforced domain link wins over the OU;
#   3. block inheritance on the OU drops the non-enforced domain GPO
#      ("blocked") but 4. not an enforced one;
#   5. a disabled link is excluded ("link-disabled");
#   6. a security filter that leaves the member out excludes the GPO
#      ("denied-apply": Authenticated Users keep Read, lose Apply Group
#      Policy, which only the group "PB Filter" holds).
# Everything is asserted on settings.autoenrollment.aepolicy (value and
# source "<displayName> {GUID}") and gpos.applied / gpos.excluded. The lab
# is put back as it was (member in CN=Computers, links, OU, GPO, group).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
need_policy

LABGPO=$GPO_GUID
LABSRC="Lab AutoEnroll $LABGPO"

# precondition: the lab as built
policy
expect_q 'aep()["value"]' 7 "baseline AEPolicy"
expect_q 'aep()["source"]' "$LABSRC" "baseline AEPolicy source"
expect_q 'd["principal"]["dn"].split(",", 1)[1]' "CN=Computers,$BASEDN" "member's container"

adm ou-create Servers
on_exit "$ADLAB" admin ou-delete Servers
adm gpo-create "PB OU Policy" 1
OUGPO=$ADM_OUT
OUSRC="PB OU Policy $OUGPO"
on_exit "$ADLAB" admin gpo-delete "$OUGPO"
adm gpo-link "$OUGPO" OU=Servers
adm computer-move MEMBER1 OU=Servers
on_exit "$ADLAB" admin computer-move MEMBER1 computers
on_exit "$ADLAB" admin gpo-link "$LABGPO" domain
on_exit "$ADLAB" admin inheritance OU=Servers inherit

# 1. precedence: OU after domain
note "1. OU=Servers GPO vs domain GPO"
policy
expect_q 'd["principal"]["dn"].split(",", 1)[1]' "OU=Servers,$BASEDN" "member's container"
expect_q 'aep()["value"]' 1 "AEPolicy with the OU GPO"
expect_q 'aep()["source"]' "$OUSRC" "AEPolicy source with the OU GPO"
expect_true 'gpos().index("Lab AutoEnroll") < gpos().index("PB OU Policy")' \
	"the domain GPO must come before (lower precedence than) the OU GPO"
expect_q 'gpo("PB OU Policy")["som_type"]' OU "som_type of the OU link"
expect_q 'gpo("PB OU Policy")["som_dn"]' "OU=Servers,$BASEDN" "som_dn of the OU link"
expect_q 'gpo("PB OU Policy")["guid"]' "$OUGPO" "guid of the OU GPO"
expect_q 'gpo("Lab AutoEnroll")["som_type"]' domain "som_type of the domain link"

# 2. enforced domain link wins
note "2. enforced domain link"
adm gpo-link "$LABGPO" domain --enforce
policy
expect_q 'aep()["value"]' 7 "AEPolicy with the domain link enforced"
expect_q 'aep()["source"]' "$LABSRC" "AEPolicy source with the domain link enforced"
expect_q 'gpo("Lab AutoEnroll")["enforced"]' true "enforced flag"
expect_true 'gpos().index("PB OU Policy") < gpos().index("Lab AutoEnroll")' \
	"the enforced domain GPO must come after (win over) the OU GPO"

# 3. block inheritance drops the non-enforced domain GPO
note "3. block inheritance at OU=Servers, domain link not enforced"
adm gpo-link "$LABGPO" domain
adm inheritance OU=Servers block
policy
expect_q 'aep()["value"]' 1 "AEPolicy with inheritance blocked"
expect_q 'aep()["source"]' "$OUSRC" "AEPolicy source with inheritance blocked"
expect_q '"Lab AutoEnroll" in gpos()' false "blocked domain GPO applied"
expect_q "excl('$LABGPO')['reason']" blocked "exclusion of the domain GPO"
expect_q "excl('$LABGPO')['som_dn']" "$BASEDN" "som_dn of the blocked link"

# 4. ... but not an enforced one
note "4. block inheritance at OU=Servers, domain link enforced"
adm gpo-link "$LABGPO" domain --enforce
policy
expect_q 'aep()["value"]' 7 "AEPolicy with inheritance blocked and the domain link enforced"
expect_q 'aep()["source"]' "$LABSRC" "AEPolicy source (blocked + enforced)"
expect_q 'gpo("Lab AutoEnroll")["enforced"]' true "enforced flag (blocked + enforced)"
expect_q "excl('$LABGPO')" null "the enforced domain GPO must not be excluded"
adm gpo-link "$LABGPO" domain
adm inheritance OU=Servers inherit

# 5. a disabled link is excluded
note "5. OU link disabled"
adm gpo-link "$OUGPO" OU=Servers --disable
policy
expect_q 'aep()["value"]' 7 "AEPolicy with the OU link disabled"
expect_q 'aep()["source"]' "$LABSRC" "AEPolicy source with the OU link disabled"
expect_q '"PB OU Policy" in gpos()' false "GPO of a disabled link applied"
expect_q "excl('$OUGPO')['reason']" link-disabled "exclusion of the disabled link"
adm gpo-link "$OUGPO" OU=Servers

# 6. security filtering
note "6. security filtering: Apply Group Policy only for PB Filter (member not in it)"
adm group-create "PB Filter"
on_exit "$ADLAB" admin group-delete "PB Filter"
adm gpo-filter "$OUGPO" "PB Filter"
on_exit "$ADLAB" admin gpo-unfilter "$OUGPO" "PB Filter"
policy
expect_q 'aep()["value"]' 7 "AEPolicy with the OU GPO filtered away"
expect_q 'aep()["source"]' "$LABSRC" "AEPolicy source with the OU GPO filtered away"
expect_q '"PB OU Policy" in gpos()' false "security-filtered GPO applied"
expect_q "excl('$OUGPO')['reason']" denied-apply "exclusion of the filtered GPO"
note "   why: $(q "excl('$OUGPO')['why']")"

# and back: the member in the group makes it apply again
adm group-add "PB Filter" 'MEMBER1$'
policy
expect_q 'aep()["value"]' 1 "AEPolicy once the member is in PB Filter"
expect_q 'aep()["source"]' "$OUSRC" "AEPolicy source once the member is in PB Filter"
pass
