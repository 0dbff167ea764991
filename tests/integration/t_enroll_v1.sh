#!/bin/bash
# The v1 "Machine" template: issued, and the v1 template name extension
# (1.3.6.1.4.1.311.20.2) says Machine.
. "$(dirname "$0")/lib.sh"
d=$(out_dir out)
ae request --template Machine --out "$d"
expect_rc 0
expect_issued "$d" Machine
name=$(cert_fact "$d/Machine.crt" template_name)
[ "$name" = Machine ] || fail "template name extension '$name', want Machine"
note "template name extension: $name"
pass
