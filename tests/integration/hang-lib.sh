# hang-lib.sh: sourced by the t_hang_* scenarios (after lib.sh). The DC's
# processes are stopped with SIGSTOP (the kernel still completes TCP
# handshakes and queues datagrams: a hung DC, not a dead one) and always
# continued again (an EXIT trap).
# shellcheck shell=bash

# shellcheck disable=SC2034 # the scenarios'
HANG_TIMEOUT=5		# autoenroll:network timeout in these scenarios
HANG_PIDS=""

# dc_pids COMM...: the DC's processes (its mount namespace) named COMM
dc_pids() {
	local p mnt q c out=""
	p=$(cat "$LAB/dc/samba.pid") || return 1
	mnt=$(readlink "/proc/$p/ns/mnt") || return 1
	for q in $(ip netns pids "$NS"); do
		[ "$(readlink "/proc/$q/ns/mnt" 2> /dev/null)" = "$mnt" ] || continue
		c=$(cat "/proc/$q/comm" 2> /dev/null) || continue
		for want in "$@"; do
			[ "$c" = "$want" ] && out="$out $q"
		done
	done
	[ -n "$out" ] && echo "$out"
}

hang_continue() {
	# shellcheck disable=SC2086
	[ -z "$HANG_PIDS" ] || kill -CONT $HANG_PIDS 2> /dev/null
	HANG_PIDS=""
}

# hang_stop COMM...: SIGSTOP those DC processes until hang_continue / exit
hang_stop() {
	HANG_PIDS=$(dc_pids "$@") || fail "no DC process named $*"
	trap hang_continue EXIT
	# shellcheck disable=SC2086
	kill -STOP $HANG_PIDS || fail "cannot stop $HANG_PIDS"
	note "stopped the DC's $* (pids$HANG_PIDS)"
}

# prime_ccache FILE: a copy of the member's machine ccache holding, after
# one `policy` with it, the service tickets for ldap/ and cifs/ of the DC:
# a later run with --ccache FILE needs no KDC exchange for LDAP and SMB.
prime_ccache() {
	cp "$LAB/member/machine.ccache" "$1" || fail "no member machine ccache"
	ae --ccache "FILE:$1" policy
	expect_rc 0
}

# hang_store_ready: a store of this scenario's and the machine's ticket in a
# ccache of its own (cc), the DC named (opts: the options of every run), the
# test seam's pause directory (pause); one run before the hang, which must
# end 0 or 3 (before: its exit, for the run after SIGCONT).
hang_store_ready() {
	cc="$WORK/$NAME/ccache"
	store=$(out_dir store)
	pause=$(out_dir pause)
	mkdir -p "$pause"
	prime_ccache "$cc"
	opts=(--option "autoenroll:dc=dc1.lab.example.com" --option "autoenroll:store dir=$store")
	ae "${opts[@]}" --ccache "FILE:$cc" run
	before=$AE_RC
	case $before in 0 | 3) ;; *) fail "the run before the hang exited $before" ;; esac
}

# hang_after_policy OPTION...: `autoenroll -s <member smb.conf> OPTION... run`
# started with the test seam AE_TEST_PAUSE_AFTER_POLICY=$pause (a directory
# made by the caller); once it has read the policy the DC's samba is stopped
# (hang_stop) and the run let go. Sets rc (its exit), secs (seconds from the
# hang to its end), o and e (its stdout and stderr files). Fails when the run
# does not reach the pause, or does not end within 180 s.
hang_after_policy() {
	local pid start
	o="$WORK/$NAME/run.out" e="$WORK/$NAME/run.err"
	AE_TEST_PAUSE_AFTER_POLICY=$pause timeout -k 5 180 "$ADLAB" client "$AUTOENROLL" \
		-s "$LAB/member/smb.conf" "$@" run > "$o" 2> "$e" < /dev/null &
	pid=$!
	for _ in $(seq 1 600); do
		[ -e "$pause/paused" ] && break
		alive "$pid" || break
		sleep 0.1
	done
	[ -e "$pause/paused" ] || { wait "$pid"; fail "the cycle did not reach the pause after the policy: $(tail -n 2 "$e")"; }
	hang_stop samba
	start=$(date +%s)
	touch "$pause/go"
	wait "$pid"
	rc=$?
	secs=$(($(date +%s) - start))
	[ "$rc" != 124 ] || fail "the run did not end within 180 s"
}
