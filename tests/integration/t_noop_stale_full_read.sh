#!/bin/bash
# The daily full read: the memo of a steady cycle is trusted for a day at
# most (what only a full read sees: deleted objects, a site move). In a
# steady store, a run with the clock 23 hours ahead (AE_TEST_NOW) is still
# the fast path (LabMachine's renewal is months away); one 24 hours and a
# minute ahead reads everything again (noop false, GPT.INI over SMB); a run
# at the real time after that is not trusted either (a memo whose full read
# is in the future is not used) and then the fast path resumes.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
. "$(dirname "$0")/cycle/lib.sh"
. "$(dirname "$0")/noop/lib.sh"

cyc_store stale
noop_steady
expect_noop
cycle AE_TEST_NOW=+$((23 * 3600))
expect_noop
cycle AE_TEST_NOW=+$((24 * 3600 + 60))
expect_full "memo older than 24 h"
[ "$(cq 'd["counts"]["smb_reads"] > 0')" = true ] || fail "the daily full read read no GPT.INI"
[ "$(cq 'd["counts"]["requests"]')" = 0 ] || fail "the daily full read sent a request"
cycle
expect_full "back at the real time (the memo, if any, was written in the future)"
cycle
expect_noop
pass
