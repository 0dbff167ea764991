#!/bin/bash
# Fault suite, the test CA's payload (ca-admin fault, tests/ca/ca_fault.h):
# the CA issues, then answers with a certificate or chain that must be
# refused: truncated, random bytes, a certificate for another key, a chain
# to a foreign CA (a self-signed CA with the same name as the lab CA's).
# Each, for a first enrollment and for a renewal (fault/lib.sh fault_case):
# exit 7 naming the template, the CA and the cause; nothing installed, the
# old pair intact; one request at the CA (its record says issued: a
# certificate for a key the client dropped, which nobody can use; the CA
# keeps it as any CA keeps what it issued); the next run recovers.
# FAULT_CASES="mode ..." runs only those.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
. "$(dirname "$0")/cycle/lib.sh"
. "$(dirname "$0")/fault/lib.sh"

on_exit ca_run fault off
declare -A cause=(
	[truncate-cert]='issued certificate .*does not parse'
	[garbage-cert]='issued certificate .*does not parse'
	[truncate-chain]='PKCS#7 chain .*does not parse'
	[garbage-chain]='PKCS#7 chain .*does not parse'
	[other-key]='does not match our key'
	[foreign-chain]='does not chain to the CA certificate published in AD'
)
for m in ${FAULT_CASES:-truncate-cert garbage-cert truncate-chain garbage-chain other-key foreign-chain}; do
	fault_case "$m" 7 "${cause[$m]}"
done
pass
