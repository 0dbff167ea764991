#!/bin/bash
# The no-op fast path gives way to the full cycle whenever something it
# depends on changed, and the full cycle then does the right thing. From a
# steady store (the memo written, the next run a no-op), each of:
#   1. LabMachine's revision (major version) raised on the DC: uSNChanged
#      of a pKICertificateTemplate -> full cycle, RE-ENROLL major-revision;
#   2. a GPO linked at the domain (the domain's gPLink changed), then its
#      version bumped with another AEPolicy (the GPO object changed) ->
#      full cycle each time, the GPO read over SMB;
#   3. MEMBER1$ added to a new group (tokenGroups: the principal's digest)
#      -> full cycle;
#   4. the memo file corrupted -> full cycle (and a new memo);
#   5. the clock at LabMachine's renewal time (AE_TEST_NOW) -> full cycle,
#      RENEW renewal-due;
#   6. LabMachine.crt removed from the store -> full cycle, LabMachine
#      enrolled again;
#   7. LabUnpublished (no CA publishes it, not in the store) changed: the
#      fast path does not watch it (it cannot change a decision) -> still
#      the no-op;
#   8. LabUnpublished published by LAB-CA (the Enrollment Service changed)
#      -> full cycle;
# and after each, the fast path resumes (noop_steady). Everything changed
# on the DC is restored on exit.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
. "$(dirname "$0")/cycle/lib.sh"
. "$(dirname "$0")/noop/lib.sh"

cyc_store change
noop_steady
expect_noop

note "1. template revision"
tpl_bump LabMachine
cycle
expect_full "template revision raised"
expect_item LabMachine re-enroll major-revision "done"
noop_steady

note "2. a GPO linked, then bumped"
adm gpo-create "PB Noop" 7
G=$ADM_OUT
on_exit "$ADLAB" admin gpo-delete "$G"
adm gpo-link "$G" domain
cycle
expect_full "GPO linked at the domain"
[ "$(cq 'd["counts"]["smb_reads"] > 0')" = true ] || fail "the new GPO was not read over SMB"
noop_steady
/usr/bin/python3 "$SRCDIR/tests/lab/make-registry-pol.py" "$WORK/$NAME/aep3.pol" 3 > /dev/null
adm gpo-put "$G" "$WORK/$NAME/aep3.pol" --bump
cycle
expect_full "GPO version bumped"
[ "$(cq 'd["counts"]["smb_reads"] > 0')" = true ] || fail "the bumped GPO was not read over SMB"
noop_steady

note "3. the machine added to a group"
adm group-create "PB Noop Group"
on_exit "$ADLAB" admin group-delete "PB Noop Group"
adm group-add "PB Noop Group" 'MEMBER1$'
cycle
expect_full "group membership changed"
noop_steady

note "4. the memo corrupted"
M=$(memo)
printf 'garbage\n' >> "$M"
cycle
expect_full "memo corrupted"
noop_steady

note "5. renewal time reached"
cycle AE_TEST_NOW=+$((330 * 86400))
expect_full "LabMachine's renewal time"
expect_item LabMachine renew renewal-due "done"
noop_steady

note "6. a store file removed"
rm -f "$STORE/LabMachine.crt"
cycle
expect_full "LabMachine.crt removed"
expect_item LabMachine enroll "" "done"
expect_issued "$STORE" LabMachine
noop_steady
expect_noop

note "7. a template no CA publishes changed"
tpl_bump LabUnpublished
cycle
expect_noop

note "8. that template published"
on_exit "$ADLAB" admin template-unpublish LabUnpublished
adm template-publish LabUnpublished
cycle
expect_full "LabUnpublished published"
noop_steady
expect_noop
pass
