#!/bin/bash
# Fault suite, the test CA's NDR (ca-admin fault, tests/ca/ca_fault.h): the
# CA issues, then its CertServerRequest answer is broken on the wire:
#   ndr-truncate  the stub cut to half its length
#   ndr-length    a blob whose cb/max_count claim 4096 bytes more than sent
#   ndr-garbage   the stub replaced by random bytes
#   huge          pctbCert one byte over the client's cap (ICPR_BLOB_MAX)
# The client's NDR layer (source/transport/ndr_icpr.c icpr_response_pull)
# refuses each (NT_STATUS_RPC_BAD_STUB_DATA): exit 7 naming the template,
# the CA and that the reply is not a valid CertServerRequest answer; for a
# first enrollment and a renewal (fault/lib.sh fault_case): nothing
# installed, the old pair intact, one request at the CA (issued there: the
# client never learnt its id and dropped its key), the next run recovers.
# FAULT_CASES="mode ..." runs only those.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
. "$(dirname "$0")/cycle/lib.sh"
. "$(dirname "$0")/fault/lib.sh"

on_exit ca_run fault off
for m in ${FAULT_CASES:-ndr-truncate ndr-length ndr-garbage huge}; do
	fault_case "$m" 7 'not a valid CertServerRequest answer'
done
pass
