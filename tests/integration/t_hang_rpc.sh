#!/bin/bash
# Issue I, a hung DC: the CA's RPC server stops answering in the middle of
# a cycle (the DC's samba process stopped after the policy was read: the
# test seam AE_TEST_PAUSE_AFTER_POLICY holds the cycle there). The CRL
# search (LDAP) ends after autoenroll:network timeout (5 s); the MS-ICPR
# connect of each binding (endpoint mapper + TCP + bind; then the named
# pipe over smbd, which still runs, to the stopped RPC server) ends after
# the same bound (autoenroll:network timeout, 5 s each; Samba's own connect
# bound of 60 s no longer applies), except for a service ticket Samba's
# named-pipe connect asks the stopped KDC for (MIT krb5, about 30 s,
# blocking, not cut by a timer: README "Timeouts"): exit 5 within the bound (5 + 2 x 5 + 30 s
# and the reads that follow, 5 s each: about 57 s measured; the scenario
# allows 90 s), the CA, its host and the timeout named. The
# store keeps its pending request (the CA has it; nothing was sent in this
# run) and after SIGCONT the next run retrieves it as before.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hang-lib.sh"
need_autoenroll
hang_store_ready
states_before=$(cd "$store" && find . -name '*.state' | sort | tr '\n' ' ')
hang_after_policy "${opts[@]}" --option "autoenroll:network timeout=$HANG_TIMEOUT" \
	--ccache "FILE:$cc"
note "run -> exit $rc after ${secs}s"
sed 's/^/      | /' "$o" "$e" | tail -n 8
[ "$rc" = 5 ] || fail "expected exit 5 (CA unreachable), got $rc"
[ "$secs" -lt 90 ] || fail "took ${secs}s after the hang (README: each MS-ICPR connect within the network timeout)"
grep -qE "LAB-CA: cannot reach the MS-ICPR endpoint on dc1\.lab\.example\.com: .*no answer within $HANG_TIMEOUT s \(autoenroll:network timeout\)" "$o" "$e" ||
	fail "the output does not name the CA, its host and the timeout"
states_after=$(cd "$store" && find . -name '*.state' | sort | tr '\n' ' ')
[ "$states_after" = "$states_before" ] || fail "the store changed: '$states_before' -> '$states_after'"
hang_continue
ae "${opts[@]}" --ccache "FILE:$cc" run
expect_rc "$before"
pass
