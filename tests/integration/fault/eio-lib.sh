# fault/eio-lib.sh: EIO from a real file system for the t_fault_store_eio*
# scenarios, sourced after ../lib.sh, ../policy/lib.sh, ../cycle/lib.sh and
# lib.sh. The store lives on eiofs (tests/faults/eiofs.c: a FUSE passthrough
# of a backing directory that answers EIO on demand), one mount per case.
#
#   eio_store NAME        unmounts the last case's eiofs; a fresh backing
#                         directory, eiofs mounted over it (healthy), STORE
#                         on it, CONF as cyc_store makes it; LabMachine
#                         enrolled (healthy)
#   eio_fault RULE...     the file system's rules from now on (eiofs.c:
#                         "OPS GLOB [COUNT [SKIP]]"); eio_fault alone heals it
#   expect_eio_hit OP NAME WHAT
#                         eiofs answered EIO to OP on NAME since the last
#                         eio_fault (else the case tested nothing: FAIL)
#   eio_umount            unmount and wait for eiofs to end (on_exit does it
#                         too, whatever the verdict)
# The scenarios FAIL (never skip) when eiofs is not built: libfuse3-dev was
# missing when the build was configured (tests/deps.sh installs it).
# shellcheck shell=bash

EIOFS=$BUILDDIR/tests/faults/eiofs
EIO_DIR=$WORK/$NAME/eio
EIO_PID=""
EIO_MARK=0

eio_need() {
	[ -x "$EIOFS" ] || fail "the test file system is not built ($EIOFS): libfuse3 was not" \
		"found when the build was configured (tests/deps.sh installs fuse3 and libfuse3-dev)"
	grep -qw fuse /proc/filesystems || fail "the kernel has no fuse file system (/proc/filesystems)"
	[ -c /dev/fuse ] || fail "/dev/fuse is missing: eiofs cannot mount"
}

# eio_holders: "pid(comm)" of the processes whose mount table has the mount
eio_holders() {
	local f p
	for f in $(grep -l " $EIO_DIR/mnt " /proc/[0-9]*/mountinfo 2> /dev/null | head -n 5); do
		p=${f#/proc/}
		p=${p%%/*}
		printf '%s(%s) ' "$p" "$(cat "/proc/$p/comm" 2> /dev/null)"
	done
}

eio_umount() {
	local _
	[ -d "$EIO_DIR/mnt" ] || return 0
	if mountpoint -q "$EIO_DIR/mnt"; then
		umount "$EIO_DIR/mnt" 2> /dev/null || umount -l "$EIO_DIR/mnt"
	fi
	[ -n "$EIO_PID" ] || return 0
	for _ in $(seq 50); do
		alive "$EIO_PID" || break
		sleep 0.1
	done
	if alive "$EIO_PID"; then
		# unmounted here, but a process started meanwhile in a mount namespace
		# of its own (ip netns exec) holds a copy of the mount: end eiofs
		note "eiofs (pid $EIO_PID) still serves a copy of the mount held by: $(eio_holders); stopped (SIGKILL)"
		kill -KILL "$EIO_PID" 2> /dev/null
	fi
	wait "$EIO_PID" 2> /dev/null
	EIO_PID=""
	return 0
}

eio_mount() {
	local _
	eio_umount
	rm -rf "$EIO_DIR"
	mkdir -p "$EIO_DIR/backing" "$EIO_DIR/mnt"
	chmod 0700 "$EIO_DIR/backing"
	: > "$EIO_DIR/control"
	: > "$EIO_DIR/log"
	"$EIOFS" "$EIO_DIR/backing" "$EIO_DIR/mnt" "$EIO_DIR/control" "$EIO_DIR/log" \
		> "$EIO_DIR/eiofs.out" 2>&1 < /dev/null &
	EIO_PID=$!
	for _ in $(seq 600); do # bounded: 60 s (a loaded machine)
		mountpoint -q "$EIO_DIR/mnt" && break
		alive "$EIO_PID" || break
		sleep 0.1
	done
	mountpoint -q "$EIO_DIR/mnt" ||
		fail "eiofs did not mount on $EIO_DIR/mnt: $(tail -n 3 "$EIO_DIR/eiofs.out" | tr '\n' ' ')"
	EIO_MARK=0
}

eio_store() {
	eio_mount
	cyc_store "$1"
	STORE=$EIO_DIR/mnt/store
	sed -i '/autoenroll:store dir/d' "$CONF"
	printf '\tautoenroll:store dir = %s\n' "$STORE" >> "$CONF"
	note "store on eiofs: $STORE"
	cycle
	expect_rc_in 0 3
	expect_item LabMachine enroll "" "done"
	expect_issued "$STORE" LabMachine
}

eio_fault() {
	EIO_MARK=$(wc -l < "$EIO_DIR/log")
	if [ $# = 0 ]; then
		: > "$EIO_DIR/control.new"
		note "eiofs healthy"
	else
		printf '%s\n' "$@" > "$EIO_DIR/control.new"
		note "eiofs: EIO for: $*"
	fi
	mv -f "$EIO_DIR/control.new" "$EIO_DIR/control"
}

expect_eio_hit() {
	tail -n +$((EIO_MARK + 1)) "$EIO_DIR/log" | qgrep -E "^EIO $1 $2\$" ||
		fail "$3: eiofs never answered EIO to $1 on $2 (log: $(tail -n +$((EIO_MARK + 1)) \
			"$EIO_DIR/log" | sort | uniq -c | head -n 8 | tr -s ' \n' ' ')): the case tested nothing"
}

# ca_serial_of ID: the serial of the certificate the test CA issued for request ID
ca_serial_of() { ca_run certs 2> /dev/null | awk -v id="$1" '$4 == id { print $1 }' | head -n 1; }

# files_snap: sha256 and mode of LabMachine's certificate, key and chain in $STORE
files_snap() {
	local f
	for f in LabMachine.crt LabMachine.key LabMachine.chain.pem; do
		printf '%s %s ' "$(sha256sum < "$STORE/$f" 2> /dev/null | cut -c1-16)" \
			"$(stat -c %a "$STORE/$f" 2> /dev/null)"
	done
}

eio_need
on_exit eio_umount
