#!/bin/bash
# Kerberos with TLS channel bindings (Extended Protection, the KB5005413
# hardening) at the lab's test CEP/CES, with the member machine's
# credentials (a fresh kinit -k):
#  * curl --negotiate (7.88: SPNEGO without channel bindings) is accepted by
#    the plain Kerberos end points (mod_auth_gssapi; the backend gets the
#    principal Apache authenticated, not a client's copy of the header) and
#    refused by the KerberosCB end points: 401, "the client sent none";
#  * a GSS-API client (python3-gssapi, tests/cep/negotiate_client.py) that
#    binds the token to this TLS connection (RFC 5929 tls-server-end-point)
#    is accepted by the KerberosCB end points, and the server's final token
#    completes its context (mutual authentication);
#  * the same client with wrong bindings, or none, is refused (401, named).
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/cep/scenario-lib.sh"
W=$WORK/$NAME
mkdir -p "$W"
cep_need
machine_ccache
note "machine credentials: $MACHINE_PRINCIPAL in $MCC"

GP=$SRCDIR/tests/cep/getpolicies.xml
SOAP="Content-Type: application/soap+xml; charset=utf-8"

# -- curl --negotiate: plain Kerberos accepted, KerberosCB refused -----------
KRB5CCNAME=$MCC cep_curl --negotiate -u : --cacert "$CEP_CA_FILE" -H "$SOAP" \
	--data-binary "@$GP" "$CEP_URL_KERBEROS"
[ "$CODE" = 200 ] && [[ $CURL_BODY == *GetPoliciesResponse* ]] ||
	fail "curl --negotiate GetPolicies at $CEP_URL_KERBEROS: HTTP $CODE: $(head -c 300 <<< "$CURL_BODY")"
note "curl --negotiate GetPolicies at $CEP_URL_KERBEROS: 200, GetPoliciesResponse"
for u in "$CEP_URL_KERBEROS" "$CES_URL_KERBEROS"; do
	cep_log_mark
	# (the empty body: the application faults it; Apache let it through)
	KRB5CCNAME=$MCC cep_curl --negotiate -u : --cacert "$CEP_CA_FILE" \
		-H "X-CEP-Remote-User: Administrator@$REALM" -d '' "$u"
	[ "$CODE" != 000 ] && [ "$CODE" != 401 ] && [ "$CODE" != 403 ] ||
		fail "curl --negotiate $u: HTTP $CODE (curl exit $CURL_RC: $CURL_ERR)"
	cep_log_expect kind=kerberos "principal=$MACHINE_PRINCIPAL" ||
		fail "the backend did not get $MACHINE_PRINCIPAL from Apache for $u: $(cep_log_since)"
	note "curl --negotiate $u: accepted (HTTP $CODE), backend saw $MACHINE_PRINCIPAL (a forged header was dropped)"
done
for u in "$CEP_URL_KERBEROS_CB" "$CES_URL_KERBEROS_CB"; do
	cep_log_mark
	KRB5CCNAME=$MCC cep_curl --negotiate -u : --cacert "$CEP_CA_FILE" -d '' "$u"
	[ "$CODE" = 401 ] || fail "curl --negotiate $u (no channel bindings): HTTP $CODE, want 401"
	[[ $CURL_BODY == *"channel bindings required"* ]] ||
		fail "curl --negotiate $u: 401 without the reason: $CURL_BODY"
	cep_log_expect kind=kerberos-cb status=401 "refused=channel bindings required (Extended Protection): the client sent none" ||
		fail "the backend did not refuse curl's token for missing bindings: $(cep_log_since)"
	note "curl --negotiate $u: 401: $CURL_BODY"
done

# -- a GSS-API client with bindings -------------------------------------------
nc() { # BINDINGS URL [ARGS]: runs negotiate_client.py; sets NC_RC, NC_OUT
	NC_OUT=$(KRB5CCNAME=$MCC timeout 60 "$ADLAB" client /usr/bin/python3 \
		"$SRCDIR/tests/cep/negotiate_client.py" --cafile "$CEP_CA_FILE" --bindings "$@" \
		2>&1 < /dev/null)
	NC_RC=$?
}
nc right "$CEP_URL_KERBEROS_CB" --body "$GP"
[ "$NC_RC" = 0 ] && grep -qx 'status 200' <<< "$NC_OUT" &&
	grep -qx 'element GetPoliciesResponse' <<< "$NC_OUT" ||
	fail "GetPolicies with bindings at $CEP_URL_KERBEROS_CB: exit $NC_RC: $(tr '\n' ' ' <<< "$NC_OUT" | cut -c1-300)"
note "GetPolicies with bindings at $CEP_URL_KERBEROS_CB: 200, GetPoliciesResponse, mutual authentication"
for u in "$CES_URL_KERBEROS_CB" "$CEP_URL_KERBEROS_CB"; do
	cep_log_mark
	nc right "$u"
	[ "$NC_RC" = 0 ] || fail "GSS-API client with the right bindings at $u: exit $NC_RC: $(tr '\n' ' ' <<< "$NC_OUT")"
	grep -qx 'mutual yes' <<< "$NC_OUT" || fail "no mutual authentication at $u: $NC_OUT"
	cep_log_expect kind=kerberos-cb "principal=$MACHINE_PRINCIPAL" 'status!=401' ||
		fail "the backend did not accept the bound token at $u: $(cep_log_since)"
	note "bindings tls-server-end-point at $u: accepted ($(head -n 1 <<< "$NC_OUT"), mutual authentication)"

	cep_log_mark
	nc wrong "$u"
	[ "$NC_RC" = 1 ] && grep -qx 'status 401' <<< "$NC_OUT" ||
		fail "GSS-API client with wrong bindings at $u: exit $NC_RC: $(tr '\n' ' ' <<< "$NC_OUT")"
	grep -q 'channel bindings do not match' <<< "$NC_OUT" || fail "wrong bindings: reason not named: $NC_OUT"
	cep_log_expect kind=kerberos-cb status=401 || fail "the backend log lacks the refusal: $(cep_log_since)"
	note "wrong bindings at $u: $(sed -n 's/^body //p' <<< "$NC_OUT")"

	nc none "$u"
	[ "$NC_RC" = 1 ] && grep -q 'the client sent none' <<< "$NC_OUT" ||
		fail "GSS-API client without bindings at $u: exit $NC_RC: $(tr '\n' ' ' <<< "$NC_OUT")"
done
# the plain Kerberos end point does not check bindings (mod_auth_gssapi):
# even wrong ones pass, which is why the KerberosCB end points exist
nc wrong "$CES_URL_KERBEROS"
[ "$NC_RC" = 0 ] || fail "the plain Kerberos end point refused the GSS-API client: $(tr '\n' ' ' <<< "$NC_OUT")"
note "plain Kerberos end point (mod_auth_gssapi) accepts even wrong bindings: no Extended Protection there"
pass
