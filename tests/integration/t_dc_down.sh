#!/bin/bash
# DC (and CA) down: exit 5, the message names dc1.lab.example.com and the
# cause, nothing is written. The DC is started again (and waited for)
# whatever happens: later scenarios need it.
. "$(dirname "$0")/lib.sh"
trap '"$ADLAB" start > /dev/null 2>&1' EXIT
"$ADLAB" stop | sed 's/^/  /' || fail "adlab.sh stop failed"
d=$(out_dir out)
ae request --template LabMachine --out "$d"
expect_rc 5
expect_output 'dc1\.lab\.example\.com' dc1.lab.example.com
expect_output '[Rr]efused|[Uu]nreachable|[Cc]annot contact|[Cc]ould not contact|[Tt]imed? ?out|[Nn]o route|NT_STATUS_[A-Z_]+|KDC|[Cc]onnect' "the cause"
expect_nothing_written "$d"
"$ADLAB" start | sed 's/^/  /' || fail "adlab.sh start failed"
trap - EXIT
pass
