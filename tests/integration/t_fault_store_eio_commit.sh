#!/bin/bash
# Fault suite, EIO from the store's file system (eiofs: tests/faults/eiofs.c)
# while a renewed certificate is installed, after the CA issued it:
# LabMachine enrolled on a healthy eiofs, then at renewal time (330 days on)
#   A. every write(2) of the staged certificate (LabMachine.crt.new) fails;
#   B. every fsync(2) of the staged chain (LabMachine.chain.pem.new) fails;
#      (both before the commit point: the record is PENDING)
#   C. every rename(2) of LabMachine.crt fails: the old certificate cannot
#      move to archive/ (after the commit point: the record is INSTALLING).
# Each: `run` exits 8 naming the file and "Input/output error" (and, for A
# and B, the CA's request id); the CA got exactly one request; the old pair
# is still installed and whole (certificate, key 0600, chain); the answer is
# not lost: the record holds the request id (A, B: PENDING; C: INSTALLING).
# Healed, the next run (today) installs the certificate the CA issued for THAT
# request (A, B: retrieve/pending/done; C: recovery finishes the install),
# with no second request at the CA, and the old pair goes to archive/.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
. "$(dirname "$0")/cycle/lib.sh"
. "$(dirname "$0")/fault/lib.sh"
. "$(dirname "$0")/fault/eio-lib.sh"

# old_pair_kept SNAP WHAT: the installed files are those of SNAP, and whole
old_pair_kept() {
	[ "$(files_snap)" = "$1" ] || fail "$2: the installed pair changed: '$1' -> '$(files_snap)'"
	[ "$(stat -c %a "$STORE/LabMachine.key")" = 600 ] || fail "$2: LabMachine.key is not 0600"
	[ -z "$(pair_problems "$STORE")" ] || fail "$2: $(pair_problems "$STORE")"
}

# record_holds STATUS WHAT: LabMachine.state says STATUS with request REQ
record_holds() {
	grep -qx "status=$1" "$STORE/LabMachine.state" ||
		fail "$2: LabMachine.state: $(grep '^status=' "$STORE/LabMachine.state"), want status=$1"
	grep -qx "request_id=$REQ" "$STORE/LabMachine.state" ||
		fail "$2: LabMachine.state does not hold request $REQ: the CA's answer is lost"
}

# commit_case LABEL OP GLOB FILE STATUS: the case described above (OP on
# the names GLOB matches fails; FILE: the name the error must give)
commit_case() {
	local label=$1 op=$2 glob=$3 file=$4 status=$5 snap n0 old
	note "--- $label"
	eio_store "$(echo "$label" | tr -c 'a-z0-9\n' -)"
	snap=$(files_snap)
	old=$(serial_of "$STORE/LabMachine.crt")
	n0=$(ca_count LabMachine)
	eio_fault "$op $glob"
	cycle AE_TEST_NOW=+$FAULT_RENEW_AT
	expect_eio_hit "$op" "$file.*" "$label"
	eio_fault
	expect_rc 8
	expect_one_request "$n0" "$label"
	expect_output "${file}[^\"]*Input/output error" "$label: the file and the cause"
	[ "$status" = installing ] || expect_output "request $REQ" "$label: the CA's request id"
	note "$label: exit 8, $(printf '%s\n' "$AE_ALL" |
		grep -m1 -oE "[^\"]*${file}[^\"]*Input/output error[^\"]*" | cut -c1-240)"
	old_pair_kept "$snap" "$label"
	record_holds "$status" "$label"
	note "$label: the old pair installed, LabMachine.state $status with request $REQ"
	# today, not 330 days on: the lab CA's new certificate would be due too
	cycle
	expect_rc_in 0 3
	if [ "$status" = pending ]; then
		expect_item LabMachine retrieve pending "done"
	else
		expect_output "finished an interrupted install" "$label: the recovery"
		expect_item LabMachine skip valid skipped
	fi
	expect_issued "$STORE" LabMachine
	[ "$(serial_of "$STORE/LabMachine.crt")" = "$(canon_serial "$(ca_serial_of "$REQ")")" ] ||
		fail "$label: installed serial $(serial_of "$STORE/LabMachine.crt"), the CA issued $(ca_serial_of "$REQ") for request $REQ"
	[ "$(ca_count LabMachine)" = $((n0 + 1)) ] ||
		fail "$label: the CA holds $((n0 + $(ca_count LabMachine) - n0 - 1)) more requests: a second request"
	[ -z "$(find "$STORE" -maxdepth 1 -name 'LabMachine.*.new')" ] || fail "$label: staged files left"
	expect_archived "$STORE" LabMachine "$old" archived
	[ -z "$(pair_problems "$STORE" all)" ] || fail "$label: $(pair_problems "$STORE" all)"
	note "$label: healed, request $REQ installed, no second request, the old pair archived"
}

commit_case "EIO writing the staged certificate" write 'LabMachine.crt.new.tmp.*' \
	LabMachine.crt.new pending
commit_case "EIO syncing the staged chain" fsync 'LabMachine.chain.pem.new.tmp.*' \
	LabMachine.chain.pem.new pending
commit_case "EIO moving the old certificate to archive" rename LabMachine.crt LabMachine.crt \
	installing
pass
