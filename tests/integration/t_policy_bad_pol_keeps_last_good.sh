#!/bin/bash
# A GPO whose Registry.pol cannot be used stops policy processing for the
# cycle ([MS-GPOL] 3.2.5.1.5): the last good policy is kept, a
# lower-precedence GPO does not win. GPO "PB LastGood" (AEPolicy 0x8000,
# autoenrollment disabled) linked at the domain with link order 1, above
# the lab GPO (AEPolicy 7, enroll):
#   1. policy: AEPolicy 0x8000 from PB LastGood (this is the last good policy);
#   2. its Registry.pol replaced by a truncated one, version bumped: policy
#      exits 0 with AEPolicy still 0x8000 marked "last good", errors[] names
#      the GPO, the file and that the last good policy is kept; the damaged
#      file is not cached;
#   3. run --dry-run: nothing planned but skips (the lab GPO's 7 did not win),
#      stderr says policy processing stopped;
#   4. without a last good policy (the cache's last-good removed): policy and
#      run exit 6 saying the policy could not be determined, and run sends
#      nothing to the CA;
#   5. a valid Registry.pol again (bumped): AEPolicy 0x8000 read afresh.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
. "$(dirname "$0")/cycle/lib.sh"
need_policy

GPOCACHE=$LAB/member/cache/autoenroll/gpo
good=$WORK/$NAME/disabled.pol
bad=$WORK/$NAME/cut.pol
/usr/bin/python3 "$SRCDIR/tests/lab/make-registry-pol.py" "$good" 0x8000 > /dev/null ||
	fail "make-registry-pol.py"
size=$(stat -c %s "$good")
head -c $((size - 20)) "$good" > "$bad"

adm gpo-create "PB LastGood" "$good"
G=$ADM_OUT
SRC="PB LastGood $G"
on_exit "$ADLAB" admin gpo-delete "$G"
adm gpo-link "$G" domain --top

# run_raw ARGS: autoenroll -s CONF run ARGS (no JSON expected)
run_raw() {
	timeout -k 5 "$AE_TIMEOUT" "$ADLAB" client "$AUTOENROLL" -s "$CONF" run "$@" \
		> "$WORK/$NAME/run.out" 2> "$WORK/$NAME/run.err" < /dev/null
	AE_RC=$?
	AE_STDERR=$(cat "$WORK/$NAME/run.err")
	AE_ALL="$(cat "$WORK/$NAME/run.out")
$AE_STDERR"
	note "autoenroll run $* -> exit $AE_RC"
	sanitizer_check "$WORK/$NAME/run.err"
}

note "1. the last good policy"
policy
expect_q 'aep()["value"]' 32768 "AEPolicy of PB LastGood"
expect_q 'aep()["source"]' "$SRC" "AEPolicy source"
[ -f "$GPOCACHE/last-good" ] || fail "no last-good in $GPOCACHE"

note "2. a truncated Registry.pol, version bumped"
adm gpo-put "$G" "$bad" --bump
policy
note "   errors: $(q 'd["errors"]')"
expect_q 'aep()["value"]' 32768 "AEPolicy with PB LastGood unreadable (last good kept)"
expect_true "str(aep()['source']).startswith('$SRC') and 'last good' in aep()['source']" \
	"AEPolicy source must be PB LastGood's last good file"
expect_true "bool([e for e in d['errors'] if '${G,,}' in str(e.get('object')).lower()
	and 'registry.pol' in str(e.get('attribute')).lower()
	and 'last good policy' in str(e.get('message'))])" \
	"errors[] must name $G, Registry.pol and the last good policy"
# parsed before it is cached: the damaged version 2 is not in the cache
[ -z "$(find "$GPOCACHE" -name "$G-2-*")" ] || fail "the damaged Registry.pol was cached"

note "3. run --dry-run keeps the last good policy"
cyc_store lastgood
cycle --dry-run
expect_rc 0
[ "$(cq '[x["template"] for x in d["items"] if x["action"] != "skip"]')" = "[]" ] ||
	fail "run planned work although the last good policy disables autoenrollment: $(cq 'd["items"]')"
expect_output "policy processing stopped: the last good policy is kept" "the stopped processing"

note "4. no last good policy"
rm -f "$GPOCACHE/last-good"
AE_SHOW_LINES=2 ae policy --json
expect_rc 6
expect_output "autoenrollment policy could not be determined" "the undetermined policy"
n0=$(ca_count)
run_raw --json
expect_rc 6
expect_output "autoenrollment policy could not be determined" "the undetermined policy (run)"
[ "$(ca_count)" = "$n0" ] || fail "run sent $(($(ca_count) - n0)) request(s) without a policy"

note "5. a valid Registry.pol again"
adm gpo-put "$G" "$good" --bump
policy
expect_q 'aep()["value"]' 32768 "AEPolicy after the repair"
expect_q 'aep()["source"]' "$SRC" "AEPolicy source after the repair"
expect_q 'len(d["errors"])' 0 "errors after the repair"
[ -f "$GPOCACHE/last-good" ] || fail "last-good not written again"
pass
