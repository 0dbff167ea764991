#!/bin/bash
# Fault suite, a CA that answers late (ca-admin fault slow N, tests/ca/
# ca_fault.h: the answer is sent N seconds after the request was processed;
# the lab's samba runs the single process model, so the whole DC waits):
#   A. first enrollment, the answer 5 s late: the client waits for it and
#      installs the certificate (exit 0 or 3), one request at the CA;
#   B. renewal, the answer later than the client's MS-ICPR call timeout
#      (autoenroll:network timeout, set to SLOW_TIMEOUT = 10 s here): the run
#      ends with exit 5 naming the template, the CA and NT_STATUS_IO_TIMEOUT;
#      the installed pair unchanged (key 0600), nothing staged, one request
#      at the CA (issued there once the DC woke: the client dropped that
#      key, the certificate is unusable and harmless); once the CA answers
#      in time, the next run renews. The timed-out connection is not used
#      again by the cycle (ae_cycle_act.c conn_drop).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
. "$(dirname "$0")/cycle/lib.sh"
. "$(dirname "$0")/fault/lib.sh"

SLOW_TIMEOUT=${SLOW_TIMEOUT:-10}
# shellcheck disable=SC2034 # read by cycle/lib.sh's cycle
AE_TIMEOUT=$((SLOW_TIMEOUT * 3 + 60))
on_exit ca_run fault off

note "A: the answer 5 s late"
cyc_store slow
ca_fault slow 5 template=LabMachine
n0=$(ca_count LabMachine)
cycle
expect_rc_in 0 3
expect_item LabMachine enroll "" "done"
expect_issued "$STORE" LabMachine
expect_one_request "$n0" "late answer"
grep -q "FAULT slow (n=5) on the answer to request $REQ " "$LAB/dc/log.samba" ||
	fail "the DC's log (log.samba) does not show the 5 s delay of request $REQ"
note "A: waited for the late answer, request $REQ installed"

note "B: the answer later than the client's call timeout (${SLOW_TIMEOUT} s)"
snap=$(pair_snap)
ca_fault slow $((SLOW_TIMEOUT + 5)) template=LabMachine
n0=$(ca_count LabMachine)
printf '\tautoenroll:network timeout = %s\n' "$SLOW_TIMEOUT" >> "$CONF"
cycle AE_TEST_NOW=+$FAULT_RENEW_AT
expect_rc 5
expect_refused LabMachine renew
expect_output "template LabMachine.*CA $CA_NAME" "the template and the CA"
expect_output "NT_STATUS_IO_TIMEOUT" "the timeout"
expect_pair_unchanged "$snap" "timed out renewal"
# the timed-out connection is not reused for the cycle's next call to that
# CA (it used to get NT_STATUS_CONNECTION_DISCONNECTED on the dead one)
if printf "%s" "$AE_ALL" | qgrep "NT_STATUS_CONNECTION_DISCONNECTED"; then
	fail "a later call of the cycle reused the timed-out connection"
fi
ca_fault off
# the DC sleeps out the delay: wait (bounded) until the CA has answered
for _ in $(seq 1 120); do
	[ "$(ca_count LabMachine)" -gt "$n0" ] && [ "$(ca_state_of "$(ca_list | awk '$3 == "LabMachine" { id = $1 } END { print id }')")" = issued ] && break
	sleep 1
done
expect_one_request "$n0" "timed out renewal"
note "B: exit 5 (NT_STATUS_IO_TIMEOUT), the old pair intact; CA request $REQ is '$(ca_state_of "$REQ")'"
cycle AE_TEST_NOW=+$((FAULT_RENEW_AT + FAULT_BACKOFF))
expect_rc_in 0 3
expect_item LabMachine renew "" "done"
expect_issued "$STORE" LabMachine
note "B: the CA in time again, the next run renewed"
pass
