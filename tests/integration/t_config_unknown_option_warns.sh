#!/bin/bash
# Issue D finding 8: a misspelt autoenroll: option is no longer silently
# ignored: every command warns, naming it (at the default level); `config`
# lists it as unknown; known options are not warned about.
. "$(dirname "$0")/lib.sh"
store=$(out_dir store)
ae --option "autoenroll:store dir=$store" --option 'autoenroll:stor dir=/tmp/x' status
expect_rc 0
printf '%s\n' "$AE_STDERR" | qgrep "warning: unknown option 'autoenroll:stor dir'" ||
	fail "no warning naming autoenroll:stor dir on stderr"
printf '%s\n' "$AE_STDERR" | qgrep "unknown option 'autoenroll:store dir'" &&
	fail "a known option was warned about"
# from smb.conf too (a copy with a misspelling in [global])
conf="$WORK/$NAME/smb.conf"
sed 's/^\[global\]$/[global]\n\tautoenroll:key typ = ec:p256/' "$LAB/member/smb.conf" > "$conf"
grep -q 'key typ =' "$conf" || fail "could not write the test smb.conf"
o="$WORK/$NAME/c.out" e="$WORK/$NAME/c.err"
"$ADLAB" client "$AUTOENROLL" -s "$conf" --option "autoenroll:store dir=$store" status > "$o" 2> "$e"
grep -q "warning: unknown option 'autoenroll:key typ'" "$e" || fail "no warning for the smb.conf misspelling: $(cat "$e")"
"$ADLAB" client "$AUTOENROLL" -s "$conf" config --json > "$o" 2> "$e" || fail "config failed"
/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["unknown"]==["autoenroll:key typ"], d["unknown"]' "$o" ||
	fail "config --json does not list the unknown option"
pass
