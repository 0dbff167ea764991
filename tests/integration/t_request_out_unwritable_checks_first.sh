#!/bin/bash
# Finding D4, second half: `request --out DIR` opens and locks DIR as a
# store BEFORE it contacts the CA. A missing parent, a directory owned by
# another user and a path that is a regular file all fail with exit 8
# (a relative path is a usage error, exit 2)
# naming the directory, and the CA's request count does not change (the
# old code submitted first and had an issued certificate with nowhere to
# go).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
. "$(dirname "$0")/cycle/lib.sh"

base=$WORK/$NAME
mkdir -p "$base"
n0=$(ca_count)
ae request --template LabMachine --out "$base/missing/parent/store"
expect_rc 8
expect_output "missing/parent" "the directory"
mkdir -p "$base/foreign"
chown nobody "$base/foreign"
ae request --template LabMachine --out "$base/foreign"
expect_rc 8
expect_output "foreign" "the directory"
: > "$base/file"
ae request --template LabMachine --out "$base/file"
expect_rc 8
# a relative --out is a usage error (finding D8: relative store paths were accepted)
ae request --template LabMachine --out relative/store
expect_rc 2
expect_output "absolute path" "the relative --out"
[ "$(ca_count)" = "$n0" ] || fail "the CA got $(($(ca_count) - n0)) request(s) for unusable stores"
note "three unusable --out directories: exit 8, a relative one: exit 2; no request reached the CA ($n0 requests)"
pass
