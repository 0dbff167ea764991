#!/bin/bash
# The no-op cycle: in a fresh store, runs until nothing is left to do
# (LabMachine enrolled, LabPending issued by the officer and retrieved);
# the full cycle that finds nothing to do writes the memo (root's, 0600);
# the next `run --json` is the fast path: "noop": true, at most 3 LDAP
# searches (pipelined), 0 SMB reads, 0 RPC binds, 0 requests, exit 0, the
# same items as the full cycle that wrote the memo (skip/valid for
# LabMachine and LabPending), "full_read" set; the text output says nothing
# changed since the full read. The DC's side: the test CA saw no request.
# With the memo removed, the same run is a full cycle again (more than 3
# searches, GPT.INI read over SMB), and so is `run --full` with a memo (which
# it rewrites; `status` takes no --full). The wire agrees (strace of the no-op
# run, tests/integration/noop/ldapwire.py): on the LDAP socket the SASL
# bind, then three requests written before any answer is read, then the
# unbind.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
. "$(dirname "$0")/cycle/lib.sh"
. "$(dirname "$0")/noop/lib.sh"

cyc_store noop3
noop_steady
expect_noop
M=$(memo)
[ -f "$M" ] || fail "no memo at $M"
[ "$(stat -c '%a %U' "$M")" = "600 root" ] || fail "memo $M: mode/owner $(stat -c '%a %U' "$M"), want 600 root"
expect_item LabMachine skip valid skipped
expect_item LabPending skip valid skipped
[ "$(cq 'd["full_read"] is not None')" = true ] || fail "no full_read in the no-op report"
n0=$(ca_count)
items_noop=$(cq '" ".join(x["template"] + "/" + x["action"] + "/" + x["result"] for x in d["items"])')

rm -f "$M"
cycle
expect_full "memo removed"
[ "$(cq 'd["counts"]["smb_reads"] > 0')" = true ] || fail "the full cycle read no GPT.INI"
items_full=$(cq '" ".join(x["template"] + "/" + x["action"] + "/" + x["result"] for x in d["items"])')
[ "$items_full" = "$items_noop" ] || fail "the no-op items differ from the full cycle's: '$items_noop' vs '$items_full'"

cycle
expect_noop
# run --full: the full read although the memo holds; it finds nothing to do
# and leaves a memo for the next run
cycle --full
expect_rc 0
expect_full "run --full"
[ "$(cq 'd["counts"]["smb_reads"] > 0')" = true ] || fail "run --full read no GPT.INI"
[ -f "$M" ] || fail "run --full left no memo"
cycle
expect_noop
timeout 60 "$ADLAB" client "$AUTOENROLL" -s "$CONF" status --full > /dev/null 2> "$WORK/$NAME/status-full.err" &&
	fail "status took --full"
grep -q 'takes no --full' "$WORK/$NAME/status-full.err" ||
	fail "status --full: $(tail -n 1 "$WORK/$NAME/status-full.err")"
timeout 60 "$ADLAB" client "$AUTOENROLL" -s "$CONF" run > "$WORK/$NAME/text.out" 2>&1 ||
	fail "text run: exit $?"
grep -q '^nothing changed since the full read at ' "$WORK/$NAME/text.out" ||
	fail "the text output does not say nothing changed: $(tail -n 2 "$WORK/$NAME/text.out")"
grep -q '(0 request(s), 0 RPC bind(s), [0-3] LDAP search(es), 0 SMB read(s))' "$WORK/$NAME/text.out" ||
	fail "text counts: $(tail -n 1 "$WORK/$NAME/text.out")"
[ "$(ca_count)" = "$n0" ] || fail "the CA got $(($(ca_count) - n0)) request(s) during no-op runs"

# the wire agrees with the counter: on the LDAP socket, after the bind,
# three requests written before any answer is read, then only the unbind
command -v strace > /dev/null || fail "strace is missing (tests/deps.sh installs it)"
timeout 60 "$ADLAB" client env ASAN_OPTIONS=detect_leaks=0 strace -f -o "$WORK/$NAME/strace.txt" \
	-e trace=connect,close,read,readv,write,writev,sendmsg,sendto,recvfrom,recvmsg \
	"$AUTOENROLL" -s "$CONF" run --json > "$CJ" 2> "$WORK/$NAME/strace.err" ||
	fail "run under strace: exit $?: $(tail -n 1 "$WORK/$NAME/strace.err")"
expect_noop
wire=$(/usr/bin/python3 "$SRCDIR/tests/integration/noop/ldapwire.py" "$WORK/$NAME/strace.txt") ||
	fail "the LDAP socket was not bind, 3 pipelined requests, unbind: $wire (W write, R read)"
note "LDAP socket: $wire (W write, R read: bind, three requests in one round trip, unbind)"
pass
