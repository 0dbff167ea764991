#!/bin/bash
# Issue D finding 8: the DC (and the CA on it) stops in the middle of a
# cycle, after the policy was read: `run` exits 5 (unreachable), not 8
# (store), in bounded time, and names the DC. The test seam
# AE_TEST_PAUSE_AFTER_POLICY holds the cycle after the policy until the DC is
# stopped. The DC is started again whatever happens.
. "$(dirname "$0")/lib.sh"
need_autoenroll
trap '"$ADLAB" start > /dev/null 2>&1' EXIT
store=$(out_dir store)
pause=$(out_dir pause)
mkdir -p "$pause"
o="$WORK/$NAME/run.out" e="$WORK/$NAME/run.err"
start=$(date +%s)
AE_TEST_PAUSE_AFTER_POLICY=$pause timeout -k 5 120 "$ADLAB" client "$AUTOENROLL" \
	-s "$LAB/member/smb.conf" --option "autoenroll:store dir=$store" run > "$o" 2> "$e" < /dev/null &
pid=$!
for _ in $(seq 1 600); do
	[ -e "$pause/paused" ] && break
	kill -0 "$pid" 2> /dev/null || break
	sleep 0.1
done
[ -e "$pause/paused" ] || { wait "$pid"; fail "the cycle did not reach the pause after the policy: $(tail -n 2 "$e")"; }
"$ADLAB" stop | sed 's/^/  /' || fail "adlab.sh stop failed"
touch "$pause/go"
wait "$pid"
rc=$?
secs=$(($(date +%s) - start))
note "run -> exit $rc after ${secs}s"
sed 's/^/      | /' "$o" "$e" | tail -n 8
[ "$rc" = 5 ] || fail "expected exit 5 (DC unreachable), got $rc"
[ "$secs" -lt 110 ] || fail "took ${secs}s"
grep -qE 'dc1\.lab\.example\.com|LAB-CA' "$o" "$e" || fail "the output names neither the DC nor the CA"
"$ADLAB" start | sed 's/^/  /' || fail "adlab.sh start failed"
trap - EXIT
pass
