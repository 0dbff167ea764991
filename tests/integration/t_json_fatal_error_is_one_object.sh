#!/bin/bash
# Issue D finding 8: with --json, every outcome is exactly one JSON object on
# stdout, fatal and usage errors included (was: nothing on a fatal error).
. "$(dirname "$0")/lib.sh"
one_object() {
	printf '%s' "$AE_STDOUT" | /usr/bin/python3 -c '
import json, sys
text = sys.stdin.read()
obj, end = json.JSONDecoder().raw_decode(text)
assert text[end:].strip() == "", "more than one object"
assert obj["exit_code"] == int(sys.argv[1]), obj
' "$AE_RC" || fail "$1: stdout is not exactly one JSON object with exit_code $AE_RC: $AE_STDOUT"
}
store=$(out_dir store)
ae --option 'autoenroll:key type=rsa:100' run --json
expect_rc 6; one_object "run, bad key type"
ae --option 'autoenroll:store dir=relative/dir' policy --json
expect_rc 6; one_object "policy, relative store"
ae --option 'autoenroll:store dir=relative/dir' status --json
expect_rc 6; one_object "status, relative store"
ae --option "autoenroll:store dir=$store" --option 'realm=WRONG.EXAMPLE' run --json
expect_rc 6; one_object "run, wrong realm"
ae run --json --bogus
expect_rc 2; one_object "run, usage error"
ae -d abc run --json
expect_rc 2; one_object "-d abc"
ae pol /nonexistent/Registry.pol --json
expect_rc 8; one_object "pol, unreadable"
ae --option 'autoenroll:key type=ec:p999' request --template LabMachine --json
expect_rc 6; one_object "request, bad key type"
pass
