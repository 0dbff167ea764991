# policy/lib.sh: sourced by the policy scenarios (t_policy_*.sh, t_pol_*.sh)
# after ../lib.sh.
#
#   adm VERB ARGS...     tests/lab/adlab.sh admin VERB (as Administrator);
#                        shown as a detail line; a failure fails the scenario
#   on_exit CMD ARGS...  run CMD when the scenario ends, whatever the verdict
#                        (last registered first): the scenario's restores
#   need_policy          FAIL unless autoenroll has the `policy` command
#   policy               `autoenroll policy --json` as the member; exit 0 and
#                        one JSON object expected; kept in $PJ
#   q EXPR               pq.py EXPR over $PJ (names: policy/pq.py)
#   expect_q EXPR WANT WHAT   q EXPR prints exactly WANT
#   expect_true EXPR WHAT     q EXPR prints true
#   tpl_bump T           raise template T's revision by one, restored on
#                        exit; TPL_REV: the revision before
# shellcheck shell=bash

PQ=$SRCDIR/tests/integration/policy/pq.py
PJ=$WORK/$NAME/policy.json
mkdir -p "$WORK/$NAME"
ON_EXIT=()

# A restore that fails turns a PASS into a FAIL: the scenarios after this
# one would run against a changed lab.
run_on_exit() {
	local i rc=$? bad=""
	trap - EXIT
	for ((i = ${#ON_EXIT[@]} - 1; i >= 0; i--)); do
		note "restore: ${ON_EXIT[i]#*/adlab.sh }"
		if ! eval "${ON_EXIT[i]}" > /dev/null 2>> "$WORK/$NAME/restore.log"; then
			note "restore failed: ${ON_EXIT[i]}"
			bad="$bad ${ON_EXIT[i]};"
		fi
	done
	if [ -n "$bad" ]; then
		tail -n 5 "$WORK/$NAME/restore.log" | sed 's/^/      | /'
		[ $rc != 0 ] || echo "FAIL $NAME: could not restore the lab:$bad"
		exit 1
	fi
	exit $rc
}
trap run_on_exit EXIT
trap 'exit 143' TERM INT

# on_exit CMD ARGS...: each word quoted for eval
on_exit() { ON_EXIT+=("$(printf '%q ' "$@")"); }

adm() {
	local out rc
	out=$("$ADLAB" admin "$@" 2> "$WORK/$NAME/adm.err")
	rc=$?
	note "admin $*${out:+ -> $out}"
	[ $rc = 0 ] || fail "adlab.sh admin $* failed (exit $rc): $(grep -v '^\[adlab' "$WORK/$NAME/adm.err" | tail -n 3 | tr '\n' ' ')"
	# shellcheck disable=SC2034 # read by the scenarios
	ADM_OUT=$out
}

need_policy() {
	need_autoenroll
	"$AUTOENROLL" --help 2>&1 | qgrep -E '^[[:space:]]+policy( |$)' ||
		fail "$AUTOENROLL has no 'policy' command (yet)"
}

policy() {
	AE_SHOW_LINES=${AE_SHOW_LINES:-0} ae policy --json
	printf '%s\n' "$AE_STDOUT" > "$PJ"
	[ "$AE_RC" = 0 ] || {
		printf '%s\n' "$AE_STDERR" | tail -n 5 | sed 's/^/      | /'
		fail "autoenroll policy --json: exit $AE_RC"
	}
	/usr/bin/python3 "$PQ" "$PJ" 'd' > /dev/null ||
		fail "autoenroll policy --json printed no JSON object: $(head -c 300 "$PJ")"
	note "  aepolicy $(q 'aep()'); applied: $(q 'gpos()'); counts $(q 'd.get("counts")')"
}

q() { /usr/bin/python3 "$PQ" "$PJ" "$1"; }

expect_q() {
	local got
	got=$(q "$1" 2>&1)
	[ "$got" = "$2" ] || fail "$3: $1 is '$got', want '$2'"
}

expect_true() {
	local got
	got=$(q "$1" 2>&1)
	[ "$got" = true ] || fail "$2 ($1: $got)"
}

# "displayName {GUID}", as settings' "source" names a GPO
gpo_source() { echo "$1 $2"; }

tpl_bump() {
	adm template-get "$1" revision
	TPL_REV=$ADM_OUT
	[[ $TPL_REV =~ ^[0-9]+$ ]] || fail "$1 revision '$TPL_REV'"
	on_exit "$ADLAB" admin template-set "$1" revision "$TPL_REV"
	adm template-set "$1" revision $((TPL_REV + 1))
}
