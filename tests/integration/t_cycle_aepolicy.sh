#!/bin/bash
# The AEPolicy gate: the lab GPO's Machine/Registry.pol replaced (and its
# version bumped, as GPMC does) with
#   AEPolicy 0x8000 (autoenrollment disabled): `run` sends nothing to the CA
#     (no new request record, counts.requests 0) and every template's item
#     is skip/policy-disabled;
#   AEPolicy 6 (0x2|0x4, no 0x1): the same with skip/policy-no-enroll;
# in a fresh store (nothing pending to retrieve). The lab GPO's original
# Registry.pol is put back (with a bump) on exit; then, with AEPolicy 7
# again, a --dry-run plans LabMachine's enrollment and sends nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
. "$(dirname "$0")/cycle/lib.sh"

[ -n "${GPO_GUID:-}" ] || fail "no GPO_GUID in $LAB/env.sh"
orig=$WORK/$NAME/orig.pol
adm gpo-get "$GPO_GUID" "$orig"
on_exit "$ADLAB" admin gpo-put "$GPO_GUID" "$orig" --bump

# gate AEPOLICY CAUSE
gate() {
	local pol=$WORK/$NAME/aep-$1.pol n0 t
	/usr/bin/python3 "$SRCDIR/tests/lab/make-registry-pol.py" "$pol" "$1" > /dev/null ||
		fail "make-registry-pol.py $1"
	adm gpo-put "$GPO_GUID" "$pol" --bump
	cyc_store "aep-$1"
	n0=$(ca_count)
	cycle
	expect_rc 0
	[ "$(cq 'd["counts"]["requests"]')" = 0 ] || fail "AEPolicy $1: $(cq 'd["counts"]["requests"]') CertServerRequest call(s)"
	[ "$(ca_count)" = "$n0" ] || fail "AEPolicy $1: $(($(ca_count) - n0)) new request(s) at the CA"
	for t in LabMachine LabPending; do
		expect_item "$t" skip "$2" skipped
	done
	[ "$(cq '[x for x in d["items"] if x["action"] != "skip" or x["cause"] != "'"$2"'"]')" = "[]" ] ||
		fail "AEPolicy $1: items other than skip/$2: $(cq '[x["template"] + " " + x["action"] + "/" + x["cause"] for x in d["items"] if x["action"] != "skip" or x["cause"] != "'"$2"'"]')"
	note "AEPolicy $1: $(cq 'item("LabMachine")["reason"]')"
	[ -z "$(find "$STORE" -name '*.crt' -o -name '*.key*' 2> /dev/null)" ] ||
		fail "AEPolicy $1: files in the store: $(find "$STORE" -name '*.crt' -o -name '*.key*')"
	note "AEPolicy $1: no request (CA records $n0 -> $(ca_count)), every item skip/$2"
}

gate 0x8000 policy-disabled
gate 6 policy-no-enroll

note "restoring the lab GPO"
adm gpo-put "$GPO_GUID" "$orig" --bump
cyc_store dry-run
n0=$(ca_count)
cycle --dry-run
expect_rc 0
expect_item LabMachine enroll no-certificate planned
[ "$(ca_count)" = "$n0" ] || fail "--dry-run sent $(($(ca_count) - n0)) request(s) to the CA"
[ "$(cq 'd["counts"]["requests"]')" = 0 ] || fail "--dry-run: counts.requests $(cq 'd["counts"]["requests"]')"
[ -z "$(find "$STORE" -name '*.crt' -o -name '*.key*' 2> /dev/null)" ] || fail "--dry-run wrote to the store"
pass
