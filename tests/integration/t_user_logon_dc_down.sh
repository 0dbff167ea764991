#!/bin/bash
# Issue F, must show 2: with the DC stopped, pam_autoenroll.so's
# open_session returns in under 1 s (measured between two pam_exec stamps
# around it) and succeeds; the enrollment it started fails in the
# background, and syslog (the logon's /dev/log, $LAB/member/syslog.log)
# names the user and the cause. alice's TGT comes from an authenticate done
# while the DC was up (the open_session-only PAM service reads KRB5CCNAME
# from $LAB/member/logon.env). The DC is started again whatever happens.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
. "$(dirname "$0")/user/lib.sh"
need_user_client pam
on_exit pam_session none
on_exit "$ADLAB" start

user_reset alice
uid=$(user_uid alice)
cc=$LAB/member/ccache/krb5cc_$uid
ae_wrapper
pam_session --timed
rm -f "$cc"
logon alice authenticate
[ "$LOGON_RC" = 0 ] && [ -f "$cc" ] || fail "alice's authenticate (DC up) gave no ccache (exit $LOGON_RC)"
echo "KRB5CCNAME=FILE:$cc" > "$LAB/member/logon.env"
base=$(run_ends alice)
mark=$(wc -l < "$LAB/member/syslog.log" 2> /dev/null || echo 0)

"$ADLAB" stop | sed 's/^/  /' || fail "adlab.sh stop failed"
logon alice --session-only open_session
[ "$LOGON_RC" = 0 ] || fail "open_session failed with the DC stopped (exit $LOGON_RC): enrollment must never fail a login"
ms=$(session_ms)
note "pam_autoenroll.so open_session: $ms ms (pamtester in all: $LOGON_MS ms)"
[ "$ms" -lt 1000 ] || fail "open_session took $ms ms with the DC stopped (want < 1000)"
wait_run_end alice $((base + 1))
note "the detached run ended: $(grep -- '--user alice' "$CALLS" | tail -n 1)"
last=$(grep -- '--user alice' "$CALLS" | grep '^end ' | tail -n 1)
[[ $last != "end rc=0 "* ]] || fail "the run with the DC stopped ended with exit 0"
new=$(tail -n +"$((mark + 1))" "$LAB/member/syslog.log")
printf '%s\n' "$new" | grep -i 'autoenroll' | tail -n 4 | cut -c1-240 | sed 's/^/      | /'
# the module's line names the user; the cycle's lines (autoenroll[pid]) the cause
printf '%s\n' "$new" | qgrep 'user alice' || fail "syslog has no line naming alice"
printf '%s\n' "$new" | grep 'autoenroll\[' |
	qgrep -iE 'dc1\.lab\.example\.com|refused|unreachable|cannot contact|could not contact|timed? ?out|no route|NT_STATUS_[A-Z_]+|KDC' ||
	fail "syslog has no line of the cycle naming the cause (the DC unreachable)"
# the cycle's own lines name the user too (ae_log_set_who: "user LAB\alice: ...")
printf '%s\n' "$new" | grep 'autoenroll\[' | qgrep -F 'user LAB\alice:' ||
	fail "the cycle's syslog lines do not name LAB\\alice"
note "the cycle's syslog lines name LAB\\alice"
if printf '%s\n' "$new" | qgrep 'LabUser'; then
	note "syslog names LabUser"
else
	note "syslog names no template (none is known without the DC)"
fi
"$ADLAB" start | sed 's/^/  /' || fail "adlab.sh start failed"
pass
