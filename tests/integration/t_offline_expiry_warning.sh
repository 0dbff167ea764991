#!/bin/bash
# Issue D finding 6: offline blindness. `run` enrolls LabMachine (one year)
# into a private store and keeps the policy's OfflineExpirationPercent in
# it; then the DC is stopped (started again whatever happens) and, with
# the clock moved (AE_TEST_NOW, test-seams build):
#   - 345 days on (< 10 % of the lifetime left): `run` exits 5 and reports
#     LabMachine as expiring on stdout (text and --json) and in syslog at
#     the default log level; `status` says VALID with the expiring warning;
#   - 400 days on: `status` says EXPIRED (not "issued"); `run` exits 5 and
#     reports EXPIRED on stdout and in syslog.
# Syslog: the lab host has no /dev/log, so each offline run gets one of its
# own: a private mount namespace (unshare -m) in which /dev is a copy whose
# "log" is a datagram socket read by a small receiver into a file.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
. "$(dirname "$0")/cycle/lib.sh"

T=LabMachine
DAY=86400
SYSLOG=$WORK/$NAME/syslog
OUT=$WORK/$NAME/offline.out
ERR=$WORK/$NAME/offline.err

# offline_run NOW_OFFSET [--json]: `autoenroll run` as the member, syslog captured.
offline_run() {
	local off=$1 inner
	shift
	: > "$SYSLOG"
	inner=$WORK/$NAME/inner.sh
	cat > "$inner" << 'EOF'
set -e
d=$(mktemp -d /tmp/ae-fakedev-XXXXXX)
mount -t tmpfs none "$d"
for n in null zero random urandom full tty; do
	touch "$d/$n"
	mount --bind "/dev/$n" "$d/$n"
done
mkdir "$d/pts" "$d/shm"
/usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(60)
with open(sys.argv[2], "ab", buffering=0) as f:
    f.write(b"")
    while True:
        try:
            m = s.recv(8192)
        except OSError:
            break
        if m == b"\0end":
            break
        f.write(m + b"\n")
' "$d/log" "$SYSLOG" &
rcv=$!
for _ in $(seq 600); do [ -S "$d/log" ] && break; sleep 0.1; done
[ -S "$d/log" ] || { echo "the syslog receiver did not start" >&2; exit 99; }
mount --bind "$d" /dev
set +e
"$@"
rc=$?
# the run's datagrams are queued in order before this one: the receiver has
# written every one of them when it reads it (no sleep: a loaded machine)
/usr/bin/python3 -c '
import socket, sys
socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(b"\0end", sys.argv[1])
' /dev/log
wait "$rcv" 2> /dev/null
exit $rc
EOF
	SYSLOG=$SYSLOG timeout -k 5 "$AE_TIMEOUT" unshare -m --propagation private \
		bash "$inner" env AE_TEST_NOW=+$off "$ADLAB" client "$AUTOENROLL" -s "$CONF" run "$@" \
		> "$OUT" 2> "$ERR" < /dev/null
	AE_RC=$?
	note "AE_TEST_NOW=+$off autoenroll run $* (DC stopped) -> exit $AE_RC"
	sed 's/^/      | /' "$OUT"
	sanitizer_check "$ERR"
	note "syslog: $(grep -c . "$SYSLOG") message(s)"
	grep "$T" "$SYSLOG" | sed 's/^/      syslog| /'
}

status_at() { # OFFSET [--json]
	local off=$1
	shift
	timeout -k 5 "$AE_TIMEOUT" env AE_TEST_NOW=+"$off" "$ADLAB" client "$AUTOENROLL" -s "$CONF" \
		status "$@" > "$WORK/$NAME/status.out" 2> "$WORK/$NAME/status.err" < /dev/null ||
		fail "autoenroll status: exit $?"
	sanitizer_check "$WORK/$NAME/status.err"
}

cyc_store offline
cycle
expect_rc_in 0 3
expect_issued "$STORE" $T
note "kept: $(cat "$STORE/.offline-expiration" 2> /dev/null)"

trap '"$ADLAB" start > /dev/null 2>&1' EXIT
"$ADLAB" stop | sed 's/^/  /' || fail "adlab.sh stop failed"

# 345 days into a 365-day certificate: 5 % left, below 10 %
offline_run $((345 * DAY))
[ "$AE_RC" = 5 ] || fail "run with the DC stopped exited $AE_RC, want 5"
grep -qE "^offline: $T +expiring: [0-9]+ day\(s\) left" "$OUT" ||
	fail "run does not report the expiring certificate: $(cat "$OUT")"
grep -qE "$T.*expires in [0-9]+ day\(s\).*below OfflineExpirationPercent" "$SYSLOG" ||
	fail "no expiry warning in syslog at the default level: $(cat "$SYSLOG")"
grep -q '^<28>' "$SYSLOG" || fail "the warning is not LOG_WARNING|LOG_DAEMON (<28>): $(head -n 3 "$SYSLOG")"
offline_run $((345 * DAY)) --json
[ "$AE_RC" = 5 ] || fail "run --json with the DC stopped exited $AE_RC, want 5"
[ "$(/usr/bin/python3 "$CQ" "$OUT" "[c['expiring'] for c in d['offline_check'] if c['template'] == '$T']")" = "[true]" ] ||
	fail "run --json: no expiring $T in offline_check: $(cat "$OUT")"
[ "$(/usr/bin/python3 "$CQ" "$OUT" 'd["exit_code"]')" = 5 ] || fail "run --json: exit_code"
status_at $((345 * DAY)) --json
[ "$(/usr/bin/python3 "$CQ" "$WORK/$NAME/status.out" "cert('$T')['validity']")" = VALID ] ||
	fail "status: $(cat "$WORK/$NAME/status.out")"
[ "$(/usr/bin/python3 "$CQ" "$WORK/$NAME/status.out" "cert('$T')['expiring']")" = true ] ||
	fail "status --json: $T not expiring"
status_at $((345 * DAY))
grep -q "WARNING: expiring" "$WORK/$NAME/status.out" ||
	fail "status text: no expiring warning: $(cat "$WORK/$NAME/status.out")"
note "345 days on: run and status report $T as expiring"

# 400 days on: expired
status_at $((400 * DAY))
grep -qE "^  $T +EXPIRED" "$WORK/$NAME/status.out" ||
	fail "status does not say EXPIRED: $(cat "$WORK/$NAME/status.out")"
grep -qE "^  $T +issued" "$WORK/$NAME/status.out" && fail "status says issued for an expired certificate"
offline_run $((400 * DAY))
[ "$AE_RC" = 5 ] || fail "run with the DC stopped exited $AE_RC, want 5"
grep -q "^offline: $T  *EXPIRED" "$OUT" || fail "run does not report EXPIRED: $(cat "$OUT")"
grep -q "$T.*EXPIRED" "$SYSLOG" || fail "no EXPIRED in syslog: $(cat "$SYSLOG")"
note "400 days on: status and run say EXPIRED"

"$ADLAB" start | sed 's/^/  /' || fail "adlab.sh start failed"
trap - EXIT
grep -qx 'OfflineExpirationPercent=[0-9]*' "$STORE/.offline-expiration" ||
	fail "run did not keep OfflineExpirationPercent in the store"
pass
