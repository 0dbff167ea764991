#!/bin/bash
# Issue I, a hung DC: the KDC does not answer (the DC's samba process
# stopped: KDC, LDAP, RPC and DNS; smbd runs). `policy` needs a new machine
# ticket first: exit 5 within the stated bound (README "Timeouts": one KDC
# request waits 30 s in Samba's Kerberos client, then the 3 s liveness probe
# that tells a hung KDC from a wrong realm), the KDC and the DC named; not a
# wrong realm (6). After SIGCONT the next run reads the policy (exit 0).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hang-lib.sh"
# no kept machine ticket (transport/ae_creds_cache.h): this run must ask the KDC
rm -f "$LAB/member/cache/autoenroll/krb5cc.machine"
hang_stop samba
AE_TIMEOUT=90 ae --option "autoenroll:dc=dc1.lab.example.com" \
	--option "autoenroll:network timeout=$HANG_TIMEOUT" policy
[ "$AE_RC" != 124 ] || fail "the run did not end within 90 s"
expect_rc 5
expect_output 'Kerberos ticket .* from the KDC' "the KDC step"
expect_output 'dc1\.lab\.example\.com' "the DC"
printf '%s\n' "$AE_ALL" | grep -q "realm' in smb.conf" && fail "a hung KDC was taken for a wrong realm"
hang_continue
ae policy
expect_rc 0
pass
