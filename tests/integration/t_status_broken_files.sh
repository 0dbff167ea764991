#!/bin/bash
# Issue D finding 3: broken files do not pass as valid. After `run` in a
# private store (LabMachine enrolled):
#   - a truncated LabMachine.crt: `status` says INVALID with the cause (not
#     "issued", not VALID), and `run` re-enrolls (the item says why); the
#     broken pair is archived, the new one is VALID;
#   - the key of another certificate in LabMachine.key: INVALID;
#   - LabMachine.key at mode 0644: `status` reports it, `run` sets it to 0600
#     and says so;
#   - a symbolic link Evil.crt -> /etc/passwd: never listed as a certificate,
#     only as "not managed" (never followed);
#   - a garbage Garbage.state: reported by name with the cause; after `run`
#     (recovery sets it aside) Garbage.state.corrupt is reported;
#   - the archived pair is listed (template, serial, reason, when).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
. "$(dirname "$0")/cycle/lib.sh"

T=LabMachine
validity() { sq "cert('$T')['validity']"; }
cause() { sq "cert('$T')['cause']"; }
status_text() {
	timeout -k 5 "$AE_TIMEOUT" "$ADLAB" client "$AUTOENROLL" -s "$CONF" status \
		> "$WORK/$NAME/status.txt" 2> "$WORK/$NAME/status.txt.err" < /dev/null ||
		fail "autoenroll status: exit $?"
	sanitizer_check "$WORK/$NAME/status.txt.err"
	cat "$WORK/$NAME/status.txt"
}

cyc_store broken
cycle
expect_rc_in 0 3
expect_issued "$STORE" $T
first=$(serial_of "$STORE/$T.crt")
cstatus
note "enrolled $T serial $first: $(validity), $(sq "cert('$T')['days_left']") day(s) left"

# 1. truncated certificate
head -c 200 "$STORE/$T.crt" > "$WORK/$NAME/trunc" && cat "$WORK/$NAME/trunc" > "$STORE/$T.crt"
txt=$(status_text)
grep -E "^  $T .*issued" <<< "$txt" && fail "status text lists the truncated $T as issued"
grep -q "INVALID: $T.crt does not parse" <<< "$txt" || fail "status text: no INVALID line: $txt"
cstatus
[ "$(validity)" = INVALID ] || fail "status: a truncated $T.crt is '$(validity)', want INVALID"
[[ $(cause) == *"$T.crt does not parse"* ]] || fail "status: cause '$(cause)'"
note "truncated: status INVALID: $(cause)"
cycle
expect_rc_in 0 3
expect_item $T enroll "" done
[[ $(cq "item('$T', 'enroll')['reason']") == *"installed certificate INVALID"* ]] ||
	fail "run: the enroll item does not say why: $(cq "item('$T', 'enroll')['reason']")"
expect_issued "$STORE" $T
second=$(serial_of "$STORE/$T.crt")
[ "$second" != "$first" ] || fail "run did not replace the truncated certificate"
cstatus
[ "$(validity)" = VALID ] || fail "status after re-enrollment: '$(validity)', want VALID"
note "run re-enrolled: serial $first -> $second"
# the broken pair went to archive/ and is listed
[ "$(sq "[a['serial'] for a in d['archived'] if a['template'] == '$T']")" != "[]" ] ||
	fail "status: no archived $T (archived: $(sq 'd["archived"]'))"
[ "$(sq "[a for a in d['archived'] if a['template'] == '$T'][0]['archived_at'] is not None")" = true ] ||
	fail "status: archived entry without its time"
grep -q "^Archived" <<< "$(status_text)" || fail "status text lists no archived certificate"
note "archived: $(sq "[(a['serial'], a['reason']) for a in d['archived']]")"

# 2. the key of another certificate
cp -p "$STORE/$T.key" "$WORK/$NAME/good.key"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$WORK/$NAME/other.key" 2> /dev/null ||
	fail "openssl genpkey"
cat "$WORK/$NAME/other.key" > "$STORE/$T.key"
cstatus
[ "$(validity)" = INVALID ] || fail "status: another certificate's key: '$(validity)', want INVALID"
[[ $(cause) == *"is not the key of"* ]] || fail "status: cause '$(cause)'"
note "other key: status INVALID: $(cause)"
cat "$WORK/$NAME/good.key" > "$STORE/$T.key"

# 3. key mode 0644
chmod 0644 "$STORE/$T.key"
cstatus
[ "$(validity)" = VALID ] || fail "status: $T with a 0644 key is '$(validity)'"
[[ $(sq "cert('$T')['note']") == *"mode 0644"* ]] ||
	fail "status does not report the key's mode: $(sq "cert('$T')['note']")"
cycle
expect_rc_in 0 3
[ "$(stat -c %a "$STORE/$T.key")" = 600 ] || fail "run left $T.key at mode $(stat -c %a "$STORE/$T.key")"
[[ $(cq 'd["store_check"]') == *"had mode 0644; set to 0600"* ]] ||
	fail "run does not report the fix: $(cq 'd["store_check"]')"
[ "$(serial_of "$STORE/$T.crt")" = "$second" ] || fail "run replaced the pair for a key mode"
note "key mode: reported by status, fixed by run: $(cq 'd["store_check"]')"

# 4. a symbolic link Evil.crt -> /etc/passwd, 5. a garbage state record
ln -s /etc/passwd "$STORE/Evil.crt"
printf 'this is not a record\n' > "$STORE/Garbage.state"
cstatus
[ "$(sq "cert('Evil')")" = null ] || fail "status lists Evil.crt as a certificate: $(sq "cert('Evil')")"
[[ $(sq "[u['why'] for u in d['not_managed'] if u['name'] == 'Evil.crt']") == *"symbolic link"* ]] ||
	fail "status: Evil.crt not reported as not managed: $(sq 'd["not_managed"]')"
[[ $(sq "[u['why'] for u in d['not_managed'] if u['name'] == 'Garbage.state']") == *"does not parse"* ]] ||
	fail "status: Garbage.state not reported: $(sq 'd["not_managed"]')"
txt=$(status_text)
grep -q "^not managed: Evil.crt" <<< "$txt" || fail "status text: no 'not managed: Evil.crt': $txt"
grep -q "^  Evil" <<< "$txt" && fail "status text lists Evil as a certificate: $txt"
grep -q "root:" <<< "$txt" && fail "status followed Evil.crt"
note "status: $(sq 'd["not_managed"]')"
cycle
expect_rc_in 0 3
[ -e "$STORE/Garbage.state.corrupt" ] || fail "recovery did not set Garbage.state aside"
cstatus
[[ $(sq "[u['why'] for u in d['not_managed'] if u['name'] == 'Garbage.state.corrupt']") == *"did not parse"* ]] ||
	fail "status: Garbage.state.corrupt not reported: $(sq 'd["not_managed"]')"
[ "$(validity)" = VALID ] || fail "status: $T is '$(validity)' at the end"
# (the archived pair is the truncated one: pair_problems would flag it, rightly)
expect_issued "$STORE" $T
pass
