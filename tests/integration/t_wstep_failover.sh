#!/bin/bash
# Failover between the CES end points of a CA (MS-WSTEP): the test CEP gives
# LAB-CA two more Kerberos end points ahead of its own (its cep.json,
# restored on exit): first one where nothing listens (connection refused),
# then the self-signed listener (a TLS certificate that does not verify).
# A store, state and cache directory of the scenario's own, the CEP as a
# local policy server:
#   * `run` enrolls LabMachine through the third end point (the lab CA's
#     listener); the item names it, and names the two that failed first
#     with their causes (connection refused; TLS certificate refused,
#     nothing sent);
#   * nothing reached the CES but the requests through the good listener
#     (one per template asked), and no MS-ICPR bind.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
. "$(dirname "$0")/cycle/lib.sh"
. "$SRCDIR/tests/cep/scenario-lib.sh"
cep_need

DOWN="https://$CEP_FQDN:$CEP_DOWN_PORT/${CANAME}_CES_Kerberos/service.svc/CES"
BAD=$CES_BAD_URL_KERBEROS
CEPJSON=$LAB/cep/cep.json
[ -f "$CEPJSON" ] || fail "no $CEPJSON (the test CEP's configuration)"
cp -p "$CEPJSON" "$WORK/$NAME.cep.json"
on_exit cp -p "$WORK/$NAME.cep.json" "$CEPJSON"
/usr/bin/python3 - "$CEPJSON" "$DOWN" "$BAD" << 'EOF' || fail "cannot edit $CEPJSON"
import json, sys
p, down, bad = sys.argv[1:4]
c = json.load(open(p))
for ca in c["cas"]:
    if ca["name"] == "LAB-CA":
        ca["uris"][:0] = [{"auth": "kerberos", "uri": u, "priority": 0, "renewal_only": False}
                          for u in (down, bad)]
json.dump(c, open(p + ".new", "w"), indent=1)
EOF
mv "$CEPJSON.new" "$CEPJSON"
note "LAB-CA's end points: $DOWN, $BAD (priority 0), then its own"

cep_own_dirs failover
cep_local_server "$CEP_URL_KERBEROS_CB"

cep_log_mark
cycle
expect_rc_in 0 3
expect_item LabMachine enroll no-certificate "done"
[ "$(cq 'd["counts"]["rpc_binds"]')" = 0 ] || fail "MS-ICPR binds: $(cq 'd["counts"]')"
reason=$(cq 'item("LabMachine", "enroll")["reason"]')
[[ $reason == *"(MS-WSTEP: $CES_URL_KERBEROS, wstep kerberos)"* ]] ||
	fail "LabMachine was not enrolled through $CES_URL_KERBEROS: $reason"
[[ $reason == *"end points that failed first: $DOWN: "* ]] ||
	fail "the item does not name the end point that was down first: $reason"
[[ $reason == *"$BAD: TLS server certificate refused, nothing sent"* ]] ||
	fail "the item does not name the end point whose certificate did not verify: $reason"
note "failed first, named in the item: ${reason#*failed first: }"
asked=$(cq 'len([x for x in d["items"] if x["action"] in ("enroll", "renew", "retrieve")])')
ces=$(cep_log_since | grep -c '_CES_')
[ "$ces" = "$asked" ] ||
	fail "the CES got $ces requests for $asked templates asked: something went through the unverified listener"
expect_issued "$STORE" LabMachine
pass
