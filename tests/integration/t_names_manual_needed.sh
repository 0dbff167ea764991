#!/bin/bash
# A template whose subject the enrollee supplies, without CT_FLAG_OLD_CERT_
# SUPPLIES_SUBJECT_AND_ALT_NAME (issue K, must-show 3): LabWebServer (0x1;
# the machine may enroll, not autoenroll) requested by hand with a subject;
#   - `run` at the real time sends nothing for it (the CA's LabWebServer
#     count is unchanged);
#   - `run` with the clock past renew-at (700 days ahead: 2 years, renewal
#     period 6 weeks) sends nothing either and reports it as skip/
#     needs-manual-request, "needs a manual request" with the expiry date
#     (the certificate's notAfter); the certificate stays installed;
#   - `status` at that time shows the same (needs_manual_request, and the
#     text line with the expiry date); at the real time it does not.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
. "$(dirname "$0")/cycle/lib.sh"
. "$(dirname "$0")/names/lib.sh"

T=LabWebServer
AHEAD=AE_TEST_NOW=+$((700 * 86400))
cyc_store manual
cae request --template "$T" --subject "$WEB_SUBJECT" --dns "$WEB_DNS1"
expect_rc 0
expect_issued "$STORE" "$T"
want_names "$STORE/$T.crt" "$WEB_SUBJECT" "DNS:$WEB_DNS1"
record_has "$T" manual_renewal=1
serial=$(serial_of "$STORE/$T.crt")
expires=$(date -u -d "$(openssl x509 -in "$STORE/$T.crt" -noout -enddate | cut -d= -f2)" \
	+%Y-%m-%dT%H:%M:%SZ)
n0=$(ca_count "$T")

cycle
expect_rc_in 0 3
[ "$(ca_count "$T")" = "$n0" ] || fail "run requested $T"
cstatus
[ "$(sq "cert(\"$T\")[\"needs_manual_request\"]")" = false ] ||
	fail "status at the real time says $T needs a manual request"

cycle "$AHEAD"
expect_rc_in 0 3
expect_item "$T" skip needs-manual-request skipped
reason=$(cq "item(\"$T\")[\"reason\"]")
[[ $reason == *"needs a manual request"*"expires $expires"* ]] ||
	fail "reason '$reason' does not say needs a manual request, expires $expires"
note "run: $reason"
[ "$(ca_count "$T")" = "$n0" ] || fail "run past renew-at requested $T"
[ "$(serial_of "$STORE/$T.crt")" = "$serial" ] || fail "$T.crt was replaced"

timeout -k 5 "$AE_TIMEOUT" env "$AHEAD" "$ADLAB" client "$AUTOENROLL" -s "$CONF" status --json \
	> "$SJ" 2> "$WORK/$NAME/status.err" < /dev/null || fail "status --json failed"
sanitizer_check "$WORK/$NAME/status.err"
[ "$(sq "cert(\"$T\")[\"needs_manual_request\"]")" = true ] ||
	fail "status past renew-at: needs_manual_request is not true"
txt=$(timeout -k 5 "$AE_TIMEOUT" env "$AHEAD" "$ADLAB" client "$AUTOENROLL" -s "$CONF" status 2>&1)
grep -q "needs a manual request: expires $expires" <<< "$txt" ||
	fail "status text lacks 'needs a manual request: expires $expires': $(grep -A3 "$T" <<< "$txt" | tr '\n' ' ')"
note "status: $(grep 'needs a manual request' <<< "$txt" | cut -c1-120)"
pass
