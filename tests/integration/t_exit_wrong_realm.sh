#!/bin/bash
# Issue D finding 8: a wrong realm in smb.conf while the DC is up is a
# misconfiguration: exit 6 (was 5, "unreachable"), the message names the
# realm and the option; nothing is written.
. "$(dirname "$0")/lib.sh"
d=$(out_dir out)
ae --option 'realm=WRONG.EXAMPLE' request --template LabMachine --out "$d"
expect_rc 6
expect_output 'WRONG\.EXAMPLE' "the realm"
expect_output "realm' in smb\.conf" "the option"
expect_nothing_written "$d"
ae --option 'realm=WRONG.EXAMPLE' policy
expect_rc 6
pass
