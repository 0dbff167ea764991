#!/bin/bash
# kill -9 of `autoenroll run` at KILLS (50) random moments, half during
# enrollment (a store without LabMachine's certificate; a fresh one once an
# enrollment got through) and half during renewal (one store, every run
# with AE_TEST_NOW 330 days ahead, so each run renews LabMachine).
# The moment: for a quarter of the kills, random in 0..T ms after the
# start (T: a normal run's duration, measured first in the same mode); for
# the others, random in 0..D ms after the run first writes a state record
# or a new key into the store (a recovery or the first transition's begin),
# D the span from the first request to the trust sync in the measured run
# (the store transitions happen within it; RSA key generation before it
# takes a random time, which a delay from the start cannot aim past).
# After each kill: every <T>.crt of the store (and of archive/) has its
# <T>.key and they match (openssl pkey -pubout vs x509 -pubkey): never a
# certificate without its key; so does every archived pair whose record is
# written (archiving moves the certificate first, the key, then the record
# last: ae_store_txn.c). After the first VERIFY_MAX kills per mode
# that leave a transition in flight, and after the last kill on each store,
# a normal run completes (exit 0 or 3; recovery reports what it finished or
# rolled back) and leaves LabMachine's pair valid (key matches, openssl
# verify), LabPending pending, every record stable, no staged or temporary
# file but LabPending's pending key, every archived pair complete.
# The runs to be killed (and their calibration) get ASAN_OPTIONS=
# fast_unwind_on_malloc=1:detect_leaks=0: a sanitizer build asks for full
# stack unwinding on every malloc (autoenroll.c), which makes a run ~6 times
# slower (1.3 s of 2 s before the first LDAP search); memory errors are
# still caught, and a killed run never reaches the leak check. The normal
# runs keep the build's defaults. (Ignored by a build without ASan.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
. "$(dirname "$0")/cycle/lib.sh"

KILLS=${KILLS:-50}
VERIFY_MAX=${VERIFY_MAX:-3}
FAST=ASAN_OPTIONS=fast_unwind_on_malloc=1:detect_leaks=0
RENEW_NOW=+$((330 * 86400))

ms() {
	local t=${EPOCHREALTIME/[.,]/}
	echo $((t / 1000))
}

# pause MS without a fork: a read that times out on a FIFO nobody writes
mkfifo "$WORK/$NAME/never"
exec {NEVER}<> "$WORK/$NAME/never"
pause() {
	local s
	printf -v s '%d.%03d' $(($1 / 1000)) $(($1 % 1000))
	read -r -t "$s" -u "$NEVER" _ || true
}

# wait_write PID REF: until a record or new key in STORE is newer than REF
# (touched at the start), or PID has ended (rc 1); at most 20 s
wait_write() {
	local f n=0
	while alive "$1" && [ $n -lt 20000 ]; do
		for f in "$STORE"/*.state "$STORE"/*.key.new; do
			[ "$f" -nt "$2" ] && return 0
		done
		pause 1
		n=$((n + 1))
	done
	return 1
}

# calibrate [VAR=VALUE...]: a normal run with -d 3 whose log lines are
# stamped with the ms since its start (kept in CJ like cycle's); sets T
# (its duration) and D (from the first request line to the trust sync's
# first LDAP search, at least 20 ms)
calibrate() {
	local envs=() t0 o="$WORK/$NAME/calib.out" e="$WORK/$NAME/calib.err" w0 w1
	while [[ ${1:-} =~ ^[A-Za-z_][A-Za-z0-9_]*= ]]; do
		envs+=("$1")
		shift
	done
	t0=$(ms)
	timeout -k 5 "$AE_TIMEOUT" env "$FAST" "${envs[@]}" "$ADLAB" client "$AUTOENROLL" -s "$CONF" \
		-d 3 run --json 2>&1 > "$o" < /dev/null | while IFS= read -r l; do
		echo "$(($(ms) - t0)) $l"
	done > "$e"
	AE_RC=${PIPESTATUS[0]}
	T=$(($(ms) - t0))
	cp "$o" "$CJ"
	note "${envs[*]:+${envs[*]} }autoenroll -d 3 run --json (calibration) -> exit $AE_RC, $T ms"
	sanitizer_check "$e"
	w0=$(grep -m1 -E 'new request at CA|renewal \(signed with the old key\)' "$e" | cut -d' ' -f1)
	[ -n "$w0" ] || fail "calibration: no request in the log of the run ($(tail -n 1 "$e"))"
	w1=$(grep -E 'CN=Certification Authorities' "$e" | cut -d' ' -f1 | awk -v a="$w0" '$1 >= a' |
		head -n 1)
	D=$((${w1:-$T} - w0))
	[ $D -ge 20 ] || D=20
	note "  first request at $w0 ms, trust sync at ${w1:-?} ms: D = $D ms"
}

# what a kill left in flight in STORE (for the tally)
in_flight() {
	local s
	s=$(cat "$STORE"/*.state 2> /dev/null | sed -n 's/^status=//p' |
		grep -E 'enrolling|renewing|installing|archived|removed' | sort -u | tr '\n' ' ')
	if [ -n "$(find "$STORE" -maxdepth 1 \( -name '*.crt.new' -o -name '*.state.new' \) 2> /dev/null)" ]; then
		s="${s}staged "
	fi
	echo "$s"
}

# what the store looks like (records, file names), to tell a kill's
# leftovers from an earlier one's
fingerprint() {
	{
		cat "$STORE"/*.state 2> /dev/null
		find "$STORE" -maxdepth 1 2> /dev/null | sort
	} | md5sum
}

# store_final DIR: the checks after a normal run on DIR
store_final() {
	local d=$1 f st left
	expect_issued "$d" LabMachine
	for f in "$d"/*.state; do
		st=$(sed -n 's/^status=//p' "$f")
		case "$(basename "$f" .state):$st" in
		LabMachine:issued | LabPending:pending | LabPending:issued) ;;
		*) fail "$f: status=$st after a normal run" ;;
		esac
	done
	left=$(find "$d" \( -name '*.new' -o -name '*.tmp.*' -o -name '*.corrupt' \) \
		! -name LabPending.key.new -printf '%P ')
	[ -z "$left" ] || fail "left in $d after a normal run: $left"
	probs=$(pair_problems "$d" all)
	[ -z "$probs" ] || fail "$d: $probs"
}

# calibration: the renewal store gets its LabMachine certificate, then its
# first renewal
cyc_store renew
RSTORE=$STORE RCONF=$CONF
calibrate
expect_rc_in 0 3
expect_item LabMachine enroll no-certificate "done"
T_ENROLL=$T D_ENROLL=$D
calibrate AE_TEST_NOW=$RENEW_NOW
expect_rc_in 0 3
expect_item LabMachine renew renewal-due "done"
T_RENEW=$T D_RENEW=$D

e=0
cyc_store "enroll-$e"
ESTORE=$STORE ECONF=$CONF
REF=$WORK/$NAME/start.ref
hits=0 tally=""
# shellcheck disable=SC2034 # read as ${!v}
verified_enroll=0 verified_renew=0
t_start=$(ms)
for i in $(seq "$KILLS"); do
	if ((i % 2)); then
		mode=enroll T=$T_ENROLL D=$D_ENROLL envs=()
		if [ -e "$ESTORE/LabMachine.crt" ]; then
			e=$((e + 1))
			cyc_store "enroll-$e" > /dev/null
			ESTORE=$STORE ECONF=$CONF
		fi
		STORE=$ESTORE CONF=$ECONF
	else
		mode=renew T=$T_RENEW D=$D_RENEW envs=("AE_TEST_NOW=$RENEW_NOW")
		STORE=$RSTORE CONF=$RCONF
	fi
	before=$(fingerprint)
	r=$((RANDOM * 32768 + RANDOM))
	touch "$REF"
	sleep 0.01 # REF's mtime is older than anything the run writes
	env "$FAST" "${envs[@]}" "$ADLAB" client "$AUTOENROLL" -s "$CONF" run --json \
		> "$WORK/$NAME/kill.out" 2> "$WORK/$NAME/kill.err" < /dev/null &
	pid=$!
	if ((r % 4 == 0)); then
		d=$((r / 4 % (T + 1)))
		when="$d ms after the start"
		pause "$d"
	else
		d=$((r / 4 % (D + 1)))
		t0=$(ms)
		if wait_write "$pid" "$REF"; then
			when="$d ms after the first write (at $(($(ms) - t0)) ms)"
			pause "$d"
		else
			when="never wrote"
		fi
	fi
	if alive "$pid"; then
		kill -KILL "$pid" 2> /dev/null
		what=killed
	else
		what="already done"
	fi
	wait "$pid" 2> /dev/null
	rc=$?
	if [ "$what" = "already done" ] && [ $rc != 0 ] && [ $rc != 3 ]; then
		fail "kill $i ($mode): the run ended by itself with exit $rc: $(grep -v '^ldb: ' \
			"$WORK/$NAME/kill.err" | tail -n 2 | tr '\n' ' ')"
	fi
	sanitizer_check "$WORK/$NAME/kill.err"
	probs=$(pair_problems "$STORE")
	[ -z "$probs" ] || fail "kill $i ($mode, $when, $what): $probs"
	fl=$(in_flight)
	[ "$(fingerprint)" != "$before" ] || fl=""
	if [ -n "$fl" ]; then
		hits=$((hits + 1))
		tally="$tally $mode:${fl% }"$'\n'
	fi
	note "kill $i: $mode, $when: $what; pairs ok${fl:+; left in flight: $fl}"
	v=verified_$mode
	if [ -n "$fl" ] && [ "${!v}" -lt "$VERIFY_MAX" ]; then
		printf -v "$v" %d $((${!v} + 1))
		cycle "${envs[@]}"
		expect_rc_in 0 3
		[ "$(cq 'len(d["recovery"])')" -gt 0 ] || fail "kill $i left '$fl' but recovery reports nothing"
		note "  recovery: $(cq 'd["recovery"]')"
		store_final "$STORE"
	fi
done
note "$KILLS kills in $(($(ms) - t_start)) ms; $hits left a transition in flight:"
printf '%s' "$tally" | sed '/^$/d' | sort | uniq -c | sed 's/^/      | /'
[ "$hits" -gt 0 ] || fail "no kill landed inside a transition (nothing was tested)"

note "normal runs after the kills"
STORE=$RSTORE CONF=$RCONF
cycle
expect_rc_in 0 3
note "  recovery: $(cq 'd["recovery"]')"
store_final "$RSTORE"
for ((k = 0; k <= e; k++)); do
	STORE=$WORK/$NAME/enroll-$k/store CONF=$WORK/$NAME/enroll-$k/smb.conf
	if [ "$k" = "$e" ]; then
		cycle
		expect_rc_in 0 3
		note "  recovery: $(cq 'd["recovery"]')"
		store_final "$STORE"
	else
		probs=$(pair_problems "$STORE")
		[ -z "$probs" ] || fail "$STORE: $probs"
	fi
done
pass
