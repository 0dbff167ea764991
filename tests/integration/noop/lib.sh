# noop/lib.sh: sourced by the no-op fast path scenarios (t_noop_*.sh) after
# ../lib.sh, ../policy/lib.sh and ../cycle/lib.sh.
#
#   noop_steady       `run` until one reports "noop": true (at most 5 runs);
#                     a LabPending request the CA holds is issued on the way
#                     (the lab's LabPending pends every request), so the
#                     store reaches the steady state a memo needs
#   expect_noop       the last run was the fast path: noop true, at most 3
#                     LDAP searches, 0 SMB reads, 0 RPC binds, 0 requests,
#                     exit 0
#   expect_full WHY   the last run was a full cycle (noop false, the policy
#                     read: more than 3 LDAP searches)
#   memo              the memo file of the machine context
# shellcheck shell=bash

memo() { echo "$LAB/member/cache/autoenroll/gpo/noop.memo"; }

noop_steady() {
	local i id
	for i in 1 2 3 4 5; do
		cycle
		if [ "$(cq 'd["noop"]')" = true ]; then
			return 0
		fi
		id=$(cq 'next((x["request_id"] for x in d["items"] if x["template"] == "LabPending" and x["result"] == "pending"), "")')
		if [ -n "$id" ] && [ "$id" != null ]; then
			ca_admin issue "$id"
		fi
	done
	fail "no run reported \"noop\": true after 5 runs (last: $(cq 'd["counts"]'))"
}

expect_noop() {
	[ "$(cq 'd["noop"]')" = true ] || fail "not the no-op fast path: noop $(cq 'd["noop"]'), counts $(cq 'd["counts"]')"
	[ "$(cq 'd["counts"]["ldap_searches"] <= 3')" = true ] || fail "no-op: $(cq 'd["counts"]["ldap_searches"]') LDAP searches, want at most 3"
	[ "$(cq 'd["counts"]["smb_reads"]')" = 0 ] || fail "no-op: $(cq 'd["counts"]["smb_reads"]') SMB reads, want 0"
	[ "$(cq 'd["counts"]["rpc_binds"]')" = 0 ] || fail "no-op: $(cq 'd["counts"]["rpc_binds"]') RPC binds, want 0"
	[ "$(cq 'd["counts"]["requests"]')" = 0 ] || fail "no-op: $(cq 'd["counts"]["requests"]') requests, want 0"
	expect_rc 0
}

expect_full() {
	[ "$(cq 'd["noop"]')" = false ] || fail "$1: the fast path decided (noop true), want a full cycle"
	[ "$(cq 'd["counts"]["ldap_searches"] > 3')" = true ] || fail "$1: only $(cq 'd["counts"]["ldap_searches"]') LDAP searches: the policy was not read"
	note "$1: full cycle ($(cq 'd["counts"]'))"
}
