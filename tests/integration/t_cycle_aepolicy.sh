#!/bin/bash
# AEPolicy: each low bit enables one component (source/engine/ae_decide.h),
# 0x8000 disables all. The lab GPO's Machine/Registry.pol is replaced (its
# version bumped, as GPMC does) with
#   0x8007 (disabled, every component bit set): in a fresh store `run` sends
#     nothing to the CA and every item is skip/policy-disabled;
#   1 (template check only): a fresh store gets LabMachine enrolled and
#     LabPending submitted (pending); 330 days on (LabMachine's renewal is
#     due) LabMachine is not renewed (skip/policy-no-store-management) and
#     LabPending, issued meanwhile by the CA officer, is not retrieved
#     (skip/pending-not-retrieved): nothing is sent;
#   6 (store management + pending fetch, no template check): in that store,
#     330 days on, LabMachine is renewed (renew/renewal-due/done, the CA's
#     record is a renewal of the old serial) and LabPending retrieved
#     (retrieve/pending/done); in a fresh store nothing is enrolled
#     (skip/policy-no-template-check) and nothing is sent;
#   7 (the lab GPO's own, put back with a bump; also on exit): a --dry-run
#     in a fresh store plans LabMachine's enrollment and sends nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
. "$(dirname "$0")/cycle/lib.sh"

[ -n "${GPO_GUID:-}" ] || fail "no GPO_GUID in $LAB/env.sh"
orig=$WORK/$NAME/orig.pol
adm gpo-get "$GPO_GUID" "$orig"
on_exit "$ADLAB" admin gpo-put "$GPO_GUID" "$orig" --bump
LATER=AE_TEST_NOW=+$((330 * 86400))

set_aepolicy() { # VALUE
	local pol=$WORK/$NAME/aep-$1.pol
	/usr/bin/python3 "$SRCDIR/tests/lab/make-registry-pol.py" "$pol" "$1" > /dev/null ||
		fail "make-registry-pol.py $1"
	adm gpo-put "$GPO_GUID" "$pol" --bump
	note "AEPolicy $1"
}

# The last run sent nothing: counts.requests 0 and no new CA record since N0.
expect_nothing_sent() { # WHAT N0
	[ "$(cq 'd["counts"]["requests"]')" = 0 ] ||
		fail "$1: $(cq 'd["counts"]["requests"]') CertServerRequest call(s)"
	[ "$(ca_count)" = "$2" ] || fail "$1: $(($(ca_count) - $2)) new request(s) at the CA"
}

# 0x8007: disabled wins over the component bits.
set_aepolicy 0x8007
cyc_store aep-8007
n0=$(ca_count)
cycle
expect_rc 0
expect_nothing_sent "AEPolicy 0x8007" "$n0"
[ "$(cq '[x["template"] + " " + x["action"] + "/" + x["cause"] for x in d["items"]
	if x["action"] != "skip" or x["cause"] != "policy-disabled"]')" = "[]" ] ||
	fail "AEPolicy 0x8007: items other than skip/policy-disabled: $(cq '[x["template"] + " " +
		x["action"] + "/" + x["cause"] for x in d["items"] if x["cause"] != "policy-disabled"]')"
[ -z "$(find "$STORE" -name '*.crt' -o -name '*.key*' 2> /dev/null)" ] ||
	fail "AEPolicy 0x8007: files in the store: $(find "$STORE" -name '*.crt' -o -name '*.key*')"
note "AEPolicy 0x8007: $(cq 'item("LabMachine")["reason"]')"

# 1: the template check enrolls, but neither renews nor retrieves.
set_aepolicy 1
cyc_store aep-1-6
cycle
expect_rc 3
expect_item LabMachine enroll no-certificate "done"
expect_item LabPending enroll no-certificate pending
expect_issued "$STORE" LabMachine
old=$(serial_of "$STORE/LabMachine.crt")
pid=$(cq 'item("LabPending", "enroll")["request_id"]')
[[ $pid =~ ^[1-9][0-9]*$ ]] || fail "no request id in the LabPending item ($pid)"
note "AEPolicy 1: LabMachine enrolled (serial $old), LabPending request $pid pending"
ca_admin issue "$pid"
n0=$(ca_count)
cycle "$LATER"
expect_rc_in 0 3
expect_item LabMachine skip policy-no-store-management skipped
expect_item LabPending skip pending-not-retrieved skipped
expect_nothing_sent "AEPolicy 1, renewal due" "$n0"
[ "$(serial_of "$STORE/LabMachine.crt")" = "$old" ] || fail "AEPolicy 1: LabMachine.crt replaced"
[ ! -e "$STORE/LabPending.crt" ] || fail "AEPolicy 1: LabPending retrieved without 0x4"
note "AEPolicy 1: $(cq 'item("LabMachine")["reason"]')"

# 6: store management renews, pending fetch retrieves; no template check.
set_aepolicy 6
cycle "$LATER"
expect_rc_in 0 3
expect_item LabMachine renew renewal-due "done"
expect_item LabMachine archive replaced "done"
expect_item LabPending retrieve pending "done"
id=$(cq 'item("LabMachine", "renew")["request_id"]')
new=$(serial_of "$STORE/LabMachine.crt")
[ "$new" != "$old" ] || fail "AEPolicy 6: LabMachine still has serial $old"
[ "$(canon_serial "$(ca_field "$id" renews)")" = "$old" ] ||
	fail "AEPolicy 6: CA request $id renews '$(ca_field "$id" renews)', want $old"
expect_issued "$STORE" LabPending
[ "$(cq '[x["template"] for x in d["items"] if x["action"] == "enroll"]')" = "[]" ] ||
	fail "AEPolicy 6 enrolled: $(cq '[x["template"] for x in d["items"] if x["action"] == "enroll"]')"
note "AEPolicy 6: LabMachine renewed ($old -> $new, CA request $id), LabPending $pid retrieved"

cyc_store aep-6-fresh
n0=$(ca_count)
cycle
expect_rc 0
expect_item LabMachine skip policy-no-template-check skipped
expect_item LabPending skip policy-no-template-check skipped
expect_nothing_sent "AEPolicy 6, fresh store" "$n0"
[ -z "$(find "$STORE" -name '*.crt' -o -name '*.key*' 2> /dev/null)" ] ||
	fail "AEPolicy 6: files in the fresh store: $(find "$STORE" -name '*.crt' -o -name '*.key*')"
note "AEPolicy 6, fresh store: $(cq 'item("LabMachine")["reason"]')"

note "restoring the lab GPO (AEPolicy 7)"
adm gpo-put "$GPO_GUID" "$orig" --bump
cyc_store dry-run
n0=$(ca_count)
cycle --dry-run
expect_rc 0
expect_item LabMachine enroll no-certificate planned
expect_nothing_sent "--dry-run" "$n0"
[ -z "$(find "$STORE" -name '*.crt' -o -name '*.key*' 2> /dev/null)" ] ||
	fail "--dry-run wrote to the store"
pass
