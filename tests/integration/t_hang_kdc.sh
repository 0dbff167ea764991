#!/bin/bash
# Issue I, a hung DC: the KDC does not answer (the DC's samba process
# stopped: KDC, LDAP, RPC and DNS; smbd runs). `policy` needs a new machine
# ticket first: exit 5 within the stated bound (README "Timeouts": the AS
# exchange ends after autoenroll:network timeout, 5 s here, instead of MIT
# krb5's own 30 s; then the 3 s liveness probe that tells a hung KDC from a
# wrong realm; the scenario allows 25 s), the KDC, the bound and the DC
# named; not a wrong realm (6). After SIGCONT the next run reads the policy
# (exit 0).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hang-lib.sh"
# no kept machine ticket (transport/ae_creds_cache.h): this run must ask the KDC
rm -f "$LAB/member/cache/autoenroll/krb5cc.machine"
hang_stop samba
start=$(date +%s)
AE_TIMEOUT=90 ae --option "autoenroll:dc=dc1.lab.example.com" \
	--option "autoenroll:network timeout=$HANG_TIMEOUT" policy
secs=$(($(date +%s) - start))
[ "$AE_RC" != 124 ] || fail "the run did not end within 90 s"
expect_rc 5
note "ended after ${secs}s"
[ "$secs" -lt 25 ] || fail "took ${secs}s: the KDC exchange is not bounded by the network timeout"
expect_output 'Kerberos ticket .* from the KDC' "the KDC step"
expect_output "no answer within $HANG_TIMEOUT s \(autoenroll:network timeout\)" "the bound"
expect_output 'dc1\.lab\.example\.com' "the DC"
grep -q "realm' in smb.conf" <<< "$AE_ALL" && fail "a hung KDC was taken for a wrong realm"
hang_continue
ae policy
expect_rc 0
pass
