#!/bin/bash
# Issue D finding 9: nothing of Samba's internal debug output reaches the
# terminal at the default level (was: two "ldb: Unable to open tdb
# .../secrets.ldb" lines from every networked command). With -d 5 it is
# there, through our logger ("autoenroll: samba: ...").
. "$(dirname "$0")/lib.sh"
[ ! -e "$LAB/member/private/secrets.ldb" ] || fail "the lab has a secrets.ldb: this scenario needs a member without one"
store=$(out_dir store)
noise='ldb:|secrets\.ldb|^\[20[0-9]{2}/|Unable to open tdb|dcerpc|gensec|smb_?conf'
for cmd in policy run "request --template LabMachine --out $store/req"; do
	# shellcheck disable=SC2086
	ae --option "autoenroll:store dir=$store" $cmd
	case "$AE_RC" in 0|3) ;; *) fail "$cmd failed ($AE_RC)";; esac
	# the sanitizer's own summary is not Samba's
	bad=$(printf '%s\n' "$AE_STDERR" | grep -vE '^(-+|Suppressions used:|  count +bytes template|  +[0-9]+ +[0-9]+ .*)$' |
		grep -E "$noise" | head -n 2)
	[ -z "$bad" ] || fail "$cmd: Samba output on stderr: $bad"
done
ae -d 5 --option "autoenroll:store dir=$store" policy
printf '%s\n' "$AE_STDERR" | qgrep '^autoenroll: samba: ' ||
	fail "-d 5 does not show Samba's messages through our logger"
pass
