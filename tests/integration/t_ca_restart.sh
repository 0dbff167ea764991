#!/bin/bash
# A pending request survives a restart of the DC (and so of the CA
# module): request LabPending, stop + start the DC, issue, retrieve.
. "$(dirname "$0")/lib.sh"
trap '"$ADLAB" start > /dev/null 2>&1' EXIT
d=$(out_dir out)
pending_request LabPending "$d"
id=$REQ_ID
"$ADLAB" stop | sed 's/^/  /' || fail "adlab.sh stop failed"
"$ADLAB" start | sed 's/^/  /' || fail "adlab.sh start failed"
ca_admin issue "$id"
ae retrieve --ca LAB-CA --request-id "$id" --out "$d"
expect_rc 0
expect_issued "$d" LabPending
pass
