#!/bin/bash
# Issue I, the whole cycle's bound: the DC hangs (its samba process stopped
# with SIGSTOP: LDAP, KDC, RPC, DNS) in the middle of a cycle, after the
# policy was read (test seam AE_TEST_PAUSE_AFTER_POLICY; the seam's wait is
# not counted). With autoenroll:network timeout = 10 s every step that
# follows waits 10 s: the CRL search, the MS-ICPR connect (TCP, then the
# named pipe), the Certification Authorities, AIA and NTAuth reads: 60 s
# and more without a cycle bound. With autoenroll:cycle timeout = 20 s the
# run ends at the deadline: exit 5 well within 2 x 20 s + 10 s (README
# "Timeouts"; generous: the machine is loaded), the first step that got no
# answer named with its cause (network timeout), the later ones refused
# naming the cycle's bound. Nothing is lost (the store's state records are
# unchanged) and after SIGCONT the next run is as before.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hang-lib.sh"
need_autoenroll
T=10 CYCLE=${HANG_CYCLE_TIMEOUT:-20} LIMIT=50	# HANG_CYCLE_TIMEOUT=3600: the check without the bound (it fails)
hang_store_ready
sums_before=$(cd "$store" && find . -type f \( -name '*.state' -o -name '*.crt' -o -name '*.key' \) -exec sha256sum {} + | sort)
hang_after_policy "${opts[@]}" --option "autoenroll:network timeout=$T" \
	--option "autoenroll:cycle timeout=$CYCLE" --ccache "FILE:$cc"
note "run -> exit $rc after ${secs}s (network timeout ${T}s, cycle timeout ${CYCLE}s)"
grep -E 'no answer|cycle timeout|not started|error' "$o" "$e" | cut -c1-240 | head -n 12 | sed 's/^/      | /'
[ "$rc" = 5 ] || fail "expected exit 5 (DC unreachable), got $rc"
[ "$secs" -lt "$LIMIT" ] || fail "took ${secs}s after the hang: the cycle's bound of ${CYCLE}s was not kept (limit ${LIMIT}s)"
grep -qE "no answer within $T s \(autoenroll:network timeout\)" "$o" "$e" ||
	fail "the first step that got no answer is not named with the network timeout"
grep -qE "(not started: the cycle's bound|no answer within the cycle's bound) of $CYCLE s \(autoenroll:cycle timeout\)" "$o" "$e" ||
	fail "the output does not say the cycle's bound was reached"
grep -qE "dc1\.lab\.example\.com" "$o" "$e" || fail "the output does not name the DC"
sums_after=$(cd "$store" && find . -type f \( -name '*.state' -o -name '*.crt' -o -name '*.key' \) -exec sha256sum {} + | sort)
[ "$sums_after" = "$sums_before" ] || fail "the store changed during the hung cycle"
hang_continue
ae "${opts[@]}" --ccache "FILE:$cc" run
expect_rc "$before"
pass
