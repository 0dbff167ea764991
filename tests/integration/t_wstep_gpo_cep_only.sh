#!/bin/bash
# A GPO whose PolicyServers lists only the lab CEP ([MS-CAESO] 4.4.5.3.2.2,
# the Windows Registry values under Cryptography\PolicyServers): the lab
# GPO's Machine/Registry.pol is replaced (version bumped; the original put
# back on exit) with AEPolicy 7 and one group, the CEP's own PolicyID
# (cep.json), Flags 16 (AutoEnrollmentEnabled), Kerberos:
#   cost 1  $CEP_DOWN_URL_KERBEROS  (nothing listens: connection refused)
#   cost 2  $CEP_URL_KERBEROS_CB    (the CEP requiring channel bindings)
# No LDAP: end point: the AD policy is not read. A store, state and cache
# directory of the scenario's own (no local policy server, no cached XCEP
# answer), the machine's own credentials:
#   1. `run` enrolls LabMachine over MS-WSTEP: the cost-1 end point failed
#      and is named (the run's policy_servers, with the cause), the CB
#      one served the group (the backend got
#      its GetPolicies, the request went to its CES: RequestSecurityToken,
#      Issue LabMachine -> LAB-CA id=N); the item names the CES URL; 0
#      MS-ICPR binds and no icpr_ca line for the request in the DC's log;
#      the CA's record N is LabMachine's, requested by MEMBER1$; `openssl
#      verify` against the lab CA passes;
#   2. LabPending, taken under submission by the CES in run 1, issued by the
#      CA: the next run fetches it (QueryTokenStatus through the CES); a run
#      after that makes no request (counts.requests 0, nothing at the CES,
#      no new CA record, no MS-ICPR call);
#   3. `policy` shows the servers: the :4444 end point failed (with the
#      cause), the CB one used, no AD policy (no AD-only template).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
. "$(dirname "$0")/cycle/lib.sh"
. "$SRCDIR/tests/cep/scenario-lib.sh"
cep_need

cep_gpo_env
note "the CEP's PolicyID $CEPID"

cep_gpo_servers cep-only --server "$CEP_DOWN_URL_KERBEROS,$CEPID,2,1,16" \
	--server "$CEP_URL_KERBEROS_CB,$CEPID,2,2,16"
note "lab GPO: PolicyServers $CEP_DOWN_URL_KERBEROS (cost 1), $CEP_URL_KERBEROS_CB (cost 2)"

cep_own_dirs cep-only
D=$WORK/$NAME/cep-only


# -- 1. enrollment over the GPO's CEP, the cost-1 end point down ---------------
n0=$(ca_count)
cep_log_mark
dc_mark
err_mark
note "the DC's logs have $DC_MARK icpr_ca line(s) so far"
cycle
expect_rc_in 0 3
expect_item LabMachine enroll no-certificate "done"
[ "$(cq 'd["counts"]["rpc_binds"]')" = 0 ] || fail "MS-ICPR binds: $(cq 'd["counts"]')"
# the report: the cost-1 end point tried first, failed and named; the CB one served the group
servers=$(cq '[(s["origin"], s["kind"], s["url"], s["cost"], s["state"]) for s in d["policy_servers"]]')
[ "$servers" = "$(printf '[["gpo", "xcep", "%s", 1, "failed"], ["gpo", "xcep", "%s", 2, "used"]]' \
	"$CEP_DOWN_URL_KERBEROS" "$CEP_URL_KERBEROS_CB")" ] || fail "the run's policy servers: $servers"
why=$(cq 'd["policy_servers"][0]["note"]')
[ -n "$why" ] && [ "$why" != null ] || fail "the run does not say why $CEP_DOWN_URL_KERBEROS failed"
[[ $why == *"$CEP_DOWN_URL_KERBEROS"* ]] || fail "the failure's note does not name the end point: $why"
note "policy servers: $servers"
note "failed first: $why"
# the cost-2 end point served the group: GetPolicies over Kerberos with channel bindings
cep_log_expect endpoint=ADPolicyProvider_CEP_Kerberos &&
	fail "something reached the CEP's non-CB Kerberos end point"
cep_log_expect endpoint=ADPolicyProvider_CEP_KerberosCB kind=kerberos-cb \
	principal="MEMBER1\$@LAB.EXAMPLE.COM" status=200 ||
	fail "the CB end point did not serve GetPolicies: $(cep_log_since | head -n 3)"
note "GetPolicies served by ADPolicyProvider_CEP_KerberosCB (kerberos-cb, MEMBER1\$)"
# the item names the CES URL it went through
reason=$(cq 'item("LabMachine", "enroll")["reason"]')
ces=$(printf '%s' "$reason" | grep -o "(MS-WSTEP: https://$CEP_FQDN/[A-Za-z0-9-]*_CES_[A-Za-z]*/service.svc/CES, wstep kerberos)" | head -n 1)
[ -n "$ces" ] || fail "LabMachine's item does not name a CES URL: $reason"
ces=${ces#(MS-WSTEP: }
ces=${ces%, wstep kerberos)}
ep=${ces#https://"$CEP_FQDN"/}
ep=${ep%/service.svc/CES}
note "LabMachine enrolled through $ces"
cep_log_expect endpoint="$ep" principal="MEMBER1\$@LAB.EXAMPLE.COM" status=200 ||
	fail "the CES $ep got no request of MEMBER1\$: $(cep_log_since | grep _CES_ | head -n 2)"
# the CES's RequestSecurityToken, and the CA record it made
id=$(cq 'item("LabMachine", "enroll")["request_id"]')
[[ $id =~ ^[1-9][0-9]*$ ]] || fail "no request id in LabMachine's item"
line=$(err_since | grep -F "cepapp: " | grep -F "Issue LabMachine -> " | grep -E " id=$id " | head -n 1)
[ -n "$line" ] || fail "the CES's log has no RequestSecurityToken (Issue LabMachine) for request $id: $(err_since | tail -n 3)"
[[ $line == *"Issue LabMachine -> $CANAME id=$id "* ]] ||
	fail "request $id was not made at $CANAME by the CES: $line"
note "CES: ${line#cepapp: }"
[ "$(ca_list | awk -v i="$id" '$1 == i {print $3}')" = LabMachine ] ||
	fail "the CA has no LabMachine record $id: $(ca_list | tail -n 3)"
[ "$(ca_count)" = $((n0 + $(cq 'len([x for x in d["items"] if x["action"] in ("enroll", "renew", "retrieve")])'))) ] ||
	fail "$(($(ca_count) - n0)) new CA record(s) for $(cq 'len(d["items"])') item(s)"
who=$(ca_run requester "$id" 2> /dev/null)
[[ ${who^^} == *'\MEMBER1$' ]] || fail "CA request $id was made for '$who', not the machine"
# no MS-ICPR CertServerRequest reached the DC's CA module
if [ -n "$(dc_since)" ]; then
	fail "the DC's CA module logged MS-ICPR calls: $(dc_since | head -n 2)"
fi
note "CA record $id (LabMachine, requester $who) made by the CES; no icpr_ca line in the DC's log"
expect_issued "$STORE" LabMachine

# -- 2. the next runs: LabPending retrieved, then nothing to request ---------
# LabPending (CA-manager approval) was taken under submission by the CES:
# the CA issues it, the next run fetches it (QueryTokenStatus, over the CES)
pid=$(cq 'item("LabPending", "enroll")["request_id"]')
[[ $pid =~ ^[1-9][0-9]*$ ]] || fail "LabPending: no pending request id (items: $(cq 'acts("LabPending")'))"
ca_admin issue "$pid"
cep_log_mark
err_mark
cycle
expect_rc_in 0
expect_item LabMachine skip "" skipped
expect_item LabPending retrieve pending "done"
[ "$(cq 'd["counts"]["requests"]')" = 1 ] || fail "the retrieval run: $(cq 'd["counts"]')"
err_since | qgrep "QueryTokenStatus $pid -> $CANAME " ||
	fail "LabPending's request $pid was not fetched through the CES: $(err_since | tail -n 2)"
if err_since | qgrep 'Issue '; then
	fail "the retrieval run submitted a new request: $(err_since | grep 'Issue ' | head -n 1)"
fi
note "LabPending request $pid issued by the CA, fetched over the CES"
n1=$(ca_count)
cep_log_mark
dc_mark
cycle
expect_rc_in 0
expect_item LabMachine skip "" skipped
[ "$(cq 'd["counts"]["requests"]')" = 0 ] || fail "a run with everything issued sent requests: $(cq 'd["counts"]')"
[ "$(cq 'd["counts"]["rpc_binds"]')" = 0 ] || fail "MS-ICPR binds: $(cq 'd["counts"]')"
if cep_log_since | qgrep '_CES_'; then
	fail "the CES got requests: $(cep_log_since | grep _CES_ | head -n 2)"
fi
[ "$(ca_count)" = "$n1" ] || fail "the run made $(($(ca_count) - n1)) CA record(s)"
[ -z "$(dc_since)" ] || fail "MS-ICPR calls at the DC: $(dc_since | head -n 1)"
note "a run with both issued: no request (counts $(cq 'd["counts"]')); policy servers $(cq '[(s["url"], s["state"], s["from_cache"]) for s in d["policy_servers"]]')"

# -- 3. `policy`: the servers, no AD policy ------------------------------------
rm -f "$D"/cache/autoenroll/xcep/*.xcep
cep_log_mark
cpolicy
note "  servers: $(q '[(s["url"], s["cost"], s["state"]) for s in d["policy_servers"]]')"
expect_q '[(s["origin"], s["kind"], s["url"], s["state"]) for s in d["policy_servers"]]' \
	"$(printf '[["gpo", "xcep", "%s", "failed"], ["gpo", "xcep", "%s", "used"]]' \
		"$CEP_DOWN_URL_KERBEROS" "$CEP_URL_KERBEROS_CB")" "the GPO's two end points"
expect_true 'd["policy_servers"][0]["note"] not in (None, "")' "the cause of the :$CEP_DOWN_PORT failure"
note "  failed: $(q 'd["policy_servers"][0]["note"]')"
expect_q 'd["settings"]["use_ad_policy"]' false "the AD policy not used"
note "  settings: $(q 'd["settings"]["policy_note"]')"
expect_true '"LabUnpublished" not in [t["name"] for t in d["templates"]]' "no AD template read"
expect_true 'len(d["cas"]) > 0 and all(c["xcep"] for c in d["cas"])' "only the CEP's CAs"
expect_true 'all(t["policy_server"] == "'"$CEP_URL_KERBEROS_CB"'" for t in d["templates"])' \
	"every template from the CB end point"
cep_log_expect endpoint=ADPolicyProvider_CEP_KerberosCB status=200 ||
	fail "policy: the CB end point did not serve GetPolicies"
pass
