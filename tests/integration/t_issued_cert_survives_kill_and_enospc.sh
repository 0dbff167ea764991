#!/bin/bash
# Finding D4 / must-show 3 ("an issued certificate is thrown away"): once
# the CA has issued, its answer is recorded first (the template's record
# PENDING with the request id, before any certificate is written), so:
#   A. kill -9 right after the answer was recorded (AE_TEST_KILL_AT=
#      pending:saved, a test-seams build): the next `run` retrieves THAT
#      request from the CA by its id (retrieve/pending/done) and installs
#      the CA's certificate of that request; the CA gets no new request;
#   B. kill -9 after the certificate and chain were staged (commit:chain):
#      the next `run` installs the staged certificate (it matches the kept
#      key), with no new request either;
#   C. a full disk: the store on a small tmpfs (mounted here, unmounted at
#      the end), growing 4 KiB at a time: below some size `request` fails
#      before it asks the CA (no room for the key and the reservation of
#      the record); at the first size at which the CA is asked, its answer
#      must be recorded (the request id) while the certificate or its chain
#      cannot be staged (tmpfs counts whole pages); after the tmpfs grows,
#      `run` installs that request's certificate and the CA's request
#      count shows no second request.
# The old code rolled the ENROLLING record back on the next run (deleting
# the complete .crt.new/.key.new) and enrolled again: a second request.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
. "$(dirname "$0")/cycle/lib.sh"

# ca_serial_of ID: the serial the CA issued for request ID (ca-admin certs)
ca_serial_of() { ca_run certs 2> /dev/null | awk -v id="$1" '$4 == id { print $1 }' | head -n 1; }
ca_state_of() { ca_list | awk -v id="$1" '$1 == id { print $2 }'; }

# answered_not_installed: LabMachine's record is PENDING with a request id
# the CA has issued, no LabMachine.crt; sets ID
answered_not_installed() {
	grep -qx 'status=pending' "$STORE/LabMachine.state" 2> /dev/null ||
		fail "LabMachine.state: $(grep '^status=' "$STORE/LabMachine.state" 2> /dev/null), want status=pending"
	ID=$(sed -n 's/^request_id=//p' "$STORE/LabMachine.state")
	[[ $ID =~ ^[1-9][0-9]*$ ]] || fail "no request id in LabMachine.state"
	[ "$(ca_state_of "$ID")" = issued ] || fail "CA request $ID is '$(ca_state_of "$ID")', want issued"
	[ ! -e "$STORE/LabMachine.crt" ] || fail "LabMachine.crt installed although the run was stopped"
	[ -s "$STORE/LabMachine.key.new" ] || fail "the request's key LabMachine.key.new is gone"
}

# installed_without_new_request N0 ID: run; LabMachine has the CA's
# certificate of request ID and the CA holds N0 LabMachine requests
installed_without_new_request() {
	cycle
	expect_rc_in 0 3
	expect_item LabMachine retrieve pending "done"
	expect_issued "$STORE" LabMachine
	[ "$(serial_of "$STORE/LabMachine.crt")" = "$(canon_serial "$(ca_serial_of "$2")")" ] ||
		fail "installed serial $(serial_of "$STORE/LabMachine.crt"), the CA issued $(ca_serial_of "$2") for request $2"
	[ "$(ca_count LabMachine)" = "$1" ] ||
		fail "the CA holds $(ca_count LabMachine) LabMachine requests, want $1: a second request was made"
	[ -z "$(find "$STORE" -maxdepth 1 -name 'LabMachine.*.new')" ] || fail "staged files left"
}

note "A: kill -9 right after the CA's answer was recorded"
cyc_store kill-answer
n0=$(ca_count LabMachine)
cae AE_TEST_KILL_AT=pending:saved request --template LabMachine
[ "$AE_RC" = 137 ] || fail "the request was not killed at pending:saved (exit $AE_RC)"
answered_not_installed
[ "$(ca_count LabMachine)" = $((n0 + 1)) ] || fail "the CA holds $(($(ca_count LabMachine) - n0)) new requests, want 1"
installed_without_new_request $((n0 + 1)) "$ID"
note "A: request $ID retrieved by id and installed, no second request"

note "B: kill -9 after the certificate and chain were staged"
cyc_store kill-staged
n0=$(ca_count LabMachine)
cae AE_TEST_KILL_AT=commit:chain request --template LabMachine
[ "$AE_RC" = 137 ] || fail "the request was not killed at commit:chain (exit $AE_RC)"
answered_not_installed
[ -s "$STORE/LabMachine.crt.new" ] || fail "no staged LabMachine.crt.new"
staged=$(serial_of "$STORE/LabMachine.crt.new")
installed_without_new_request $((n0 + 1)) "$ID"
[ "$(serial_of "$STORE/LabMachine.crt")" = "$staged" ] || fail "the staged certificate $staged was not the one installed"
note "B: the staged certificate $staged installed, no second request"

note "C: the disk is full when the certificate is written"
M=$WORK/$NAME/tmpfs
mkdir -p "$M"
on_exit umount "$M"
cyc_store enospc
STORE=$M/store
sed -i '/autoenroll:store dir/d' "$CONF"
printf '\tautoenroll:store dir = %s\n' "$STORE" >> "$CONF"
found=""
for kb in 8 12 16 20 24 28 32 40 48; do
	mount -t tmpfs -o "size=${kb}k,mode=0700" tmpfs "$M" || fail "cannot mount a tmpfs on $M"
	n0=$(ca_count LabMachine)
	cae request --template LabMachine
	[ "$AE_RC" != 0 ] || fail "tmpfs of ${kb} KiB: the request fit; no size gave ENOSPC after the answer"
	if [ "$(ca_count LabMachine)" != "$n0" ]; then
		# the first size at which the CA was asked: its answer must be recorded
		grep -qx 'status=pending' "$STORE/LabMachine.state" 2> /dev/null ||
			fail "tmpfs of ${kb} KiB: the CA issued, but the request id is not recorded ($(grep '^status=' "$STORE/LabMachine.state" 2> /dev/null))"
		found=$kb
		break
	fi
	expect_output "No space left" "the full disk"
	note "tmpfs of ${kb} KiB: exit $AE_RC, no request sent (no room for the record); larger"
	umount "$M"
done
[ -n "$found" ] || fail "no tmpfs size made the certificate write fail"
expect_rc 8
answered_not_installed
n1=$(ca_count LabMachine)
note "tmpfs of $found KiB: request $ID issued, recorded, certificate not written (exit 8)"
mount -o remount,size=8m "$M"
installed_without_new_request "$n1" "$ID"
note "C: after the disk got space, request $ID's certificate installed, no second request"
pass
