#!/bin/bash
# Fault suite, EIO from the store's file system (eiofs: tests/faults/eiofs.c)
# on the store lock and on LabMachine's state record; LabMachine enrolled on
# a healthy eiofs, then at renewal time (330 days on):
#   A. opening .lock fails (A2: flock(2) on it fails): exit 8 naming .lock
#      and "Input/output error"; nothing changed, no request; healed, the
#      next run renews;
#   B. every write of the record fails (begin's save, before the request):
#      exit 8 naming LabMachine.state and the cause; the pair and its
#      record unchanged, no request; healed, the next run renews;
#   C. the record's save after the CA issued (PENDING) fails once: the
#      certificate is installed directly (warned, naming the record and the
#      cause), one request;
#   D. every save of the record after the CA issued fails (PENDING, then the
#      commit point): exit 8 naming the request id, the record and the cause;
#      the old pair installed; the answer staged with the request id in the
#      staged record; healed, the next run (today) records it PENDING and
#      installs the certificate of THAT request, with no second request.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
. "$(dirname "$0")/cycle/lib.sh"
. "$(dirname "$0")/fault/lib.sh"
. "$(dirname "$0")/fault/eio-lib.sh"

# installed_req ID WHAT: LabMachine's certificate is the CA's for request ID
installed_req() {
	expect_issued "$STORE" LabMachine
	[ "$(serial_of "$STORE/LabMachine.crt")" = "$(canon_serial "$(ca_serial_of "$1")")" ] ||
		fail "$2: installed serial $(serial_of "$STORE/LabMachine.crt"), the CA issued $(ca_serial_of "$1") for request $1"
}

# refused_before_request LABEL RULE OP NAME FILE: the fault stops the
# renewal before the CA is asked (A, B)
refused_before_request() {
	local label=$1 rule=$2 op=$3 name=$4 file=$5 snap n0
	note "--- $label"
	eio_store "$(echo "$label" | tr -c 'a-z0-9\n' -)"
	snap=$(pair_snap)
	n0=$(ca_count LabMachine)
	eio_fault "$rule"
	cycle AE_TEST_NOW=+$FAULT_RENEW_AT
	expect_eio_hit "$op" "$name" "$label"
	eio_fault
	expect_rc 8
	expect_output "${file}[^\"]*Input/output error" "$label: the file and the cause"
	note "$label: exit 8, $(printf '%s\n' "$AE_ALL" |
		grep -m1 -oE "[^\"]*${file}[^\"]*Input/output error[^\"]*" | cut -c1-200)"
	[ "$(ca_count LabMachine)" = "$n0" ] ||
		fail "$label: the CA got $(($(ca_count LabMachine) - n0)) requests although nothing could be recorded"
	[ "$(pair_snap)" = "$snap" ] || fail "$label: the installed pair or its record changed"
	[ "$(stat -c %a "$STORE/LabMachine.key")" = 600 ] || fail "$label: LabMachine.key is not 0600"
	cycle AE_TEST_NOW=+$FAULT_RENEW_AT
	expect_rc_in 0 3
	expect_item LabMachine renew "" "done"
	expect_one_request "$n0" "$label, healed"
	installed_req "$REQ" "$label, healed"
	[ -z "$(find "$STORE" -maxdepth 1 -name 'LabMachine.*.new')" ] || fail "$label: staged files left"
	note "$label: healed, the next run renewed (request $REQ)"
}

refused_before_request "A: EIO opening the store lock" "open,create .lock" open .lock .lock
refused_before_request "A2: EIO taking the store lock" "flock .lock" flock .lock .lock
refused_before_request "B: EIO writing the record before the request" \
	"write LabMachine.state.tmp.*" write 'LabMachine.state.tmp.[0-9]+' LabMachine.state

note "--- C: the record's save after issuance fails once"
eio_store once
n0=$(ca_count LabMachine)
eio_fault "write LabMachine.state.tmp.* 1 1"
cycle AE_TEST_NOW=+$FAULT_RENEW_AT
expect_eio_hit write 'LabMachine.state.tmp.[0-9]+' "C"
eio_fault
expect_rc_in 0 3
expect_item LabMachine renew "" "done"
expect_output "LabMachine.state[^\"]*Input/output error[^\"]*installed directly" \
	"C: the record, the cause and what was done"
expect_one_request "$n0" "C"
installed_req "$REQ" "C"
grep -qx 'status=issued' "$STORE/LabMachine.state" || fail "C: LabMachine.state is not issued"
[ -z "$(find "$STORE" -maxdepth 1 -name 'LabMachine.*.new')" ] || fail "C: staged files left"
note "C: request $REQ installed directly: $(printf '%s\n' "$AE_ALL" |
	grep -m1 -oE "[^\"]*installed directly" | cut -c1-200)"

note "--- D: every save of the record after issuance fails"
eio_store always
snap=$(files_snap)
n0=$(ca_count LabMachine)
eio_fault "write LabMachine.state.tmp.* 0 1"
cycle AE_TEST_NOW=+$FAULT_RENEW_AT
expect_eio_hit write 'LabMachine.state.tmp.[0-9]+' "D"
eio_fault
expect_rc 8
expect_one_request "$n0" "D"
expect_output "request $REQ [^\"]*LabMachine.state: Input/output error" \
	"D: the request id, the record and the cause"
note "D: exit 8, $(printf '%s\n' "$AE_ALL" | grep -m1 -oE "[^\"]*request $REQ [^\"]*" | cut -c1-260)"
[ "$(files_snap)" = "$snap" ] || fail "D: the installed pair changed"
[ -z "$(pair_problems "$STORE")" ] || fail "D: $(pair_problems "$STORE")"
grep -qx "cert_request_id=$REQ" "$STORE/LabMachine.state.new" 2> /dev/null ||
	fail "D: the staged record does not hold request $REQ: the answer would be lost"
cycle
expect_rc_in 0 3
expect_output "request $REQ at CA [^\"]*answer staged" "D: the recovery"
expect_item LabMachine retrieve pending "done"
installed_req "$REQ" "D, healed"
[ "$(ca_count LabMachine)" = $((n0 + 1)) ] || fail "D: a second request at the CA"
[ -z "$(find "$STORE" -maxdepth 1 -name 'LabMachine.*.new')" ] || fail "D: staged files left"
[ -z "$(pair_problems "$STORE" all)" ] || fail "D: $(pair_problems "$STORE" all)"
note "D: healed, request $REQ's staged answer installed, no second request"
pass
