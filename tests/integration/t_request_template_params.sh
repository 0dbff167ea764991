#!/bin/bash
# What a template asks of the request, end to end through the test CA:
#   1. LabMachineP521, a copy of the CNG template LabMachineEC whose
#      msPKI-RA-Application-Policies name ECDSA_P521 and SHA512 (MS-CRTD
#      2.23.2; msPKI-Minimal-Key-Size 521), published for the scenario and
#      deleted on exit: `autoenroll request` without --key-type gets a P-521
#      key (before: the configured RSA-2048), the CA issues it, it verifies;
#   2. LabWebServer (CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT): the request carries
#      szOID_NTDS_CA_SECURITY_EXT with the machine's objectSid (MS-WCCE
#      2.2.2.7.7.4), which the test CA copies into the certificate only when
#      the request supplies it: the certificate has the extension and the
#      SID is the member's.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"

P521=LabMachineP521
P521_OID=$FOREST_OID.1000.73
ALG='msPKI-Asymmetric-Algorithm`PZPWSTR`ECDSA_P521`msPKI-Hash-Algorithm`PZPWSTR`SHA512`'
ALG="${ALG}msPKI-Key-Usage\`DWORD\`16777215\`"

note "1. $P521"
on_exit "$ADLAB" admin template-delete "$P521"
adm template-copy LabMachineEC "$P521" "$P521_OID" "msPKI-RA-Application-Policies=$ALG" \
	msPKI-Minimal-Key-Size=521
adm template-publish "$P521"
d=$(out_dir p521)
ae request --template "$P521" --out "$d"
expect_rc 0
expect_issued "$d" "$P521"
expect_template_oid "$d/$P521.crt" "$P521_OID"
txt=$(openssl x509 -in "$d/$P521.crt" -noout -text 2> /dev/null)
grep -q 'NIST CURVE: P-521' <<< "$txt" ||
	fail "$P521.crt: the key is not on P-521: $(grep -E 'Public-Key|NIST CURVE|ASN1 OID' <<< "$txt" |
		tr -s ' ' | tr '\n' ' ')"
note "$P521.crt: $(grep -E 'Public-Key:' <<< "$txt" | tr -s ' ') on P-521"

note "2. LabWebServer: the SID extension"
adm sid "${MEMBER_FQDN%%.*}\$"
sid=$ADM_OUT
[[ $sid =~ ^S-1-5-21-[0-9-]+$ ]] || fail "the member's objectSid '$sid'"
d=$(out_dir web)
ae request --template LabWebServer --out "$d"
expect_rc 0
expect_issued "$d" LabWebServer
txt=$(openssl x509 -in "$d/LabWebServer.crt" -noout -text 2> /dev/null)
grep -q '1\.3\.6\.1\.4\.1\.311\.25\.2:' <<< "$txt" ||
	fail "LabWebServer.crt has no szOID_NTDS_CA_SECURITY_EXT (1.3.6.1.4.1.311.25.2)"
# the extension's value (the OCTET STRING after its OID), parsed: its OCTET STRING is the SID
off=$(openssl asn1parse -in "$d/LabWebServer.crt" 2> /dev/null |
	grep -A1 ':1\.3\.6\.1\.4\.1\.311\.25\.2 *$' | tail -n 1 | cut -d: -f1 | tr -d ' ')
[[ $off =~ ^[0-9]+$ ]] || fail "LabWebServer.crt: cannot find the SID extension's value"
got=$(openssl asn1parse -in "$d/LabWebServer.crt" -strparse "$off" 2> /dev/null |
	sed -n 's/^.*prim: OCTET STRING *://p' | head -n 1 | tr -d ' ')
[ "$got" = "$sid" ] || fail "the SID extension holds '$got', want the member's $sid"
note "LabWebServer.crt: szOID_NTDS_CA_SECURITY_EXT with $got"
pass
