# cycle/lib.sh: sourced by the autoenrollment-cycle scenarios (t_cycle_*.sh)
# after ../lib.sh and ../policy/lib.sh (on_exit, adm).
#
# Every scenario runs `autoenroll run` on a store of its own (cyc_store), so
# the scenarios neither see nor disturb each other's certificates or the
# member's default store; what a scenario changes in AD it restores with
# on_exit.
#
#   cyc_store NAME        STORE=$WORK/<scenario>/NAME/store (fresh: absent
#                         until the first run) and CONF, a copy of the
#                         member's smb.conf with "autoenroll:store dir = STORE"
#   cycle [VAR=VALUE...] [ARGS...]
#                         `autoenroll -s CONF run --json ARGS` as the member,
#                         with VAR=VALUE in its environment (AE_TEST_NOW=+N);
#                         sets AE_RC, AE_STDOUT, AE_STDERR, AE_ALL as ae()
#                         does, keeps the JSON in CJ and shows one line per
#                         item (not-eligible skips left out). A sanitizer
#                         report on stderr fails the scenario. CYCLE_DEBUG=N
#                         adds -d N (stderr in AE_STDERR). CYCLE_CMD="renew T"
#                         runs `autoenroll renew T --json ARGS` instead.
#   cae [VAR=VALUE...] ARGS...
#                         `autoenroll -s CONF ARGS` (request, retrieve, ...)
#                         as the member, on the scenario's store; sets
#                         AE_RC, AE_STDOUT, AE_STDERR, AE_ALL as ae() does
#                         (no JSON required: a killed run prints none)
#   cstatus               `autoenroll -s CONF status --json`, kept in SJ
#   cq EXPR | sq EXPR     cq.py EXPR over CJ | SJ (names: cycle/cq.py)
#   expect_item T ACTION CAUSE RESULT
#                         the run has an item of template T with ACTION,
#                         CAUSE and RESULT ("" for CAUSE: any)
#   expect_rc_in RC...    the last run exited with one of RC...
#   ca_list               ca-admin list: "id state template sid" lines
#   ca_count [TEMPLATE]   the CA's request records (of TEMPLATE)
#   ca_field ID KEY       KEY= of `ca-admin show ID`
#   canon_serial HEX      upper case, no leading 00 bytes (ca-admin's form)
#   serial_of CERT        the certificate's serial, canonical
#   pub_of_cert CERT | pub_of_key KEY   the public key (PEM)
#   pair_problems DIR [all]
#                         one line per T.crt in DIR without its key or whose
#                         key does not match (none: all good); the same for
#                         the archived pairs of DIR/archive whose record is
#                         there (an archive entry is complete once its
#                         .state is written, last: until then its .crt may
#                         have moved and its .key not yet); with "all",
#                         every archived pair, and a record for each
#   expect_archived DIR T SERIAL STATUS
#                         archive/T.<tag>.state holds serial SERIAL with
#                         status=STATUS, and its .crt and .key are there and
#                         match
# shellcheck shell=bash

CQ=$SRCDIR/tests/integration/cycle/cq.py
CJ=$WORK/$NAME/run.json
SJ=$WORK/$NAME/status.json
STORE=""
CONF=""

cyc_store() {
	local d="$WORK/$NAME/$1"
	rm -rf "$d"
	mkdir -p "$d"
	STORE=$d/store
	CONF=$d/smb.conf
	cp "$LAB/member/smb.conf" "$CONF"
	printf '\tautoenroll:store dir = %s\n' "$STORE" >> "$CONF"
	note "store $STORE"
}

sanitizer_check() { # FILE
	if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$1" 2> /dev/null; then
		grep -E -A12 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$1" | head -n 30 |
			sed 's/^/      | /'
		fail "sanitizer report in autoenroll's stderr ($1)"
	fi
}

cycle() {
	local envs=() o="$WORK/$NAME/run.out" e="$WORK/$NAME/run.err" n
	while [[ ${1:-} =~ ^[A-Za-z_][A-Za-z0-9_]*= ]]; do
		envs+=("$1")
		shift
	done
	need_autoenroll
	[ -n "$CONF" ] || fail "cycle: no store (cyc_store first)"
	timeout -k 5 "$AE_TIMEOUT" env "${envs[@]}" "$ADLAB" client "$AUTOENROLL" -s "$CONF" \
		${CYCLE_DEBUG:+-d "$CYCLE_DEBUG"} ${CYCLE_CMD:-run} --json "$@" > "$o" 2> "$e" \
		< /dev/null
	AE_RC=$?
	AE_STDOUT=$(cat "$o")
	AE_STDERR=$(cat "$e")
	# shellcheck disable=SC2034 # read by ../lib.sh's expect_output
	AE_ALL="$AE_STDOUT
$AE_STDERR"
	cp "$o" "$CJ"
	note "${envs[*]:+${envs[*]} }autoenroll ${CYCLE_CMD:-run} --json $* -> exit $AE_RC"
	[ "$AE_RC" != 124 ] || fail "autoenroll run killed after ${AE_TIMEOUT}s"
	sanitizer_check "$e"
	if ! /usr/bin/python3 "$CQ" "$CJ" d > /dev/null 2>&1; then
		tail -n 5 "$e" | sed 's/^/      | /'
		fail "autoenroll run --json printed no JSON object: $(head -c 300 "$o")"
	fi
	n=$(/usr/bin/python3 "$CQ" "$CJ" '"\n".join("%s %s/%s/%s%s" % (x["template"], x["action"],
		x["cause"], x["result"], "" if x["action"] == "skip" else ": " + (x["reason"] or ""))
		for x in d.get("items", []) if x["cause"] != "not-eligible")')
	printf '%s\n' "$n" | sed '/^$/d; s/^/      | /'
	# a fatal error is one object without items or counts: its error instead
	note "  $(cq '"counts %s" % d["counts"] if "counts" in d else "no counts: %s" % d.get("error")')"
}

cae() {
	local envs=() o="$WORK/$NAME/cae.out" e="$WORK/$NAME/cae.err"
	while [[ ${1:-} =~ ^[A-Za-z_][A-Za-z0-9_]*= ]]; do
		envs+=("$1")
		shift
	done
	need_autoenroll
	[ -n "$CONF" ] || fail "cae: no store (cyc_store first)"
	timeout -k 5 "$AE_TIMEOUT" env "${envs[@]}" "$ADLAB" client "$AUTOENROLL" -s "$CONF" "$@" \
		> "$o" 2> "$e" < /dev/null
	AE_RC=$?
	AE_STDOUT=$(cat "$o")
	AE_STDERR=$(cat "$e")
	# shellcheck disable=SC2034 # read by ../lib.sh's expect_output
	AE_ALL="$AE_STDOUT
$AE_STDERR"
	note "${envs[*]:+${envs[*]} }autoenroll $* -> exit $AE_RC"
	grep -v '^ldb: ' "$o" "$e" 2> /dev/null | grep -v '^==> ' | grep -v '^$' | tail -n 4 |
		sed 's/^/      | /' || true
	[ "$AE_RC" != 124 ] || fail "autoenroll $1 killed after ${AE_TIMEOUT}s"
	sanitizer_check "$e"
}

cstatus() {
	local e="$WORK/$NAME/status.err"
	timeout -k 5 "$AE_TIMEOUT" "$ADLAB" client "$AUTOENROLL" -s "$CONF" status --json \
		> "$SJ" 2> "$e" < /dev/null || fail "autoenroll status --json: exit $?: $(tail -n 1 "$e")"
	sanitizer_check "$e"
}

cq() { /usr/bin/python3 "$CQ" "$CJ" "$1"; }
sq() { /usr/bin/python3 "$CQ" "$SJ" "$1"; }

expect_item() {
	local t=$1 a=$2 c=$3 r=$4 got
	got=$(cq "[x for x in items('$t') if x['action'] == '$a' and x['result'] == '$r'
		and ('$c' == '' or x['cause'] == '$c')] != []")
	[ "$got" = true ] || fail "template $t: no item $a/${c:-*}/$r (items: $(cq "acts('$t')"))"
}

expect_rc_in() {
	local want
	for want in "$@"; do
		[ "$AE_RC" != "$want" ] || return 0
	done
	fail "autoenroll run exited $AE_RC, want one of $*: $(printf '%s' "$AE_STDERR" |
		grep -v '^ldb: ' | tail -n 2 | tr '\n' ' ' | cut -c1-300)"
}

ca_run() {
	ICPR_CA_DIR="$LAB/ca" ICPR_SAM_LDB="$LAB/dc/private/sam.ldb" timeout 60 "$CA_ADMIN" "$@"
}
ca_list() { ca_run list 2> /dev/null; }
ca_count() {
	if [ $# = 0 ]; then
		ca_list | grep -c . || true
	else
		ca_list | awk -v t="$1" '$3 == t' | grep -c . || true
	fi
}
ca_field() { ca_run show "$1" 2> /dev/null | sed -n "s/^$2=//p" | head -n 1; }

canon_serial() {
	local s=${1^^}
	s=${s#SERIAL=}
	((${#s} % 2 == 0)) || s=0$s
	while [ ${#s} -gt 2 ] && [[ $s == 00* ]]; do s=${s#00}; done
	echo "$s"
}
serial_of() { canon_serial "$(openssl x509 -in "$1" -noout -serial 2> /dev/null)"; }
pub_of_cert() { openssl x509 -in "$1" -noout -pubkey 2> /dev/null; }
pub_of_key() { openssl pkey -in "$1" -pubout 2> /dev/null; }

pair_problems() {
	local d=$1 all=${2:-} c k p q
	for c in "$d"/*.crt "$d"/archive/*.crt; do
		[ -e "$c" ] || continue
		k=${c%.crt}.key
		if [[ $c == "$d"/archive/* ]] && [ ! -e "${c%.crt}.state" ]; then
			[ -n "$all" ] || continue
			k=${c%.crt}.state
			echo "${c#"$d"/} without ${k#"$d"/}"
			k=${c%.crt}.key
		fi
		if [ ! -e "$k" ]; then
			echo "${c#"$d"/} without ${k#"$d"/}"
			continue
		fi
		p=$(pub_of_cert "$c")
		q=$(pub_of_key "$k")
		if [ -z "$p" ] || [ -z "$q" ]; then
			echo "${c#"$d"/} or ${k#"$d"/} does not parse"
		elif [ "$p" != "$q" ]; then
			echo "${k#"$d"/} is not the key of ${c#"$d"/}"
		fi
	done
}

expect_archived() {
	local d=$1 t=$2 s=$3 st=$4 f found="" base
	for f in "$d/archive/$t".*.state; do
		[ -e "$f" ] || continue
		if [ "$(canon_serial "$(sed -n 's/^serial=//p' "$f")")" = "$(canon_serial "$s")" ]; then
			found=$f
		fi
	done
	[ -n "$found" ] || fail "no archive/$t.*.state for serial $s (archive: $(find "$d/archive" -mindepth 1 -printf '%f ' 2> /dev/null))"
	grep -qx "status=$st" "$found" ||
		fail "${found#"$d"/}: $(grep '^status=' "$found"), want status=$st"
	base=${found%.state}
	if [ ! -s "$base.crt" ] || [ ! -s "$base.key" ]; then
		fail "${base#"$d"/}.crt/.key missing"
	fi
	[ "$(serial_of "$base.crt")" = "$(canon_serial "$s")" ] ||
		fail "${base#"$d"/}.crt has serial $(serial_of "$base.crt"), want $s"
	[ "$(pub_of_cert "$base.crt")" = "$(pub_of_key "$base.key")" ] ||
		fail "${base#"$d"/}.key does not match its certificate"
	note "archive: ${found#"$d"/} status=$st ($(sed -n 's/^reason=//p' "$found"))"
}
