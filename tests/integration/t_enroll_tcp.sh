#!/bin/bash
# LabMachine over ncacn_ip_tcp: issued, verifies against the lab CA, DNS SAN
# from the computer's dNSHostName, v2 template extension with the
# LabMachine OID, key 0600 and matching the certificate.
. "$(dirname "$0")/lib.sh"
d=$(out_dir out)
ae request --template LabMachine --transport tcp --out "$d"
expect_rc 0
expect_issued "$d" LabMachine
expect_san_dns "$d/LabMachine.crt" "$MEMBER_FQDN"
expect_template_oid "$d/LabMachine.crt" "$FOREST_OID.1000.1"
pass
