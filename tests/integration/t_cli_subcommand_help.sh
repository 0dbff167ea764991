#!/bin/bash
# Issue D finding 8: `COMMAND --help` prints that command's help (exit 0),
# not the whole text; --version; -d is a number (exit 2 otherwise); a bad
# --option and a relative store path are refused naming them.
. "$(dirname "$0")/lib.sh"
need_autoenroll
for c in request retrieve run status policy pol config; do
	out=$("$AUTOENROLL" "$c" --help) || fail "$c --help: exit $?"
	printf '%s\n' "$out" | qgrep "^  $c " || fail "$c --help does not describe $c"
	others=$(printf '%s\n' "$out" | grep -cE '^  (request|retrieve|run|status|policy|pol|config) ')
	[ "$others" = 1 ] || fail "$c --help prints $others commands"
done
"$AUTOENROLL" --help | qgrep '^  config ' || fail "--help does not list config"
v=$("$AUTOENROLL" --version) || fail "--version: exit $?"
printf '%s\n' "$v" | qgrep -E '^autoenroll [0-9]+\.[0-9]+' || fail "--version prints '$v'"
"$AUTOENROLL" -d abc status > /dev/null 2>&1
[ $? = 2 ] || fail "-d abc is accepted"
"$AUTOENROLL" -d 3x status > /dev/null 2>&1
[ $? = 2 ] || fail "-d 3x is accepted"
"$AUTOENROLL" --option novalue status > /dev/null 2>&1
[ $? = 2 ] || fail "--option without = is accepted"
ae --option 'autoenroll:store dir=var/lib/x' status
expect_rc 6
expect_output "autoenroll:store dir" "the option"
ae --option 'autoenroll:trust dir=trust' run
expect_rc 6
expect_output "autoenroll:trust dir" "the option"
pass
