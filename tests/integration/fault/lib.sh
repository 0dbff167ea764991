# fault/lib.sh: sourced by the fault suite (t_fault_*.sh) after ../lib.sh,
# ../policy/lib.sh and ../cycle/lib.sh.
#
#   ca_fault MODE [N] [template=NAME] | ca_fault off
#                         the test CA's fault switch (ca-admin fault;
#                         modes: tests/ca/ca_fault.h); a scenario that turns
#                         it on turns it off with on_exit
#   pair_snap             "sha256 mode" of LabMachine's .crt, .key,
#                         .chain.pem and the record's serial, one line
#   expect_pair_unchanged SNAP WHAT
#                         pair_snap is still SNAP, the key 0600, no staged
#                         LabMachine.*.new left
#   expect_no_pair WHAT   no LabMachine.crt/.key/.chain.pem and nothing staged
#   expect_one_request N0 WHAT
#                         the CA holds exactly N0 + 1 LabMachine requests
#                         (one try, no retry storm); sets REQ to its id
#   ca_state_of ID        the CA record's state (issued, pending, denied...)
# shellcheck shell=bash

ca_fault() { ca_run fault "$@" 2> /dev/null || fail "ca-admin fault $*"; }
ca_state_of() { ca_list | awk -v id="$1" '$1 == id { print $2 }'; }

pair_snap() {
	local f
	for f in LabMachine.crt LabMachine.key LabMachine.chain.pem; do
		printf '%s %s ' "$(sha256sum < "$STORE/$f" 2> /dev/null | cut -c1-16)" \
			"$(stat -c %a "$STORE/$f" 2> /dev/null)"
	done
	sed -n 's/^serial=//p' "$STORE/LabMachine.state" 2> /dev/null
}

no_staged() {
	local s
	s=$(find "$STORE" -maxdepth 1 -name 'LabMachine.*.new' -printf '%f ' 2> /dev/null)
	[ -z "$s" ] || fail "$1: staged files left in the store: $s"
}

expect_pair_unchanged() {
	local now
	now=$(pair_snap)
	[ "$now" = "$1" ] || fail "$2: the installed pair changed: '$1' -> '$now'"
	[ "$(stat -c %a "$STORE/LabMachine.key")" = 600 ] || fail "$2: LabMachine.key is not 0600"
	no_staged "$2"
	[ -z "$(pair_problems "$STORE")" ] || fail "$2: $(pair_problems "$STORE")"
}

expect_no_pair() {
	local f
	for f in LabMachine.crt LabMachine.key LabMachine.chain.pem; do
		[ ! -e "$STORE/$f" ] || fail "$1: $f installed although the answer was refused"
	done
	no_staged "$1"
}

expect_one_request() {
	local n
	n=$(ca_count LabMachine)
	[ "$n" = $(($1 + 1)) ] || fail "$2: the CA got $((n - $1)) LabMachine requests, want 1"
	REQ=$(ca_list | awk '$3 == "LabMachine" { id = $1 } END { print id }')
}

# expect_refused T ACTION: the run has an item of template T with ACTION
# whose result is not done (an error the run reported)
expect_refused() {
	local got
	got=$(cq "[x['result'] for x in items('$1') if x['action'] == '$2']")
	[ "$got" != "[]" ] || fail "template $1: no $2 item (items: $(cq "acts('$1')"))"
	[[ $got != *done* ]] || fail "template $1: $2 done although the CA misbehaved"
}

# fault_case MODE RC REGEX: the CA misbehaves with MODE for LabMachine
#   first enrollment (a fresh store): exit RC, the error names LabMachine,
#     the CA and matches REGEX (the cause); nothing installed or staged; one
#     request at the CA (its record's state is shown); the fault gone, the
#     next run (past the back-off) enrolls;
#   renewal (330 days on): exit RC, the same words; the installed pair and
#     its record unchanged, key 0600; one request; the fault gone, the next
#     run renews.
FAULT_RENEW_AT=$((330 * 86400))
FAULT_BACKOFF=7200
fault_case() {
	local mode=$1 rc=$2 cause=$3 n0 snap
	note "--- $mode: first enrollment"
	cyc_store "first-$mode"
	ca_fault "$mode" template=LabMachine
	n0=$(ca_count LabMachine)
	cycle
	expect_rc "$rc"
	expect_refused LabMachine enroll
	expect_output "template LabMachine.*CA $CA_NAME" "$mode: the template and the CA"
	expect_output "$cause" "$mode: the cause"
	expect_no_pair "$mode (first enrollment)"
	expect_one_request "$n0" "$mode (first enrollment)"
	note "$mode: exit $AE_RC, nothing installed; CA request $REQ is '$(ca_state_of "$REQ")'"
	ca_fault off
	cycle AE_TEST_NOW=+$FAULT_BACKOFF
	expect_rc_in 0 3
	expect_item LabMachine enroll "" "done"
	expect_issued "$STORE" LabMachine
	note "$mode: fault gone, the next run enrolled"

	note "--- $mode: renewal"
	snap=$(pair_snap)
	ca_fault "$mode" template=LabMachine
	n0=$(ca_count LabMachine)
	cycle AE_TEST_NOW=+$FAULT_RENEW_AT
	expect_rc "$rc"
	expect_refused LabMachine renew
	expect_output "template LabMachine.*CA $CA_NAME" "$mode: the template and the CA"
	expect_output "$cause" "$mode: the cause"
	expect_pair_unchanged "$snap" "$mode (renewal)"
	expect_one_request "$n0" "$mode (renewal)"
	note "$mode: exit $AE_RC, the old pair intact; CA request $REQ is '$(ca_state_of "$REQ")'"
	ca_fault off
	cycle AE_TEST_NOW=+$((FAULT_RENEW_AT + FAULT_BACKOFF))
	expect_rc_in 0 3
	expect_item LabMachine renew "" "done"
	expect_issued "$STORE" LabMachine
	[ "$(pair_snap)" != "$snap" ] || fail "$mode: renewed, but the pair is the old one"
	note "$mode: fault gone, the next run renewed"
}

CA_NAME=${CA_NAME:-LAB-CA}
