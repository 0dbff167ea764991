#!/bin/bash
# swtpm.sh: a software TPM 2.0 (swtpm) for the tests, as a socket TPM on
# loopback; nothing here touches /dev/tpm*.
#
#   swtpm.sh start DIR [PORT]   start swtpm with its state in DIR (created);
#                               PORT for the TPM commands (default: a free
#                               one of 23000-23399, another one when a
#                               parallel test took it first; control
#                               channel PORT+1);
#                               prints the TCTI string and writes DIR/pid,
#                               DIR/port and DIR/tcti
#   swtpm.sh stop DIR           stop the swtpm of DIR by its PID (DIR/pid)
#   swtpm.sh tcti DIR           print DIR/tcti
#
# The TCTI string is for tpm2-openssl's TPM2OPENSSL_TCTI or
# `autoenroll:tpm tcti` (libtss2-tcti-swtpm: swtpm:host=H,port=P). Run the
# script inside the lab's netns (ip netns exec) to have the TPM there: the
# netns has its own loopback, so the ports do not collide with the host's.
# swtpm starts with --flags startup-clear: it is ready for commands without
# a TPM2_Startup of our own.
set -euo pipefail

die() {
	echo "swtpm.sh: $*" >&2
	exit 1
}

port_free() {
	! (exec 3<> "/dev/tcp/127.0.0.1/$1") 2> /dev/null
}

# launch DIR PORT: swtpm as a daemon on PORT (commands) and PORT+1 (control)
launch() {
	swtpm socket --tpm2 --daemon \
		--server "type=tcp,port=$2,bindaddr=127.0.0.1" \
		--ctrl "type=tcp,port=$(($2 + 1)),bindaddr=127.0.0.1" \
		--flags startup-clear --tpmstate "dir=$1" \
		--pid "file=$1/pid" --log "file=$1/swtpm.log"
}

start() {
	local dir=$1 port=${2:-} pid i
	command -v swtpm > /dev/null || die "swtpm not installed (tests/deps.sh)"
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	if [ -s "$dir/pid" ] && kill -0 "$(cat "$dir/pid")" 2> /dev/null; then
		die "$dir: swtpm already running (pid $(cat "$dir/pid"))"
	fi
	rm -f "$dir/pid" "$dir/port" "$dir/tcti"
	if [ -n "$port" ]; then
		[[ "$port" =~ ^[0-9]+$ ]] || die "bad port '$port'"
		launch "$dir" "$port" || die "swtpm did not start (see $dir/swtpm.log)"
	else
		# a free pair of ports from 23000 up, starting at a place of our
		# pid's: tests that start a TPM at the same time (meson runs them
		# in parallel) may still pick the same pair between the check and
		# swtpm's bind, and the one that loses moves on to the next pair
		local base=$((($$ % 200) * 2)) k ok=
		for ((k = 0; k < 200; k++)); do
			port=$((23000 + (base + 2 * k) % 400))
			port_free "$port" && port_free $((port + 1)) || continue
			if launch "$dir" "$port"; then
				ok=1
				break
			fi
		done
		[ -n "$ok" ] || die "swtpm did not start on any free port of 23000-23399 (see $dir/swtpm.log)"
	fi
	# ready: the pid file written and the control channel answering
	for ((i = 0; i < 200; i++)); do
		if [ -s "$dir/pid" ] && swtpm_ioctl --tcp "127.0.0.1:$((port + 1))" -g \
			> /dev/null 2>&1; then
			break
		fi
		sleep 0.05
	done
	[ -s "$dir/pid" ] || die "swtpm wrote no pid file"
	pid=$(cat "$dir/pid")
	kill -0 "$pid" 2> /dev/null || die "swtpm (pid $pid) is not running"
	echo "$port" > "$dir/port"
	echo "swtpm:host=127.0.0.1,port=$port" > "$dir/tcti"
	cat "$dir/tcti"
}

stop() {
	local dir=$1 pid i
	[ -s "$dir/pid" ] || return 0
	pid=$(cat "$dir/pid")
	[[ "$pid" =~ ^[0-9]+$ ]] || die "$dir/pid: not a pid"
	# only our swtpm: the pid's command must be swtpm with this state dir
	if kill -0 "$pid" 2> /dev/null &&
		grep -q "^swtpm .*dir=$dir" < <(tr '\0' ' ' < "/proc/$pid/cmdline"); then
		kill "$pid"
		for ((i = 0; i < 200; i++)); do
			kill -0 "$pid" 2> /dev/null || break
			sleep 0.05
		done
		kill -0 "$pid" 2> /dev/null && kill -9 "$pid"
	fi
	rm -f "$dir/pid"
}

case "${1:-}" in
start) [ $# -ge 2 ] || die "usage: swtpm.sh start DIR [PORT]"; start "$2" "${3:-}" ;;
stop) [ $# -eq 2 ] || die "usage: swtpm.sh stop DIR"; stop "$(cd "$2" 2> /dev/null && pwd || echo "$2")" ;;
tcti) [ $# -eq 2 ] || die "usage: swtpm.sh tcti DIR"; cat "$2/tcti" ;;
*) die "usage: swtpm.sh start|stop|tcti DIR" ;;
esac
