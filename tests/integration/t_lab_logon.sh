#!/bin/bash
# The lab's logon environment (adlab.sh logon; tests/lab/lab-users.sh), which
# the user-certificate scenarios build on, works for real:
#   - NSS: getpwnam("alice") resolves through the member winbindd (domain
#     uid range, home in the lab), for PAM's children too;
#   - PAM: pamtester authenticate + open_session + close_session as alice
#     with her password: pam_winbind krb5_auth gets a TGT from the lab KDC
#     into a FILE ccache owned by alice (0600) and puts KRB5CCNAME into the
#     PAM environment (seen by a pam_exec session module);
#   - a wrong password is refused; a local user (nobody) opens a session
#     through pam_unix without a home being made for it;
#   - syslog inside the logon reaches the lab's sink ($LAB/member/syslog.log).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
. "$(dirname "$0")/user/lib.sh"
W=$WORK/$NAME

on_exit pam_session none
pw=$("$ADLAB" logon getent passwd alice 2> "$W/getent.err") ||
	fail "getent passwd alice in the logon environment: $(tail -n 1 "$W/getent.err")"
uid=$(cut -d: -f3 <<< "$pw")
[ "$uid" -ge 100000 ] && [ "$uid" -le 199999 ] || fail "alice's uid $uid is not in the domain range"
[ "$(cut -d: -f6 <<< "$pw")" = "$LAB/home/alice" ] || fail "alice's home: $pw"
note "getpwnam(alice): $pw"
"$ADLAB" logon getent passwd alice > /dev/null && ! getent passwd alice > /dev/null 2>&1 ||
	fail "alice resolves on the host too: the logon environment leaked into the host's NSS"

# a session module that records what PAM's children see
dump=$W/envdump.sh
cat > "$dump" << EOF
#!/bin/sh
{ echo "uid=\$(id -u) user=\$PAM_USER KRB5CCNAME=\$KRB5CCNAME"; getent passwd "\$PAM_USER"; } > "$W/envdump.out" 2>&1
EOF
chmod 755 "$dump"
echo "session optional pam_exec.so $dump" > "$SESSION_FILE"
cc=$LAB/member/ccache/krb5cc_$uid
rm -f "$cc" "$W/envdump.out"
logon alice authenticate open_session close_session
[ "$LOGON_RC" = 0 ] || fail "pamtester as alice: exit $LOGON_RC: $(tail -n 2 <<< "$LOGON_OUT" | tr '\n' ' ')"
grep -q 'successfully authenticated' <<< "$LOGON_OUT" || fail "alice was not authenticated"
[ -f "$cc" ] || fail "no FILE ccache $cc after alice's authentication (pam_winbind krb5_auth)"
[ "$(stat -c '%u %a' "$cc")" = "$uid 600" ] || fail "ccache $cc: owner/mode $(stat -c '%u %a' "$cc")"
KRB5CCNAME=FILE:$cc "$ADLAB" client klist > "$W/klist.out" 2>&1 || fail "klist of $cc failed"
grep -q 'Default principal: alice@LAB.EXAMPLE.COM' "$W/klist.out" || fail "ccache principal: $(head -n 2 "$W/klist.out")"
grep -q 'krbtgt/LAB.EXAMPLE.COM@LAB.EXAMPLE.COM' "$W/klist.out" || fail "no TGT in $cc"
note "ccache $cc: alice's TGT, owned by uid $uid, 0600"
grep -qx "uid=0 user=alice KRB5CCNAME=FILE:$cc" "$W/envdump.out" ||
	fail "the session's environment: $(head -n 1 "$W/envdump.out" 2> /dev/null)"
grep -q "^alice:\*:$uid:" "$W/envdump.out" || fail "getpwnam(alice) in a PAM child: $(tail -n 1 "$W/envdump.out")"
note "PAM environment: KRB5CCNAME=FILE:$cc; a child of PAM resolves alice"

USERPASS=wrong-$USERPASS logon alice authenticate
[ "$LOGON_RC" != 0 ] || fail "a wrong password was accepted"
rm -f "$W/envdump.out"
logon nobody open_session close_session
[ "$LOGON_RC" = 0 ] || fail "open_session for the local user nobody failed: $(tail -n 1 <<< "$LOGON_OUT")"
grep -q '^uid=0 user=nobody KRB5CCNAME=$' "$W/envdump.out" || fail "nobody's session: $(cat "$W/envdump.out")"
[ ! -e "$LAB/home/nobody" ] || fail "a home was made for the local user nobody"
note "wrong password refused; local user nobody: session through pam_unix, no ccache"

tag="lab-logon-$$-$RANDOM"
"$ADLAB" logon logger -t "$tag" "syslog check" || fail "logger in the logon environment failed"
inlog() { grep -q "$tag: syslog check" "$LAB/member/syslog.log" 2> /dev/null; }
wait_until 10 "logger's message in $LAB/member/syslog.log" inlog
note "syslog in the logon reaches $LAB/member/syslog.log"
pass
