#!/bin/bash
# The AD group disabled in PolicyServers, two CAs behind the CEP ([MS-CAESO]
# 4.4.5.3.2.2: a group is used only when its Flags have AutoEnrollmentEnabled
# 0x10; [MS-XCEP] 3.1.4.1.3.5 CertificateEnrollmentPolicy, its cAReferences: the
# CAs that issue a template). The lab GPO's Machine/Registry.pol is replaced
# (version bumped; the original put back on exit) with AEPolicy 7 and
#   LDAP:                 the forest's PolicyID, cost 1, Flags 0 (disabled)
#   $CEP_URL_KERBEROS_CB  the CEP's PolicyID, cost 2, Flags 16
# and the CEP's cep.json (restored on exit) makes LabMachine's cAReferences
# name only LAB-CA2 (its template_cas, as cepapp-setup.sh's CEP_TEMPLATE_CAS
# writes it). A store, state and cache directory of the scenario's own:
#   1. `policy`: the CEP used, the LDAP: end point disabled with the reason
#      (AutoEnrollmentEnabled); the AD's Enrollment Services and templates
#      not read (every CA the CEP's, no AD-only template); LabMachine's CAs
#      are [LAB-CA2];
#   2. `run` enrolls LabMachine through LAB-CA2's CES: no MS-ICPR bind, no
#      icpr_ca line in the DC's log; the CES log shows LAB-CA2_CES_ and
#      "Issue LabMachine -> LAB-CA2 id=N" and no LabMachine submission to
#      another CA (LabPending, offered by both, may go to LAB-CA); LAB-CA2's
#      database has record N (LabMachine), LAB-CA's no new LabMachine record; the certificate's issuer is LAB-CA2
#      and it verifies (LAB-CA2 under the lab CA).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
. "$(dirname "$0")/cycle/lib.sh"
. "$SRCDIR/tests/cep/scenario-lib.sh"
cep_need

cep_gpo_env
CA2=$LAB/ca2
[ -s "$CA2/ca.pem" ] || fail "no LAB-CA2 ($CA2/ca.pem; cepapp-setup.sh makes it)"
adm forest-guid
FG=$ADM_OUT
[[ $FG =~ ^\{[0-9A-Fa-f-]{36}\}$ ]] || fail "forest-guid: '$FG'"
[ "${FG^^}" != "${CEPID^^}" ] || fail "the CEP's PolicyID is the forest's ($FG)"

# LabMachine offered by LAB-CA2 only (cAReferences)
cp -p "$CEPJSON" "$WORK/$NAME.cep.json"
on_exit cp -p "$WORK/$NAME.cep.json" "$CEPJSON"
/usr/bin/python3 - "$CEPJSON" << 'EOF' || fail "cannot edit $CEPJSON"
import json, sys
p = sys.argv[1]
c = json.load(open(p))
ca2 = [ca for ca in c["cas"] if ca["name"] == "LAB-CA2"]
if not ca2 or "LabMachine" not in (ca2[0]["templates"] or []):
    sys.exit("LAB-CA2 does not offer LabMachine in %s" % p)
c.setdefault("template_cas", {})["LabMachine"] = ["LAB-CA2"]
json.dump(c, open(p + ".new", "w"), indent=1)
EOF
mv "$CEPJSON.new" "$CEPJSON"
chmod 0644 "$CEPJSON"
note "cep.json: template_cas LabMachine=LAB-CA2"

cep_gpo_servers ad-disabled --server "LDAP:,$FG,2,1,0" --server "$CEP_URL_KERBEROS_CB,$CEPID,2,2,16"
note "lab GPO: PolicyServers LDAP: ($FG, cost 1, Flags 0), $CEP_URL_KERBEROS_CB ($CEPID, cost 2, Flags 16)"

cep_own_dirs ad-disabled

ca2_run() {
	ICPR_CA_DIR="$CA2" ICPR_CA_NAME=LAB-CA2 ICPR_SAM_LDB="$LAB/dc/private/sam.ldb" \
		timeout 60 "$CA_ADMIN" "$@"
}
ca2_list() { ca2_run list 2> /dev/null; }

# -- 1. the policy: the CEP only, the AD group disabled ------------------------
cpolicy
note "  servers: $(q '[(s["kind"], s["url"], s["state"], s["note"]) for s in d["policy_servers"]]')"
expect_q '[(s["origin"], s["kind"], s["state"]) for s in d["policy_servers"]]' \
	'[["gpo", "xcep", "used"], ["gpo", "ad", "disabled"]]' "the CEP used, the AD group disabled"
expect_q 'd["policy_servers"][0]["url"]' "$CEP_URL_KERBEROS_CB" "the CEP's URL"
expect_true '"AutoEnrollmentEnabled" in (d["policy_servers"][1]["note"] or "")' \
	"why the AD group is not used"
expect_q 'd["settings"]["use_ad_policy"]' false "the AD policy not used"
note "  settings: $(q 'd["settings"]["policy_note"]')"
expect_true '"LDAP:" in (d["settings"]["policy_note"] or "")' \
	"the policy says why the AD policy is not read"
expect_true '"LabUnpublished" not in [t["name"] for t in d["templates"]]' "no AD template read"
expect_true 'len(d["cas"]) == 2 and all(c["xcep"] for c in d["cas"])' \
	"only the CEP's CAs (the AD's Enrollment Services not read)"
expect_q 'tpl("LabMachine")["cas"]' '["LAB-CA2"]' "LabMachine's cAReferences"
note "  LabMachine's CAs: $(q 'tpl("LabMachine")["cas"]'); AD group: $(q 'd["policy_servers"][1]["note"]')"

# -- 2. the run: LAB-CA2's CES gets the request --------------------------------
n0=$(ca_count LabMachine)
m0=$(ca2_list | grep -c . || true)
cep_log_mark
dc_mark
err_mark
cycle
expect_rc_in 0 3
expect_item LabMachine enroll no-certificate "done"
[ "$(cq 'd["counts"]["rpc_binds"]')" = 0 ] || fail "MS-ICPR binds: $(cq 'd["counts"]')"
if [ -n "$(dc_since)" ]; then
	fail "the DC's CA module logged MS-ICPR calls: $(dc_since | head -n 2)"
fi
reason=$(cq 'item("LabMachine", "enroll")["reason"]')
[[ $reason == *"(MS-WSTEP: https://$CEP_FQDN/LAB-CA2_CES_"*", wstep kerberos)"* ]] ||
	fail "LabMachine was not enrolled through LAB-CA2's CES: $reason"
note "LabMachine: $reason"
cep_log_since | qgrep '"LAB-CA2_CES_' || fail "the backend log has no LAB-CA2_CES_ request"
# LabPending (both CAs in its cAReferences) may go to LAB-CA; LabMachine never
if err_since | grep -F "Issue LabMachine -> " | qgrep -v "Issue LabMachine -> LAB-CA2 "; then
	fail "LabMachine was submitted to another CA than LAB-CA2: $(err_since | grep -F "Issue LabMachine -> " | grep -v "LAB-CA2 ")"
fi
id=$(cq 'item("LabMachine", "enroll")["request_id"]')
[[ $id =~ ^[1-9][0-9]*$ ]] || fail "no request id in LabMachine's item"
line=$(err_since | grep -F "cepapp: " | grep -F "Issue LabMachine -> " | head -n 1)
[[ $line == *"Issue LabMachine -> LAB-CA2 id=$id "* ]] ||
	fail "the CES did not submit LabMachine to LAB-CA2 as request $id: ${line:-$(err_since | tail -n 2)}"
note "CES: ${line#cepapp: }"
[ "$(ca2_list | awk -v i="$id" '$1 == i {print $3}')" = LabMachine ] ||
	fail "LAB-CA2's database has no LabMachine record $id: $(ca2_list | tail -n 3)"
[ "$(ca2_list | grep -c .)" -gt "$m0" ] || fail "LAB-CA2's database has no new record"
[ "$(ca_count LabMachine)" = "$n0" ] ||
	fail "LAB-CA got $(($(ca_count LabMachine) - n0)) new LabMachine record(s)"
note "LAB-CA2's database: $(ca2_list | awk -v i="$id" '$1 == i'); LAB-CA: no new LabMachine record"
crt=$STORE/LabMachine.crt
[ -s "$crt" ] || fail "no $crt"
issuer=$(openssl x509 -in "$crt" -noout -issuer -nameopt RFC2253 2>&1)
[[ $issuer == *"CN=LAB-CA2,"* ]] || fail "LabMachine.crt's issuer: $issuer"
[ "$(openssl x509 -in "$crt" -noout -issuer_hash)" = "$(openssl x509 -in "$CA2/ca.pem" -noout -subject_hash)" ] ||
	fail "LabMachine.crt's issuer is not LAB-CA2's subject"
v=$(openssl verify -CAfile "$LAB/ca/ca.pem" -untrusted "$CA2/ca.pem" "$crt" 2>&1) ||
	fail "openssl verify (LAB-CA2 under the lab CA): $v"
note "$issuer; openssl verify: $v"
[ "$(cert_fact "$crt" "$STORE/LabMachine.key" key_match)" = yes ] ||
	fail "LabMachine.key does not match LabMachine.crt"
pass
