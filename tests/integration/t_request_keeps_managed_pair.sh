#!/bin/bash
# Finding D1 ("a key is lost"): `autoenroll request --template LabMachine`
# into the store `run` manages goes through the store's transitions:
#   - `run` enrolls LabMachine (serial A);
#   - `request --template LabMachine` into the same store (its default, the
#     store dir of smb.conf) installs serial B: the A pair is in archive/
#     under A's serial with an ARCHIVED record, LabMachine.state says B, and
#     status shows B;
#   - the next renewal (clock 330 days ahead) archives B under B's serial
#     (the old code overwrote A's key and certificate with no archive, kept
#     A's serial in the record, and archived B under A's name).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
. "$(dirname "$0")/cycle/lib.sh"

cyc_store keep
cycle
expect_rc_in 0 3
expect_item LabMachine enroll no-certificate "done"
a=$(serial_of "$STORE/LabMachine.crt")
note "run enrolled LabMachine: serial $a"

cae request --template LabMachine --json
expect_rc 0
expect_issued "$STORE" LabMachine
b=$(serial_of "$STORE/LabMachine.crt")
[ "$b" != "$a" ] || fail "request installed no new certificate (serial $a)"
expect_archived "$STORE" LabMachine "$a" archived
[ "$(canon_serial "$(sed -n 's/^serial=//p' "$STORE/LabMachine.state")")" = "$b" ] ||
	fail "LabMachine.state says serial $(sed -n 's/^serial=//p' "$STORE/LabMachine.state"), the installed certificate is $b"
grep -qx 'status=issued' "$STORE/LabMachine.state" || fail "LabMachine.state: $(grep '^status=' "$STORE/LabMachine.state")"
cstatus
[ "$(canon_serial "$(sq 'cert("LabMachine")["serial"]')")" = "$b" ] ||
	fail "status shows serial $(sq 'cert("LabMachine")["serial"]'), want $b"
probs=$(pair_problems "$STORE" all)
[ -z "$probs" ] || fail "store: $probs"
note "request: serial $a archived, $b installed, record and status say $b"

cycle AE_TEST_NOW=+$((330 * 86400))
expect_rc_in 0 3
expect_item LabMachine renew renewal-due "done"
c=$(serial_of "$STORE/LabMachine.crt")
[ "$c" != "$b" ] || fail "the renewal kept serial $b"
expect_archived "$STORE" LabMachine "$b" archived
expect_archived "$STORE" LabMachine "$a" archived
probs=$(pair_problems "$STORE" all)
[ -z "$probs" ] || fail "store: $probs"
note "renewal: $b archived under its own serial, $c installed"
pass
