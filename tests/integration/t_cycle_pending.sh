#!/bin/bash
# Pending: LabPending (PEND_ALL_REQUESTS) in a fresh store. The first run
# submits, the CA takes it under submission: enroll/pending, exit 3, a
# PENDING record with the request id and the key kept as LabPending.key.new.
# A second run before the CA officer acts asks again (retrieve/pending) and
# sends no new request. After `ca-admin issue ID` the next run retrieves it:
# retrieve/done, exit 0 or 3 (no other pending template), LabPending.crt
# with its key, verified, the template OID of LabPending, status issued.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
. "$(dirname "$0")/cycle/lib.sh"

cyc_store pending
n0=$(ca_count LabPending)
cycle
expect_rc 3
expect_item LabPending enroll no-certificate pending
id=$(cq 'item("LabPending", "enroll")["request_id"]')
[[ $id =~ ^[1-9][0-9]*$ ]] || fail "no request id in the LabPending item ($id)"
[ "$(ca_count LabPending)" = $((n0 + 1)) ] || fail "the CA holds $(($(ca_count LabPending) - n0)) new LabPending requests, want 1"
ca_list | awk -v id="$id" '$1 == id' | qgrep ' pending LabPending ' ||
	fail "CA request $id is not a pending LabPending request: $(ca_list | awk -v id="$id" '$1 == id')"
[ -s "$STORE/LabPending.key.new" ] || fail "the key of pending request $id is not kept (LabPending.key.new)"
[ ! -e "$STORE/LabPending.crt" ] || fail "LabPending.crt exists while the request is pending"
cstatus
[ "$(sq 'cert("LabPending")["state"]')" = pending ] ||
	fail "status: LabPending is $(sq 'cert("LabPending")["state"]'), want pending"
[ "$(sq 'cert("LabPending")["pending_request_id"]')" = "$id" ] ||
	fail "status: pending request id $(sq 'cert("LabPending")["pending_request_id"]'), want $id"
note "pending: CA request $id, key kept, status pending"

cycle
expect_rc 3
expect_item LabPending retrieve pending pending
[ "$(ca_count LabPending)" = $((n0 + 1)) ] || fail "the second run sent a new LabPending request"
[ "$(cq 'item("LabPending", "retrieve")["request_id"]')" = "$id" ] || fail "retrieved another request id"

ca_admin issue "$id"
cycle
expect_rc_in 0 3
expect_item LabPending retrieve pending "done"
[ "$(ca_count LabPending)" = $((n0 + 1)) ] || fail "the retrieval sent a new LabPending request"
expect_issued "$STORE" LabPending
expect_template_oid "$STORE/LabPending.crt" "$FOREST_OID.1000.2"
[ ! -e "$STORE/LabPending.key.new" ] || fail "LabPending.key.new is left after the retrieval"
cstatus
[ "$(sq 'cert("LabPending")["state"]')" = issued ] ||
	fail "status: LabPending is $(sq 'cert("LabPending")["state"]'), want issued"
[ "$(canon_serial "$(sq 'cert("LabPending")["serial"]')")" = "$(serial_of "$STORE/LabPending.crt")" ] ||
	fail "status: LabPending serial does not match LabPending.crt"
note "issued by the officer and retrieved: serial $(serial_of "$STORE/LabPending.crt")"
pass
