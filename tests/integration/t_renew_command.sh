#!/bin/bash
# `autoenroll renew TEMPLATE` forces a renewal now, signed with the current
# certificate (like certreq -enroll -machine -q renew):
#   - in a fresh store, `renew LabMachine` is refused with exit 6 and a
#     message saying to use `request`; nothing is sent for LabMachine;
#   - after `run` enrolled LabMachine (far from its renewal time),
#     `renew LabMachine` renews it: renew/forced/done and archive/replaced/
#     done; the CA's record says renews=<old serial>; the new certificate
#     has another serial; the old pair is in archive/ (ARCHIVED);
#   - a following `run` leaves the new certificate alone (skip/valid).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
. "$(dirname "$0")/cycle/lib.sh"

cyc_store renewcmd
n0=$(ca_count LabMachine)
CYCLE_CMD="renew LabMachine" cycle
expect_rc 6
expect_output "autoenroll request LabMachine" "the request command"
[ "$(ca_count LabMachine)" = "$n0" ] || fail "a refused renew sent a LabMachine request"
[ ! -e "$STORE/LabMachine.crt" ] || fail "a refused renew installed a certificate"

cycle
expect_rc_in 0 3
expect_item LabMachine enroll no-certificate done
old=$(serial_of "$STORE/LabMachine.crt")

CYCLE_CMD="renew LabMachine" cycle
expect_rc_in 0 3
expect_item LabMachine renew forced done
expect_item LabMachine archive replaced done
id=$(cq 'item("LabMachine", "renew")["request_id"]')
expect_issued "$STORE" LabMachine
new=$(serial_of "$STORE/LabMachine.crt")
[ "$new" != "$old" ] || fail "the renewed certificate has the old serial $old"
renews=$(ca_field "$id" renews)
[ -n "$renews" ] || fail "CA request $id is not a renewal (no renews=)"
[ "$(canon_serial "$renews")" = "$old" ] || fail "CA request $id renews $renews, want $old"
note "renew: CA request $id renews=$renews, serial $old -> $new"
expect_archived "$STORE" LabMachine "$old" archived
probs=$(pair_problems "$STORE")
[ -z "$probs" ] || fail "store: $probs"

cycle
expect_rc_in 0 3
expect_item LabMachine skip valid skipped
[ "$(serial_of "$STORE/LabMachine.crt")" = "$new" ] || fail "the renewed certificate was replaced again"
pass
