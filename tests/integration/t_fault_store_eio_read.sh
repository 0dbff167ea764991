#!/bin/bash
# Fault suite, EIO from the store's file system (eiofs, a FUSE passthrough
# that fails on demand: tests/faults/eiofs.c) when an installed file is
# read: LabMachine enrolled on a healthy eiofs, then, for its certificate,
# its key and its state record, every read(2) of that file answers EIO, and
# `run` (nothing due):
#   - exits 8 (a local store error) naming the file and the cause
#     ("Input/output error"), with a store error item for LabMachine;
#   - loses nothing: the file system healed, the pair, the chain and the
#     record are as before (the key 0600), nothing archived, quarantined or
#     staged (an unreadable file is not a broken one: it is not set aside);
#   - asks the CA nothing (an unreadable pair is not replaced);
# and the next run on the healed file system finds the pair valid (skip;
# exit 3: the lab's LabPending stays pending).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
. "$(dirname "$0")/cycle/lib.sh"
. "$(dirname "$0")/fault/lib.sh"
. "$(dirname "$0")/fault/eio-lib.sh"

# nothing_set_aside: no archive/ or quarantine/ entry, no .corrupt copy
nothing_set_aside() {
	local s
	s=$(find "$STORE" -mindepth 1 \( -path "$STORE/archive/*" -o -path "$STORE/quarantine/*" \
		-o -name '*.corrupt*' \) -printf '%P ' 2> /dev/null)
	[ -z "$s" ] || fail "$1: set aside although it was only unreadable: $s"
}

read_case() {
	local file=$1 snap n0
	note "--- EIO reading $file"
	eio_store "read-${file#LabMachine.}"
	snap=$(pair_snap)
	n0=$(ca_count LabMachine)
	eio_fault "read $file"
	cycle
	expect_eio_hit read "$file" "EIO reading $file"
	eio_fault
	expect_rc 8
	expect_output "${file}[^\"]*Input/output error" "EIO reading $file: the file and the cause"
	expect_pair_unchanged "$snap" "EIO reading $file"
	nothing_set_aside "EIO reading $file"
	[ "$(ca_count LabMachine)" = "$n0" ] ||
		fail "EIO reading $file: the CA got $(($(ca_count LabMachine) - n0)) requests"
	note "EIO reading $file: exit 8, $(printf '%s\n' "$AE_ALL" |
		grep -m1 -oE "[^\"]*${file}[^\"]*Input/output error[^\"]*" | cut -c1-200)"
	cycle
	expect_rc_in 0 3
	expect_item LabMachine skip valid skipped
	expect_pair_unchanged "$snap" "EIO reading $file, healed"
	note "EIO reading $file: healed, the next run finds the pair valid"
}

read_case LabMachine.crt
read_case LabMachine.key
read_case LabMachine.state
pass
