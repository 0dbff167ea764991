#!/bin/bash
# LabPending (PEND_ALL_REQUESTS): exit 3 with a request id; after
# 'ca-admin issue ID', retrieve installs the certificate (exit 0); after
# 'ca-admin deny ID2', retrieve exits 4 and installs nothing.
. "$(dirname "$0")/lib.sh"
d=$(out_dir issue)
pending_request LabPending "$d"
id=$REQ_ID
ca_admin issue "$id"
ae retrieve --ca LAB-CA --request-id "$id" --out "$d"
expect_rc 0
expect_issued "$d" LabPending
expect_template_oid "$d/LabPending.crt" "$FOREST_OID.1000.2"

d=$(out_dir deny)
pending_request LabPending "$d"
id2=$REQ_ID
[ "$id2" != "$id" ] || fail "second request got the same id $id"
ca_admin deny "$id2"
ae retrieve --ca LAB-CA --request-id "$id2" --out "$d"
expect_rc 4
[ -z "$(find "$d" -name '*.crt' -o -name '*.chain.pem')" ] ||
	fail "a certificate was installed for denied request $id2"
pass
