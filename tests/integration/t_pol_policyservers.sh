#!/bin/bash
# The Windows-made PolicyServers policy (Samba's advanced_enroll_reg_pol:
# four end points of one PolicyID: "LDAP:" cost 2147483645, two Kerberos
# https end points cost 1, a Certificate one cost 10):
#   1. `autoenroll pol tests/gpo-fixtures/advanced_enroll.pol --json` groups
#      them as MS-CAESO 4.4.5.3.2.3 says: one group, the two cost-1 end points
#      first (registry order between equals), then cost 10, then LDAP:; https
#      "usable" (MS-XCEP policy servers), LDAP: "unchecked" (no forest to
#      check a file against);
#      tests/lab/make-registry-pol.py --policy-servers writes the same bytes;
#   2. the same policy in a GPO in SYSVOL ("PB PolicyServers", link order 1
#      at the domain) with PolicyID = {objectGUID of the forest root domain,
#      read with ldbsearch}: `policy --json` accepts the LDAP: end point
#      (state "usable", use_ad_policy true), same order, each setting's source
#      "PB PolicyServers {GUID}"; the cycle's policy servers: the three CEPs
#      (example*.com, not resolvable in the lab) failed, naming the cause,
#      then LDAP: of the same group used;
#   3. PolicyID of another forest: "policyid-mismatch", use_ad_policy false;
#      no policy server can be read: `policy --json` still prints the report
#      (LDAP: disabled with the reason) and exits 5.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"

LDAP_K=37c9dc30f207f27f61a2f7c3aed598a6e2920b54
CERT_K=144bdbb8e4717c26e408f3c9a0cb8d6cfacbcbbe
KERB0_K=20d46e856e9b9746c0b1265c328f126a7b3283a9
KERB1_K=855b5246433a48402ac4f5c3427566df26ccc9ac
ORDER="[\"$KERB0_K\", \"$KERB1_K\", \"$CERT_K\", \"$LDAP_K\"]"
FIXTURE=$SRCDIR/tests/gpo-fixtures/advanced_enroll.pol
FIXTURE_ID='{0A0B0C0D-0E0F-0001-0001-020304050607}'

# the group/end point checks common to the file and the SYSVOL case
check_grouping() { # POLICYID LDAP_STATE
	expect_q 'len(d["settings"]["policy_servers"]["endpoints"])' 4 "number of end points"
	expect_q 'len(d["settings"]["policy_servers"]["groups"])' 1 "number of groups"
	expect_q 'd["settings"]["policy_servers"]["groups"][0]["policy_id"]' "$1" "the group's PolicyID"
	expect_q 'd["settings"]["policy_servers"]["groups"][0]["enabled"]' true "the group enabled"
	expect_q 'd["settings"]["policy_servers"]["groups"][0]["order"]' "$ORDER" "order in the group"
	expect_q "[ep(k)['cost'] for k in $ORDER]" '[1, 1, 10, 2147483645]' "costs in group order"
	expect_q "[ep(k)['auth_flags'] for k in $ORDER]" '[2, 2, 8, 2]' "AuthFlags in group order"
	expect_q "[ep(k)['kind'] for k in $ORDER]" '["https", "https", "https", "ldap"]' "kinds in group order"
	expect_q "ep('$LDAP_K')['url']" "LDAP:" "URL of the LDAP end point"
	expect_q "ep('$LDAP_K')['policy_id']" "$1" "PolicyID of the LDAP end point"
	expect_q "[ep(k)['state'] for k in ${ORDER}[:3]]" '["usable", "usable", "usable"]' \
		"states of the https end points"
	expect_q "ep('$LDAP_K')['state']" "$2" "state of the LDAP: end point"
	expect_q 'd["settings"]["policy_servers"]["default"]["value"]' '{5AD0BE6D-3393-4940-BFC3-6E19555A8919}' \
		"PolicyServers default"
	expect_q 'd["settings"]["autoenrollment"]["offline_expiration_percent"]["value"]' 25 \
		"OfflineExpirationPercent"
}

note "1. the fixture, as a file"
/usr/bin/python3 "$SRCDIR/tests/lab/make-registry-pol.py" "$WORK/$NAME/fixture.pol" 7 \
	--policy-servers "$FIXTURE_ID" > /dev/null
cmp -s "$WORK/$NAME/fixture.pol" "$FIXTURE" ||
	fail "make-registry-pol.py --policy-servers differs from $FIXTURE"
AE_SHOW_LINES=0 ae pol "$FIXTURE" --json
expect_rc 0
printf '%s\n' "$AE_STDOUT" > "$PJ"
check_grouping "$FIXTURE_ID" unchecked
expect_q 'd["settings"]["use_ad_policy"]' false "use_ad_policy of a file"
note "   group order: $(q 'd["settings"]["policy_servers"]["groups"][0]["order"]')"

need_policy
note "2. the same policy in SYSVOL, PolicyID = the forest root's objectGUID"
FGUID=$("$ADLAB" admin ldbsearch -b "$BASEDN" -s base objectGUID 2> /dev/null |
	sed -n 's/^objectGUID: //p')
FGUID="{${FGUID^^}}"
adm forest-guid
[ "$ADM_OUT" = "$FGUID" ] || fail "forest root objectGUID: ldbsearch '$FGUID', rootDomainNamingContext '$ADM_OUT'"
[[ $FGUID =~ ^\{[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}\}$ ]] || fail "forest GUID '$FGUID'"
note "   forest root $BASEDN objectGUID $FGUID"
/usr/bin/python3 "$SRCDIR/tests/lab/make-registry-pol.py" "$WORK/$NAME/forest.pol" 7 \
	--policy-servers "$FGUID" > /dev/null
adm gpo-create "PB PolicyServers" "$WORK/$NAME/forest.pol"
G=$ADM_OUT
SRC="PB PolicyServers $G"
on_exit "$ADLAB" admin gpo-delete "$G"
adm gpo-link "$G" domain --top
policy
note "   LDAP: end point: $(q "ep('$LDAP_K')['state']"): $(q "ep('$LDAP_K')['note']")"
check_grouping "$FGUID" usable
expect_q "ep('$LDAP_K')['source']" "$SRC" "source of the LDAP: end point"
expect_q 'd["settings"]["policy_servers"]["default"]["source"]' "$SRC" "source of the PolicyServers default"
expect_q 'd["settings"]["forest_checked"]' true "forest_checked"
expect_q 'd["settings"]["use_ad_policy"]' true "use_ad_policy"
expect_q '[s["state"] for s in d["policy_servers"]]' '["failed", "failed", "failed", "used"]' \
	"the cycle's policy servers: three CEPs failed, then LDAP:"
expect_q '[s["origin"] for s in d["policy_servers"]]' '["gpo", "gpo", "gpo", "gpo"]' "origins"
expect_q '"Could not resolve host: example0.com" in d["policy_servers"][0]["note"]' true \
	"the first CEP's failure names its cause"
expect_q 'd["policy_servers"][3]["url"]' "LDAP:" "the AD end point, last by cost"
note "   policy servers: $(q '[(s["url"], s["state"]) for s in d["policy_servers"]]')"

note "3. PolicyID of another forest"
/usr/bin/python3 "$SRCDIR/tests/lab/make-registry-pol.py" "$WORK/$NAME/other.pol" 7 \
	--policy-servers "$FIXTURE_ID" > /dev/null
adm gpo-put "$G" "$WORK/$NAME/other.pol" --bump
AE_SHOW_LINES=0 ae policy --json
printf '%s\n' "$AE_STDOUT" > "$PJ"
[ "$AE_RC" = 5 ] || fail "policy --json with no readable policy server: exit $AE_RC, want 5"
expect_q '[s["state"] for s in d["policy_servers"]]' '["failed", "failed", "failed", "disabled"]' \
	"no policy server readable: the CEPs failed, LDAP: disabled"
expect_q '"not the forest root" in d["policy_servers"][3]["note"]' true "LDAP: disabled, with the reason"
note "   LDAP: end point: $(q "ep('$LDAP_K')['state']"): $(q "ep('$LDAP_K')['note']"); $(q 'd["settings"]["policy_note"]')"
check_grouping "$FIXTURE_ID" policyid-mismatch
expect_q 'd["settings"]["use_ad_policy"]' false "use_ad_policy with a foreign PolicyID"
pass
