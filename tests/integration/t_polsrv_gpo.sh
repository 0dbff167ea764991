#!/bin/bash
# PolicyServers decides which policy servers the cycle reads (`policy`):
#  1. a GPO (link order 1 at the domain) whose PolicyServers lists only the
#     lab CEP (Kerberos with channel bindings): only that server is used, no
#     AD policy is read (LabUnpublished, an AD-only template, is absent; the
#     directory is searched twice less than with the AD policy), every CA is
#     the CEP's, the backend served the GetPolicies;
#  2. EnrollmentPolicyFlags 0x4 (DisableUserServerList) in that GPO: a local
#     policy server is listed as disabled with the reason, not asked;
#  3. EnrollmentPolicyFlags 0x2 (DisableGroupPolicyList): the GPO's CEP is
#     disabled with the reason and the AD policy applies as without
#     PolicyServers (LabUnpublished is back);
#  4. the CEP's group disabled (Flags without 0x10) next to an enabled
#     LDAP: group with the forest's PolicyID: the AD policy only.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
. "$SRCDIR/tests/cep/scenario-lib.sh"
need_policy
cep_need
CONF=$LAB/member/state/autoenroll/policy-servers.conf
rm -f "$CONF" "$LAB"/member/cache/autoenroll/xcep/*.xcep
on_exit rm -f "$CONF"

mkpol() { # OUT ARGS...
	local out=$1
	shift
	/usr/bin/python3 "$SRCDIR/tests/lab/make-registry-pol.py" "$out" 7 "$@" > /dev/null ||
		fail "make-registry-pol.py $*"
}
states() { q '[(s["origin"], s["kind"], s["state"]) for s in d["policy_servers"]]'; }

note "0. the AD policy alone (no PolicyServers)"
policy
AD_SEARCHES=$(q 'd["counts"]["ldap_searches"]')
expect_true '"LabUnpublished" in [t["name"] for t in d["templates"]]' "the AD-only template with the AD policy"
expect_q '[(s["origin"], s["state"]) for s in d["policy_servers"]]' '[["default", "used"]]' "the default AD policy"

note "1. a GPO that lists only the CEP"
mkpol "$WORK/$NAME/cep.pol" --server "$CEP_URL_KERBEROS_CB,{LABCEP},2,10"
adm gpo-create "PB CEP only" "$WORK/$NAME/cep.pol"
G=$ADM_OUT
on_exit "$ADLAB" admin gpo-delete "$G"
adm gpo-link "$G" domain --top
cep_log_mark
policy
note "   servers: $(states)"
expect_q '[(s["origin"], s["kind"], s["state"]) for s in d["policy_servers"]]' \
	'[["gpo", "xcep", "used"]]' "only the GPO's CEP"
expect_q 'd["policy_servers"][0]["url"]' "$CEP_URL_KERBEROS_CB" "its URL"
expect_true '"LabUnpublished" not in [t["name"] for t in d["templates"]]' "no AD template read"
expect_true 'all(c["xcep"] for c in d["cas"]) and len(d["cas"]) == 2' "only the CEP's CAs"
expect_true 'all(t["policy_server"] == d["policy_servers"][0]["url"] for t in d["templates"])' \
	"every template from the CEP"
CEP_SEARCHES=$(q 'd["counts"]["ldap_searches"]')
# the GPO adds a GPO object read; the templates and Enrollment Services searches are gone
[ "$CEP_SEARCHES" -lt "$AD_SEARCHES" ] ||
	fail "LDAP searches with only the CEP: $CEP_SEARCHES, with the AD policy: $AD_SEARCHES"
note "   LDAP searches: $CEP_SEARCHES (AD policy: $AD_SEARCHES)"
cep_log_expect kind=kerberos-cb status=200 || fail "the CEP did not serve GetPolicies"

note "2. EnrollmentPolicyFlags 0x4: local policy servers ignored"
ae policy-server add "$CEP_URL_PASSWORD" --policy-id '{LOCALCEP}' --auth kerberos --cost 1
expect_rc 0
mkpol "$WORK/$NAME/no-local.pol" --server "$CEP_URL_KERBEROS_CB,{LABCEP},2,10" --ps-flags 4
adm gpo-put "$G" "$WORK/$NAME/no-local.pol" --bump
cep_log_mark
policy
note "   servers: $(states)"
expect_q '[(s["origin"], s["state"]) for s in d["policy_servers"]]' \
	'[["gpo", "used"], ["local", "disabled"]]' "the local server disabled"
expect_true '"DisableUserServerList" in d["policy_servers"][1]["note"]' "the reason"
cep_log_expect kind=password && fail "the forbidden local server was asked"

note "3. EnrollmentPolicyFlags 0x2: the GPO's list ignored"
mkpol "$WORK/$NAME/no-gpo.pol" --server "$CEP_URL_KERBEROS_CB,{LABCEP},2,10" --ps-flags 6
adm gpo-put "$G" "$WORK/$NAME/no-gpo.pol" --bump
policy
note "   servers: $(states)"
expect_q '[(s["origin"], s["state"]) for s in d["policy_servers"]]' \
	'[["default", "used"], ["gpo", "disabled"], ["local", "disabled"]]' "the AD policy as without PolicyServers"
expect_true '"DisableGroupPolicyList" in d["policy_servers"][1]["note"]' "the reason"
expect_true '"LabUnpublished" in [t["name"] for t in d["templates"]]' "the AD templates are back"

note "4. the CEP's group disabled, the forest's LDAP: group enabled"
adm forest-guid
FG=$ADM_OUT
mkpol "$WORK/$NAME/ldap.pol" --server "$CEP_URL_KERBEROS_CB,{LABCEP},2,10,0" \
	--server "LDAP:,$FG,2,2147483645"
adm gpo-put "$G" "$WORK/$NAME/ldap.pol" --bump
ae policy-server remove '{LOCALCEP}'
expect_rc 0
policy
note "   servers: $(states)"
expect_q '[(s["kind"], s["state"]) for s in d["policy_servers"]]' \
	'[["ad", "used"], ["xcep", "disabled"]]' "the AD policy only"
expect_true '"AutoEnrollmentEnabled" in d["policy_servers"][1]["note"]' "why the CEP is not used"
pass
