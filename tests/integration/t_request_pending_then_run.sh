#!/bin/bash
# Finding D2 ("a pending request blocks run for good"):
#   - `request --template LabPending` (PEND_ALL_REQUESTS) into the store of
#     `run`: exit 3; the template's own record is PENDING with the request
#     id and the key is LabPending.key.new (not pending/);
#   - `run` then exits 0 or 3, never 8, asks the CA for that request
#     (retrieve/pending/pending) and sends no new LabPending request;
#   - a second `request --template LabPending` is refused (exit 6): a
#     request is in flight; the CA gets nothing;
#   - after `ca-admin issue ID`, `run` installs it (retrieve/done);
#   - a pending/<ca>.<id> record as an older version wrote it (the same
#     request made again, its record moved there) is adopted by the next
#     `run`: exit 3, not 8, retrieve/pending.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
. "$(dirname "$0")/cycle/lib.sh"

cyc_store reqpend
mkdir -p "$STORE" && chmod 700 "$STORE"
n0=$(ca_count LabPending)
cae request --template LabPending --json
expect_rc 3
id=$(json_field request_id)
[[ $id =~ ^[1-9][0-9]*$ ]] || fail "no request id: $AE_STDOUT"
grep -qx 'status=pending' "$STORE/LabPending.state" || fail "LabPending.state is not PENDING"
grep -qx "request_id=$id" "$STORE/LabPending.state" || fail "LabPending.state does not name request $id"
[ -s "$STORE/LabPending.key.new" ] || fail "LabPending.key.new missing"
[ ! -e "$STORE/pending" ] || [ -z "$(ls -A "$STORE/pending")" ] || fail "request wrote into pending/"

cycle
expect_rc_in 0 3
expect_item LabPending retrieve pending pending
[ "$(ca_count LabPending)" = $((n0 + 1)) ] || fail "run sent another LabPending request"

cae request --template LabPending
expect_rc 6
expect_output "already in flight" "the request in flight"
[ "$(ca_count LabPending)" = $((n0 + 1)) ] || fail "the refused request reached the CA"

ca_admin issue "$id"
cycle
expect_rc_in 0 3
expect_item LabPending retrieve pending "done"
expect_issued "$STORE" LabPending
[ "$(ca_count LabPending)" = $((n0 + 1)) ] || fail "the retrieval sent a new request"
note "request $id: pending, run retrieved it after approval"

# an older version's record: pending/<ca>.<id>.{key,state}
cyc_store legacy
mkdir -p "$STORE" && chmod 700 "$STORE"
cae request --template LabPending --json
expect_rc 3
id2=$(json_field request_id)
mkdir -m 700 "$STORE/pending"
mv "$STORE/LabPending.key.new" "$STORE/pending/lab-ca.$id2.key"
printf 'ca=LAB-CA\nca_host=dc1.lab.example.com\nrequest_id=%s\ntemplate=LabPending\nsubmitted=%s\nstatus=pending\n' \
	"$id2" "$(date +%s)" > "$STORE/pending/lab-ca.$id2.state"
chmod 600 "$STORE/pending/lab-ca.$id2.state"
rm "$STORE/LabPending.state"
cycle
expect_rc_in 0 3
expect_item LabPending retrieve pending pending
grep -q "adopted pending/lab-ca.$id2" "$CJ" || fail "recovery does not report the adoption: $(cq 'd["recovery"]')"
grep -qx "request_id=$id2" "$STORE/LabPending.state" || fail "LabPending.state does not name request $id2"
[ -z "$(ls -A "$STORE/pending")" ] || fail "pending/ still holds $(ls "$STORE/pending")"
[ "$(ca_count LabPending)" = $((n0 + 2)) ] || fail "run sent another LabPending request"
note "legacy pending/lab-ca.$id2 adopted; run exit $AE_RC"
pass
