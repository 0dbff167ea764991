#!/bin/bash
# The first enrollment of many templates, with the new keys generated in
# worker threads (the request layer's key pool) and each request sent when
# its key is ready:
#   1. six autoenroll templates KgTpl01..06 (copies of LabMachine, published
#      for the scenario, deleted on exit) with different keys: RSA-2048,
#      RSA-3072 and RSA-2304 (msPKI-Minimal-Key-Size), ECDSA P-256 and P-384
#      (schema 4, msPKI-Asymmetric-Algorithm);
#   2. `autoenroll run` on an empty store: the debug log counts the new keys
#      and min(keys, CPUs) keygen threads; every template issued, each key
#      0600, matching its certificate (openssl x509 -pubkey vs the key) and
#      of its template's type and size; the report's items in the order of
#      the dry run's plan (template and action), and the CA's request ids
#      rising in that order (the requests went out in the action order);
#   3. kill -9 of such a run once a KgTpl certificate is installed and
#      another KgTpl request is in flight (its new key staged; retried on a
#      fresh store if the run ended first): every certificate in the store
#      has its key, each key 0600, and the next run recovers (its report
#      names the KgTpl transition it finished or rolled back): every
#      template issued with its kind of key, no staged file left.
# Nothing is timed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
. "$(dirname "$0")/cycle/lib.sh"

FAST=ASAN_OPTIONS=fast_unwind_on_malloc=1:detect_leaks=0
# ra P256|P384: a CNG template's msPKI-RA-Application-Policies ([MS-CRTD] 2.23.2)
ra() {
	# shellcheck disable=SC2016 # the backquotes are the attribute's separators
	printf 'msPKI-RA-Application-Policies=msPKI-Asymmetric-Algorithm`PZPWSTR`ECDSA_%s`%s' "$1" \
		'msPKI-Hash-Algorithm`PZPWSTR`SHA256`msPKI-Key-Usage`DWORD`16777215`'
}
# template -> the key it must get ("RSA N" | "EC P-N"), and its extra attributes
TPL=(KgTpl01 KgTpl02 KgTpl03 KgTpl04 KgTpl05 KgTpl06)
declare -A WANT=([KgTpl01]="RSA 2048" [KgTpl02]="RSA 3072" [KgTpl03]="EC P-256"
	[KgTpl04]="RSA 2048" [KgTpl05]="EC P-384" [KgTpl06]="RSA 2304")
declare -A ATTRS=([KgTpl02]="msPKI-Minimal-Key-Size=3072"
	[KgTpl03]="msPKI-Template-Schema-Version=4 msPKI-Minimal-Key-Size=256 $(ra P256)"
	[KgTpl05]="msPKI-Template-Schema-Version=4 msPKI-Minimal-Key-Size=384 $(ra P384)"
	[KgTpl06]="msPKI-Minimal-Key-Size=2304")

note "1. the templates"
n=120
for t in "${TPL[@]}"; do
	n=$((n + 1))
	on_exit "$ADLAB" admin template-delete "$t"
	# shellcheck disable=SC2086 # ATTRS: words without spaces
	adm template-copy LabMachine "$t" "$FOREST_OID.1000.$n" ${ATTRS[$t]:-}
	adm template-publish "$t"
done

# key_is KEY "RSA N" | "EC P-N": the key file's type and size
key_is() {
	local txt
	txt=$(openssl pkey -in "$1" -noout -text 2> /dev/null)
	case $2 in
	RSA*) grep -qE "^Private-Key: \(${2#RSA }( bit)?" <<< "$txt" &&
		grep -q '^modulus:' <<< "$txt" ;;
	EC*) grep -q "NIST CURVE: ${2#EC }" <<< "$txt" ;;
	esac
}

# all_issued DIR: every KgTpl issued in DIR with a key of its template's kind
all_issued() {
	local t
	for t in "${TPL[@]}"; do
		expect_issued "$1" "$t"
		key_is "$1/$t.key" "${WANT[$t]}" ||
			fail "$t.key is not ${WANT[$t]}: $(openssl pkey -in "$1/$t.key" -noout -text 2> /dev/null |
				grep -E 'Private-Key|NIST CURVE' | tr '\n' ' ')"
		note "$t.key: ${WANT[$t]}"
	done
}

note "2. first enrollment on an empty store"
cyc_store first
cycle --dry-run
expect_rc_in 0 3
plan=$(cq '" ".join("%s/%s" % (x["template"], x["action"]) for x in d["items"])')
note "plan: $plan"
for t in "${TPL[@]}"; do
	[ "$(cq "[x['action'] for x in items('$t')]")" = '["enroll"]' ] ||
		fail "the dry run does not plan one enrollment of $t: $(cq "acts('$t')")"
done
keys=$(cq 'len([x for x in d["items"] if x["action"] in ("enroll", "re-enroll")])')
CYCLE_DEBUG=3 cycle
expect_rc_in 0 3
for t in "${TPL[@]}"; do expect_item "$t" enroll "" "done"; done
all_issued "$STORE"
got=$(cq '" ".join("%s/%s" % (x["template"], x["action"]) for x in d["items"])')
[ "$got" = "$plan" ] || fail "the report's items are not in the plan's order: $got"
ids=$(cq '" ".join(str(x["request_id"]) for x in d["items"] if x.get("request_id"))')
note "request ids in item order: $ids"
sort -n -c <<< "${ids// /$'\n'}" 2> /dev/null || fail "the requests did not go out in the action order (ids $ids)"
cpus=$(getconf _NPROCESSORS_ONLN)
want=$((keys < cpus ? keys : cpus))
line=$(grep -m1 -E 'cycle: [0-9]+ new keys, [0-9]+ keygen threads' <<< "$AE_STDERR")
note "${line##*: cycle: } ($keys enrollments planned, $cpus CPUs)"
[[ $line =~ cycle:\ $keys\ new\ keys,\ $want\ keygen\ threads ]] ||
	fail "want '$keys new keys, $want keygen threads' in the debug log, got '${line:-nothing}'"

note "3. kill -9 in the middle of a first enrollment"
# pause 1 ms without a fork: a read that times out on a FIFO nobody writes
mkfifo "$WORK/$NAME/never"
exec {NEVER}<> "$WORK/$NAME/never"
killed=""
for try in 1 2 3 4 5; do
	cyc_store "kill$try"
	env "$FAST" "$ADLAB" client "$AUTOENROLL" -s "$CONF" run --json \
		> "$WORK/$NAME/kill.out" 2> "$WORK/$NAME/kill.err" < /dev/null &
	pid=$!
	# until a KgTpl certificate is installed and another KgTpl's request is
	# in flight (its new key staged: ENROLLING or PENDING); bounded by work:
	# the run ends
	while alive "$pid"; do
		if compgen -G "$STORE/KgTpl0?.crt" > /dev/null &&
			compgen -G "$STORE/KgTpl0?.key.new" > /dev/null; then
			kill -KILL "$pid" 2> /dev/null
			break
		fi
		read -r -t 0.001 -u "$NEVER" _ || true
	done
	wait "$pid" 2> /dev/null
	rc=$?
	have=$(compgen -G "$STORE/KgTpl0?.crt" | wc -l)
	flight=$(find "$STORE" -maxdepth 1 -name 'KgTpl0?.key.new' -printf '%f ' 2> /dev/null)
	if [ "$rc" = 137 ] && [ -n "$flight" ]; then
		killed="try $try: killed with $have of ${#TPL[@]} KgTpl certificates installed, in flight: $flight"
		note "$killed; $(grep -h '^status=' "$STORE"/KgTpl0?.state | sort | uniq -c | tr -s ' \n' ' ')"
		break
	fi
	note "try $try: the run ended before the kill (exit $rc, $have certificates)"
	sanitizer_check "$WORK/$NAME/kill.err"
done
[ -n "$killed" ] || fail "no kill landed inside the run (nothing was tested)"
probs=$(pair_problems "$STORE")
[ -z "$probs" ] || fail "after the kill: $probs"
for k in "$STORE"/KgTpl0?.key; do
	[ -e "$k" ] || continue
	[ "$(stat -c %a "$k")" = 600 ] || fail "$(basename "$k") has mode $(stat -c %a "$k") after the kill"
done
cycle
expect_rc_in 0 3
note "recovery: $(cq 'd["recovery"]')"
[ "$(cq 'len([r for r in d["recovery"] if "KgTpl" in str(r)])')" -gt 0 ] ||
	fail "the kill left $flight but recovery reports nothing of it: $(cq 'd["recovery"]')"
all_issued "$STORE"
left=$(find "$STORE" -maxdepth 1 -name 'KgTpl*' \( -name '*.new' -o -name '*.tmp.*' \) -printf '%f ')
[ -z "$left" ] || fail "left in the store after the recovering run: $left"
for t in "${TPL[@]}"; do
	st=$(sed -n 's/^status=//p' "$STORE/$t.state")
	[ "$st" = issued ] || fail "$t.state: status=$st after the recovering run"
done
pass
