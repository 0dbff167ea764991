#!/bin/bash
# Issue I, a hung server over HTTPS: the test CEP/CES (tests/cep) stops
# answering (its Apache processes stopped with SIGSTOP: the kernel still
# accepts the TCP connection, the TLS handshake gets no answer). A store of
# the scenario's own with the CEP as a local policy server (Kerberos):
#   1. `run` enrolls over the CES; LabPending is taken under submission;
#   2. CEP/CES hung, autoenroll:network timeout = 5: the run ends within
#      the bound (HTTPS: 4 x 5 s per request and end point; the wrapper
#      allows 120 s) with exit 5, the CES URL and the timeout named;
#      LabPending's PENDING record (its request id) is untouched;
#   3. after SIGCONT the next run is a normal one again (exit 0 or 3).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
. "$(dirname "$0")/cycle/lib.sh"
. "$SRCDIR/tests/cep/scenario-lib.sh"
. "$(dirname "$0")/hang-lib.sh"
cep_need
cep_own_dirs hang
cep_local_server "$CEP_URL_KERBEROS"

cycle
expect_rc_in 0 3
grep -qx 'status=pending' "$STORE/LabPending.state" || fail "LabPending is not pending after the first run"
pending_before=$(cat "$STORE/LabPending.state")

a=$(cat "$LAB/cep/apache.pid") || fail "no Apache pid"
HANG_PIDS="$a $(ps -o pid= --ppid "$a" 2> /dev/null | tr '\n' ' ')"
trap hang_continue EXIT
# shellcheck disable=SC2086
kill -STOP $HANG_PIDS || fail "cannot stop Apache ($HANG_PIDS)"
note "stopped the CEP/CES's Apache (pids $HANG_PIDS)"
cp "$CONF" "$CONF.orig"
printf '\tautoenroll:network timeout = %s\n' "$HANG_TIMEOUT" >> "$CONF"
AE_TIMEOUT=120 cycle
cp "$CONF.orig" "$CONF"
[ "$AE_RC" != 124 ] || fail "the run did not end within 120 s"
expect_rc_in 5
printf '%s\n' "$AE_STDOUT" "$AE_STDERR" | qgrep -E "https://${CEP_FQDN}[^ ]*.*(timed out|Timeout|timeout|no answer)" ||
	fail "the output does not name the CEP/CES URL and the timeout: $(printf '%s' "$AE_STDERR" | tail -n 3)"
[ "$(cat "$STORE/LabPending.state")" = "$pending_before" ] || fail "LabPending's record changed"
hang_continue

cycle
expect_rc_in 0 3
pass
