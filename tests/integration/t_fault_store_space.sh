#!/bin/bash
# Fault suite, the store's file system (a tmpfs mounted here as the store's
# parent, unmounted at the end; the first enrollment with a full disk is
# t_issued_cert_survives_kill_and_enospc): LabMachine enrolled, then at
# renewal time (330 days on):
#   A. the disk is full (a filler file takes every free page): `run` exits
#      8 naming the store and "No space left on device" (the --json item's
#      reason too, with the file that could not be written); the installed pair
#      and its record are unchanged (key 0600), nothing staged, no request
#      sent to the CA (nothing goes out before the new key is stored); with
#      the filler gone, the next run renews;
#   B. the store's file system is read-only (remount,ro): exit 8 naming the
#      store and "Read-only file system", the same checks; once remounted
#      read-write, the next run renews.
# EIO: t_fault_store_eio_read, _commit and _state (a FUSE file system that
# fails on demand, tests/faults/eiofs.c).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
. "$(dirname "$0")/cycle/lib.sh"
. "$(dirname "$0")/fault/lib.sh"

M=$WORK/$NAME/tmpfs
mkdir -p "$M"
on_exit umount -l "$M"

# tmpfs_store NAME: a fresh store on a fresh 2 MiB tmpfs, LabMachine enrolled
tmpfs_store() {
	umount "$M" 2> /dev/null
	mount -t tmpfs -o size=2m,mode=0700 tmpfs "$M" || fail "cannot mount a tmpfs on $M"
	cyc_store "$1"
	STORE=$M/store
	sed -i '/autoenroll:store dir/d' "$CONF"
	printf '\tautoenroll:store dir = %s\n' "$STORE" >> "$CONF"
	cycle
	expect_rc_in 0 3
	expect_item LabMachine enroll "" "done"
	expect_issued "$STORE" LabMachine
}

# refused_renewal CAUSE WHAT: the renewal run fails with exit 8 naming the
# store and CAUSE; nothing changed, no request
refused_renewal() {
	local snap n0
	snap=$(pair_snap)
	n0=$(ca_count LabMachine)
	cycle AE_TEST_NOW=+$FAULT_RENEW_AT
	expect_rc 8
	expect_output "$STORE" "$2: the store"
	expect_output "$1" "$2: the cause"
	expect_pair_unchanged "$snap" "$2"
	[ "$(ca_count LabMachine)" = "$n0" ] ||
		fail "$2: the CA got $(($(ca_count LabMachine) - n0)) requests although nothing could be stored"
	note "$2: exit 8, $(printf '%s\n' "$AE_ALL" | grep -m1 -o "[^:]*$1[^\"]*" | cut -c1-160)"
}

renewed_after() {
	cycle AE_TEST_NOW=+$((FAULT_RENEW_AT + FAULT_BACKOFF))
	expect_rc_in 0 3
	expect_item LabMachine renew "" "done"
	expect_issued "$STORE" LabMachine
	note "$1: the next run renewed"
}

note "A: the disk is full at renewal time"
tmpfs_store enospc
dd if=/dev/zero of="$M/filler" bs=4k 2> /dev/null
[ "$(df --output=avail "$M" | tail -n 1 | tr -d ' ')" = 0 ] || fail "the tmpfs is not full"
refused_renewal "No space left on device" "full disk"
# the item's reason (--json) names the file and the cause, not only "file system error"
reason=$(cq 'item("LabMachine", "renew")["reason"]')
[[ $reason == *"No space left on device"* && $reason == *LabMachine.* ]] ||
	fail "the renewal's reason does not name the file and the cause: $reason"
note "full disk: reason: $reason"
rm -f "$M/filler"
renewed_after "full disk"

note "B: the store is read-only at renewal time"
tmpfs_store rofs
mount -o remount,ro "$M" || fail "cannot remount $M read-only"
refused_renewal "Read-only file system" "read-only store"
mount -o remount,rw "$M" || fail "cannot remount $M read-write"
renewed_after "read-only store"
pass
