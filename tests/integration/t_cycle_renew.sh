#!/bin/bash
# Renewal: `autoenroll run` enrolls LabMachine (1 year, renewal period 6
# weeks) into a fresh store; a run with the clock 330 days ahead
# (AE_TEST_NOW, test-seams build) is past renew-at and RENEWS:
#   - the item says renew/renewal-due/done, and archive/replaced/done;
#   - the CA took a renewal: its request record says renews=<old serial>,
#     and its certificate index links the two (renews / renewed_by);
#   - the new certificate has another serial and another key (LabMachine
#     does not require the same key), verifies against the lab CA, and its
#     key is in place;
#   - the old pair is in archive/ with an ARCHIVED record;
# then a run at the real time leaves the new certificate alone (skip/valid).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
. "$(dirname "$0")/cycle/lib.sh"

cyc_store renew
cycle
expect_rc_in 0 3
expect_item LabMachine enroll no-certificate "done"
expect_issued "$STORE" LabMachine
old=$(serial_of "$STORE/LabMachine.crt")
old_pub=$(pub_of_cert "$STORE/LabMachine.crt")
note "enrolled: serial $old, notAfter $(openssl x509 -in "$STORE/LabMachine.crt" -noout -enddate)"

cycle AE_TEST_NOW=+$((330 * 86400))
expect_rc_in 0 3
expect_item LabMachine renew renewal-due "done"
expect_item LabMachine archive replaced "done"
id=$(cq 'item("LabMachine", "renew")["request_id"]')
expect_issued "$STORE" LabMachine
new=$(serial_of "$STORE/LabMachine.crt")
[ "$new" != "$old" ] || fail "the renewed certificate has the old serial $old"
[ "$(pub_of_cert "$STORE/LabMachine.crt")" != "$old_pub" ] ||
	fail "the renewed certificate has the old key (LabMachine does not require the same key)"
note "renewed: request $id, serial $old -> $new, new key"

renews=$(ca_field "$id" renews)
[ -n "$renews" ] || fail "CA request $id is not a renewal (ca-admin show $id: no renews=)"
[ "$(canon_serial "$renews")" = "$old" ] ||
	fail "CA request $id renews $renews, want the old certificate $old"
note "CA request $id: renews=$renews (the renewal was signed by the old certificate)"
rb=$(ca_run show-cert "$old" 2> /dev/null | sed -n 's/^renewed_by=//p')
[ "$(canon_serial "${rb:-x}")" = "$new" ] || fail "CA index: $old renewed_by='$rb', want $new"
note "CA index: $old renewed_by=$rb"

expect_archived "$STORE" LabMachine "$old" archived
[ "$(grep -c '^-----BEGIN CERTIFICATE' "$STORE/LabMachine.chain.pem")" -ge 1 ] ||
	fail "LabMachine.chain.pem holds no certificate"
cstatus
[ "$(sq 'cert("LabMachine")["state"]')" = issued ] ||
	fail "status: LabMachine is $(sq 'cert("LabMachine")["state"]'), want issued"
[ "$(canon_serial "$(sq 'cert("LabMachine")["serial"]')")" = "$new" ] ||
	fail "status: LabMachine serial $(sq 'cert("LabMachine")["serial"]'), want $new"
probs=$(pair_problems "$STORE")
[ -z "$probs" ] || fail "store: $probs"

cycle
expect_rc_in 0 3
expect_item LabMachine skip valid skipped
[ "$(serial_of "$STORE/LabMachine.crt")" = "$new" ] || fail "the renewed certificate was replaced again"
pass
