#!/bin/bash
# The test CEP/CES's logic (tests/cep/cepapp.py) with the real ca-local
# against the lab, without the web server: cepapp-setup.sh (LAB-CA2,
# cep.json), then handle() as the web server would call it, inside the
# lab's namespace: GetPolicies read by `autoenroll xcep`; an Issue at
# LAB-CA2 whose chain `openssl verify` accepts under the lab root;
# LabNoEnroll -> SOAP fault with CERTSRV_E_TEMPLATE_DENIED; LabPending ->
# pending, `ca-admin issue`, QueryTokenStatus -> issued; alice over the
# password end point (the KDC checks the UsernameToken; a wrong password
# -> 403); MEMBER1$ over the certificate end point with its LAB-CA2
# certificate (a self-signed one -> 403). Every answer is read by the
# client's own WSTEP parser (cepapp_wstep_check).
. "$(dirname "$0")/lib.sh"

CA_LOCAL=$BUILDDIR/tests/ca/ca-local
CHECK=$BUILDDIR/tests/ca/cepapp_wstep_check
[ -x "$CA_LOCAL" ] || fail "ca-local not built: $CA_LOCAL"
[ -x "$CHECK" ] || fail "cepapp_wstep_check not built: $CHECK"
need_autoenroll
D=$WORK/$NAME
rm -rf "$D"
mkdir -p "$D"
CA_LOCAL=$CA_LOCAL bash "$SRCDIR/tests/cep/cepapp-setup.sh" "$LAB" > "$D/setup.log" 2>&1 ||
	fail "cepapp-setup.sh: $(tail -n 3 "$D/setup.log" | tr '\n' ' ')"
note "$(tail -n 1 "$D/setup.log")"
timeout -k 5 300 ip netns exec "$NS" env CEPAPP_CONFIG="$LAB/cep/cep.json" \
	AUTOENROLL="$AUTOENROLL" WSTEP_CHECK="$CHECK" CA_ADMIN="$CA_ADMIN" \
	ICPR_CA_DIR="$LAB/ca" ICPR_SAM_LDB="$LAB/dc/private/sam.ldb" KRB5_CONFIG="$LAB/krb5.conf" \
	USERPASS="$USERPASS" WORK="$D" PYTHONDONTWRITEBYTECODE=1 \
	/usr/bin/python3 "$SRCDIR/tests/cep/test_cepapp_lab.py" > "$D/out" 2> "$D/err"
rc=$?
sed 's/^/      | /' "$D/out"
grep '^cepapp: ' "$D/err" | cut -c1-200 | sed 's/^/      | /'
[ $rc = 0 ] || fail "$(grep '^failed: ' "$D/out" | head -1 | cut -c1-300)${rc:+ (exit $rc)} $(grep -v '^cepapp: ' "$D/err" | tail -n 3 | tr '\n' ' ' | cut -c1-300)"
grep -q '"result": "pass"' "$D/out" || fail "the driver did not finish"
pass
