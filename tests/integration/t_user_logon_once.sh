#!/bin/bash
# Issue F, must show 4: alice's second logon makes no request (her
# LabUser certificate is valid: the run is a no-op), and two concurrent
# logons from an empty store make exactly one LabUser request and leave
# one valid pair.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
. "$(dirname "$0")/user/lib.sh"
need_user_client pam
on_exit pam_session none
ae_wrapper
pam_session
count() { ca_requests LabUser alice | grep -c . || true; }
store=$(user_store alice)

user_reset alice
base=$(run_ends alice)
n0=$(count)
logon alice
[ "$LOGON_RC" = 0 ] || fail "first logon failed (exit $LOGON_RC)"
wait_run_end alice $((base + 1))
[ -s "$store/LabUser.crt" ] || fail "the first logon enrolled no LabUser certificate"
n1=$(count)
[ "$n1" = $((n0 + 1)) ] || fail "the first logon made $((n1 - n0)) LabUser requests, want 1"
serial=$(openssl x509 -in "$store/LabUser.crt" -noout -serial)
note "first logon: one request, $serial"

logon alice
[ "$LOGON_RC" = 0 ] || fail "second logon failed (exit $LOGON_RC)"
wait_run_end alice $((base + 2))
[ "$(count)" = "$n1" ] || fail "the second logon made a new LabUser request"
[ "$(openssl x509 -in "$store/LabUser.crt" -noout -serial)" = "$serial" ] ||
	fail "the second logon replaced the certificate"
note "second logon: no request, $serial kept"

# -- two logons at once, empty store ----------------------------------------
user_reset alice
n2=$(count)
pre=$(pam_preload)
pids=()
for i in 1 2; do
	echo "$USERPASS" | timeout -k 5 60 "$ADLAB" logon env ${pre:+LD_PRELOAD="${pre%:}"} \
		${pre:+ASAN_OPTIONS=detect_leaks=0} pamtester "$PAM_SERVICE" alice authenticate \
		open_session > "$WORK/$NAME/concurrent.$i" 2>&1 &
	pids+=($!)
done
rc=0
for p in "${pids[@]}"; do wait "$p" || rc=$?; done
[ "$rc" = 0 ] || fail "a concurrent logon failed: $(cat "$WORK/$NAME"/concurrent.* | tail -n 2 | tr '\n' ' ')"
wait_run_end alice $((base + 4))
n3=$(count)
[ "$n3" = $((n2 + 1)) ] || fail "two concurrent logons made $((n3 - n2)) LabUser requests, want 1"
expect_issued "$store" LabUser
note "two concurrent logons: one request, one valid pair"
pass
