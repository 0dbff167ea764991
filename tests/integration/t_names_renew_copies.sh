#!/bin/bash
# Renewal that reuses the administrator's names (issue K, must-show 2):
# LabWebServerAuto (CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT | CT_FLAG_OLD_CERT_
# SUPPLIES_SUBJECT_AND_ALT_NAME, 2 years, renewal period 6 weeks) is
# requested by hand with a subject and two DNS names; `run` at the real
# time leaves it alone (skip/valid); `run` with the clock 700 days ahead
# (AE_TEST_NOW, past renew-at = notAfter - 6 weeks) RENEWS it:
#   - the items say renew/renewal-due/done and archive/replaced/done;
#   - the CA's record of the request says renews=<old serial> (the request
#     was signed with the old certificate: the renewal CMS);
#   - the new certificate has another serial, and exactly the same subject
#     and SANs as the old one;
#   - the old pair is archived (ARCHIVED record, .crt and .key matching).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
. "$(dirname "$0")/cycle/lib.sh"
. "$(dirname "$0")/names/lib.sh"

T=LabWebServerAuto
cyc_store renew
cae request --template "$T" --subject "$WEB_SUBJECT" --dns "$WEB_DNS1" --dns "$WEB_DNS2"
expect_rc 0
expect_issued "$STORE" "$T"
want_names "$STORE/$T.crt" "$WEB_SUBJECT" "$WEB_SAN"
old=$(serial_of "$STORE/$T.crt")

cycle
expect_rc_in 0 3
expect_item "$T" skip valid skipped
[ "$(serial_of "$STORE/$T.crt")" = "$old" ] || fail "run at the real time replaced $T"

cycle AE_TEST_NOW=+$((700 * 86400))
expect_rc_in 0 3
expect_item "$T" renew renewal-due done
expect_item "$T" archive replaced done
id=$(cq "item(\"$T\", \"renew\")[\"request_id\"]")
expect_issued "$STORE" "$T"
new=$(serial_of "$STORE/$T.crt")
[ "$new" != "$old" ] || fail "the renewed certificate has the old serial $old"
renews=$(ca_field "$id" renews)
[ -n "$renews" ] || fail "CA request $id is not a renewal (no renews=)"
[ "$(canon_serial "$renews")" = "$old" ] || fail "CA request $id renews $renews, want $old"
note "CA request $id: renews=$renews (signed with the old certificate)"
want_names "$STORE/$T.crt" "$WEB_SUBJECT" "$WEB_SAN"
expect_archived "$STORE" "$T" "$old" archived
record_has "$T" enrollee_names=1
probs=$(pair_problems "$STORE")
[ -z "$probs" ] || fail "store: $probs"
pass
