#!/bin/bash
# A failed request backs off (issue D, finding 5): the lab CA denies
# LabMachine (`ca-admin deny-template LabMachine`: CERTSRV_E_TEMPLATE_DENIED
# although the template is eligible). In a fresh store:
#   - the first run asks once: enroll/no-certificate/denied, exit 4, and the
#     record counts the failure (failures=1, next_attempt an hour on);
#   - the second run sends nothing for LabMachine: skip/backing-off naming
#     the failures and until when (exit 0 or 3: nothing failed);
#   - two hours on (AE_TEST_NOW) with the CA allowing it again, the run asks
#     again, is issued, and the record's back-off is gone.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
. "$(dirname "$0")/cycle/lib.sh"

ca_run deny-template LabMachine 2> /dev/null || fail "ca-admin deny-template LabMachine"
on_exit ca_run allow-template LabMachine

cyc_store backoff
n0=$(ca_count LabMachine)
cycle
expect_rc 4
expect_item LabMachine enroll no-certificate denied
cq 'item("LabMachine", "enroll")["hresult_name"]' | qgrep CERTSRV_E_TEMPLATE_DENIED ||
	fail "the denial does not name CERTSRV_E_TEMPLATE_DENIED"
grep -qx 'failures=1' "$STORE/LabMachine.state" ||
	fail "LabMachine.state does not count the failure: $(tr '\n' ' ' < "$STORE/LabMachine.state")"
next=$(sed -n 's/^next_attempt=//p' "$STORE/LabMachine.state")
now=$(date +%s)
[ -n "$next" ] && [ "$next" -gt $((now + 3000)) ] && [ "$next" -le $((now + 3700)) ] ||
	fail "next_attempt=$next, want about an hour after $now"
[ "$(ca_count LabMachine)" = $((n0 + 1)) ] || fail "first run: $(($(ca_count LabMachine) - n0)) LabMachine requests, want 1"

cycle
expect_rc_in 0 3
expect_item LabMachine skip backing-off skipped
cq 'item("LabMachine")["reason"]' | qgrep 'backing off after 1 failed request until' ||
	fail "the skip does not say it backs off: $(cq 'item("LabMachine")["reason"]')"
[ "$(ca_count LabMachine)" = $((n0 + 1)) ] ||
	fail "two cycles made $(($(ca_count LabMachine) - n0)) LabMachine requests, want exactly 1"
note "second run: $(cq 'item("LabMachine")["reason"]')"

ca_run allow-template LabMachine 2> /dev/null || fail "ca-admin allow-template LabMachine"
cycle AE_TEST_NOW=+7200
expect_rc_in 0 3
expect_item LabMachine enroll no-certificate done
expect_issued "$STORE" LabMachine
! grep -qE '^(failures|next_attempt)=' "$STORE/LabMachine.state" ||
	fail "the back-off outlived the success: $(grep -E '^(failures|next_attempt)=' "$STORE/LabMachine.state" | tr '\n' ' ')"
[ "$(ca_count LabMachine)" = $((n0 + 2)) ] || fail "after the back-off: $(($(ca_count LabMachine) - n0)) requests, want 2"
pass
