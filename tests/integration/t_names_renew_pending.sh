#!/bin/bash
# A template with the administrator's names that needs approval (issue K):
# LabWebServerAutoPend, a copy of LabWebServerAuto with PEND_ALL_REQUESTS
# (msPKI-Enrollment-Flag 0x22), published for the scenario and deleted on
# exit.
#   - `request` with a subject and two DNS names goes pending (exit 3);
#     once the officer issues it, `retrieve` installs it with those names;
#   - `run` with the clock past renew-at renews it: the renewal, signed with
#     the old certificate (the CA's record says renews=<old serial>), goes
#     pending like any other (renew/renewal-due/pending, exit 3), the old
#     pair stays installed;
#   - after the officer issues it, the next `run` retrieves it
#     (retrieve/pending/done): the new certificate has the same subject and
#     SANs, the old pair is archived, and no further request was sent.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
. "$(dirname "$0")/cycle/lib.sh"
. "$(dirname "$0")/names/lib.sh"

T=LabWebServerAutoPend
AHEAD=AE_TEST_NOW=+$((700 * 86400))
on_exit "$ADLAB" admin template-delete "$T"
adm template-copy LabWebServerAuto "$T" "$FOREST_OID.1000.75" msPKI-Enrollment-Flag=34
adm template-publish "$T"
cyc_store pend

cae request --template "$T" --subject "$WEB_SUBJECT" --dns "$WEB_DNS1" --dns "$WEB_DNS2"
expect_rc 3
id=$(ca_list | awk -v t="$T" '$3 == t && $2 == "pending" { print $1 }' | tail -n 1)
[[ $id =~ ^[1-9][0-9]*$ ]] || fail "no pending $T request at the CA: $(ca_list | tail -n 3)"
ca_admin issue "$id"
cae retrieve --ca LAB-CA --request-id "$id"
expect_rc 0
expect_issued "$STORE" "$T"
want_names "$STORE/$T.crt" "$WEB_SUBJECT" "$WEB_SAN"
old=$(serial_of "$STORE/$T.crt")

cycle "$AHEAD"
expect_rc 3
expect_item "$T" renew renewal-due pending
id2=$(cq "item(\"$T\", \"renew\")[\"request_id\"]")
[ "$(canon_serial "$(ca_field "$id2" renews)")" = "$old" ] ||
	fail "CA request $id2 renews '$(ca_field "$id2" renews)', want $old"
[ "$(serial_of "$STORE/$T.crt")" = "$old" ] || fail "the old certificate was replaced while pending"
n=$(ca_count "$T")
note "renewal pending: CA request $id2 renews $old"

ca_admin issue "$id2"
cycle "$AHEAD"
expect_rc_in 0 3
expect_item "$T" retrieve pending done
[ "$(ca_count "$T")" = "$n" ] || fail "the retrieval sent a new $T request"
expect_issued "$STORE" "$T"
new=$(serial_of "$STORE/$T.crt")
[ "$new" != "$old" ] || fail "$T.crt is still the old certificate"
want_names "$STORE/$T.crt" "$WEB_SUBJECT" "$WEB_SAN"
expect_archived "$STORE" "$T" "$old" archived
pass
