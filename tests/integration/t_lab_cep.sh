#!/bin/bash
# The lab's test CEP/CES over HTTPS (tests/cep, `adlab.sh cep up`), as a
# client inside the lab's namespace sees it:
#  * https://cep.lab.example.com (443) presents a certificate for that name
#    issued by the lab CA: it verifies with the AD root alone; the :4443
#    listener (self-signed) does not, and a client that refuses it sends
#    nothing (the backend logs no request);
#  * every Kerberos end point (CEP and CES, with and without channel
#    bindings) answers 401 with "WWW-Authenticate: Negotiate" to a caller
#    without credentials, and the backend never sees the plain Kerberos ones;
#  * the certificate end points refuse a client without a certificate (403)
#    and one whose certificate the lab CA did not issue (TLS alert), and
#    accept one the lab CA issued (the backend gets it, PEM, with its subject);
#  * the headers the backend trusts (X-CEP-Remote-User, X-CEP-Client-Cert)
#    are Apache's alone: a client's copies are dropped;
#  * the password end point takes no HTTP authentication: a GetPolicies with
#    alice's WS-Security UsernameToken gets the policy, a wrong password a
#    fault (the application checks it against the lab's KDC);
#  * only the end point URLs reach the backend (anything else: 404 by Apache);
#  * cep down stops Apache and the backend (no process of the lab's CEP is
#    left) and cep up brings them back.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/cep/scenario-lib.sh"
W=$WORK/$NAME
mkdir -p "$W"
cep_need

# -- TLS: the good listener verifies with the lab CA (the AD root) only ----
cep_curl --cacert "$CEP_CA_FILE" -d '' "$CEP_URL_PASSWORD"
[ "$CURL_RC" = 0 ] && [ "$CODE" != 000 ] ||
	fail "$CEP_URL_PASSWORD with the lab CA: curl exit $CURL_RC: $CURL_ERR"
v=$("$ADLAB" client sh -c "openssl s_client -connect $CEP_IP:$CEP_PORT -servername $CEP_FQDN \
	-verify_hostname $CEP_FQDN -verify_return_error -CAfile $CEP_CA_FILE < /dev/null 2>&1" |
	grep -E '^(Verify return code|verify error)' | head -n 1)
[ "$v" = "Verify return code: 0 (ok)" ] || fail "openssl s_client against $CEP_FQDN:$CEP_PORT: $v"
note "$CEP_FQDN:$CEP_PORT verifies with the lab CA and the name: $v (HTTP $CODE)"
# the system trust store alone does not know the lab CA
cep_curl -d "" "$CEP_URL_PASSWORD"
[ "$CURL_RC" = 60 ] ||
	fail "with the system's trust store only, curl gave exit $CURL_RC (HTTP $CODE), not a verification failure"
note "with the system's trust store only: refused ($(printf '%s' "$CURL_ERR" | head -n 1 | cut -c1-80))"

# -- the bad listener: refused, nothing sent ---------------------------------
cep_log_mark
cep_curl --cacert "$CEP_CA_FILE" -d 'must not arrive' "$CEP_BAD_URL_KERBEROS"
[ "$CURL_RC" = 60 ] || fail "$CEP_BAD_URL_KERBEROS: curl exit $CURL_RC (HTTP $CODE), want 60 (certificate not verified)"
note "$CEP_BAD_URL_KERBEROS refused by the client: $(printf '%s' "$CURL_ERR" | head -n 1)"
cep_curl --cacert "$CEP_CA_FILE" -d 'must not arrive' "${CES_BAD_URL_KERBEROS/_Kerberos/_UsernamePassword}"
[ "$CURL_RC" = 60 ] || fail "the bad listener's password end point: curl exit $CURL_RC, want 60"
[ -z "$(cep_log_since)" ] || fail "the backend got a request through the unverified listener: $(cep_log_since)"
# the same listener does serve the end points (what a client that did not
# verify would reach)
cep_curl -k -d '' "${CES_BAD_URL_KERBEROS/_Kerberos/_UsernamePassword}"
cep_log_expect kind=password endpoint="${CANAME}_CES_UsernamePassword" ||
	fail "the bad listener does not reach the backend with -k (HTTP $CODE): the refusal above proves nothing"
note "the :$CEP_BAD_PORT listener (self-signed) fails verification; nothing reached the backend"

# -- Kerberos end points without credentials: 401 Negotiate -----------------
cep_log_mark
for u in "$CEP_URL_KERBEROS" "$CES_URL_KERBEROS" "$CEP_URL_KERBEROS_CB" "$CES_URL_KERBEROS_CB"; do
	cep_curl --cacert "$CEP_CA_FILE" -D "$W/headers" -d '' "$u"
	[ "$CODE" = 401 ] || fail "$u without credentials: HTTP $CODE (curl exit $CURL_RC), want 401"
	grep -qi '^WWW-Authenticate: Negotiate' "$W/headers" ||
		fail "$u: 401 without WWW-Authenticate: Negotiate"
	note "401 + WWW-Authenticate: Negotiate: $u"
done
cep_log_expect kind=kerberos && fail "a plain Kerberos end point passed an unauthenticated request to the backend"
cep_log_expect kind=kerberos-cb status=401 || fail "the backend did not refuse the KerberosCB request itself"

# -- certificate end points --------------------------------------------------
cep_curl --cacert "$CEP_CA_FILE" -d '' "$CES_URL_CERTIFICATE"
[ "$CODE" = 403 ] || fail "$CES_URL_CERTIFICATE without a client certificate: HTTP $CODE, want 403"
note "no client certificate: 403 ($CES_URL_CERTIFICATE)"
# a client certificate the lab CA issued (test material made here)
openssl req -newkey rsa:2048 -nodes -keyout "$W/client.key" -subj "/CN=$MEMBER_FQDN" \
	-out "$W/client.csr" 2> /dev/null || fail "openssl req"
printf 'extendedKeyUsage=clientAuth\n' > "$W/client.ext"
openssl x509 -req -in "$W/client.csr" -CA "$LAB/ca/ca.pem" -CAkey "$LAB/ca/ca.key" \
	-set_serial "0x$(openssl rand -hex 15)" -days 1 -extfile "$W/client.ext" \
	-out "$W/client.pem" 2> /dev/null || fail "openssl x509 -req"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$W/self.key" -subj "/CN=forged.invalid" \
	-days 1 -out "$W/self.pem" 2> /dev/null || fail "openssl req -x509"
cep_curl --cacert "$CEP_CA_FILE" --cert "$W/self.pem" --key "$W/self.key" -d '' "$CES_URL_CERTIFICATE"
[ "$CODE" = 000 ] && [ "$CURL_RC" != 0 ] ||
	fail "a self-signed client certificate: HTTP $CODE (curl exit $CURL_RC), want a TLS refusal"
note "self-signed client certificate: refused in the handshake ($(printf '%s' "$CURL_ERR" | head -n 1 | cut -c1-100))"
cep_log_mark
# (with a forged copy of the trusted header naming another certificate)
cep_curl --cacert "$CEP_CA_FILE" --cert "$W/client.pem" --key "$W/client.key" \
	-H "X-CEP-Client-Cert: $(tr '\n' ' ' < "$W/self.pem")" -d '' "$CES_URL_CERTIFICATE"
[ "$CODE" != 000 ] && [ "$CODE" != 401 ] && [ "$CODE" != 403 ] ||
	fail "a lab-CA client certificate: HTTP $CODE (curl exit $CURL_RC: $CURL_ERR)"
cep_log_expect kind=certificate "principal=CN=$MEMBER_FQDN" endpoint="${CANAME}_CES_Certificate" ||
	fail "the backend did not get the client certificate (or took the forged header): $(cep_log_since)"
note "lab-CA client certificate accepted: backend saw kind=certificate principal=CN=$MEMBER_FQDN (HTTP $CODE)"

# -- trusted headers come from Apache only -----------------------------------
cep_log_mark
cep_curl --cacert "$CEP_CA_FILE" -H "X-CEP-Remote-User: Administrator@$REALM" \
	-H "X-CEP-Client-Cert: -----BEGIN CERTIFICATE-----MIIB-----END CERTIFICATE-----" \
	-d '' "$CES_URL_PASSWORD"
cep_log_expect kind=password principal= || fail "forged identity headers reached the backend: $(cep_log_since)"
note "forged X-CEP-Remote-User / X-CEP-Client-Cert dropped (password end point: no principal)"

# -- the password end point: the UsernameToken in the SOAP header -----------
utok() { # (PW in the environment, not on a command line) -> a GetPolicies
	# with alice's UsernameToken on stdout
	/usr/bin/python3 -c '
import os, sys
from xml.sax.saxutils import escape
w = "http://docs.oasis-open.org/wss/2004/01/"
tok = ("<o:Security xmlns:o=\"%soasis-200401-wss-wssecurity-secext-1.0.xsd\" s:mustUnderstand=\"1\">"
       "<o:UsernameToken><o:Username>alice</o:Username><o:Password Type=\"%s"
       "oasis-200401-wss-username-token-profile-1.0#PasswordText\">%s</o:Password>"
       "</o:UsernameToken></o:Security>") % (w, w, escape(os.environ["PW"]))
x = open(sys.argv[1]).read()
sys.stdout.write(x.replace("</a:ReplyTo>", "</a:ReplyTo>" + tok, 1))' "$SRCDIR/tests/cep/getpolicies.xml"
}
(umask 077 && PW=$USERPASS utok > "$W/gp-alice.xml" && PW=wrong-$USERPASS utok > "$W/gp-wrong.xml")
grep -q UsernameToken "$W/gp-alice.xml" || fail "could not build the UsernameToken request"
cep_log_mark
cep_curl --cacert "$CEP_CA_FILE" -H "Content-Type: application/soap+xml; charset=utf-8" \
	--data-binary "@$W/gp-alice.xml" "$CEP_URL_PASSWORD"
[ "$CODE" = 200 ] && [[ $CURL_BODY == *GetPoliciesResponse* ]] ||
	fail "GetPolicies as alice (UsernameToken) at $CEP_URL_PASSWORD: HTTP $CODE: $(head -c 300 <<< "$CURL_BODY")"
cep_log_expect kind=password status=200 || fail "the backend log lacks the password request: $(cep_log_since)"
cep_curl --cacert "$CEP_CA_FILE" -H "Content-Type: application/soap+xml; charset=utf-8" \
	--data-binary "@$W/gp-wrong.xml" "$CEP_URL_PASSWORD"
[ "$CODE" = 403 ] || fail "GetPolicies with a wrong password: HTTP $CODE, want 403"
rm -f "$W/gp-alice.xml" "$W/gp-wrong.xml"
note "password end point: alice's UsernameToken gets a GetPoliciesResponse, a wrong password 403"

# -- nothing but the end points reaches the backend --------------------------
cep_log_mark
for p in /ADPolicyProvider_CEP_Other/service.svc/CEP /service.svc/CEP \
	"/ADPolicyProvider_CEP_UsernamePassword/service.svc/CEP/x" /; do
	cep_curl --cacert "$CEP_CA_FILE" -d '' "https://$CEP_FQDN$p"
	[ "$CODE" = 404 ] || [ "$CODE" = 403 ] || fail "https://$CEP_FQDN$p: HTTP $CODE, want 404/403"
done
[ -z "$(cep_log_since)" ] || fail "non-end-point URLs reached the backend: $(cep_log_since)"
note "other URLs: refused by Apache, never proxied"

# -- down and up again ---------------------------------------------------------
ap=$(cat "$LAB/cep/apache.pid") be=$(cat "$LAB/cep/backend.pid")
out=$("$ADLAB" cep down 2>&1) || fail "adlab.sh cep down: $out"
for p in $ap $be; do alive "$p" && fail "process $p still running after cep down"; done
left=""
for p in $(ip netns pids "$NS"); do
	case "$(cat "/proc/$p/comm" 2> /dev/null)" in apache2 | python3) ;; *) continue ;; esac
	tr '\0' ' ' < "/proc/$p/cmdline" 2> /dev/null | qgrep -F "$LAB/cep/" && left="$left $p"
done
[ -z "$left" ] || fail "cep down left processes:$left"
"$ADLAB" cep status > /dev/null && fail "cep status says up after cep down"
note "cep down: apache2 $ap and backend $be stopped, no process of $LAB/cep left"
cep_need
cep_curl --cacert "$CEP_CA_FILE" -d '' "$CEP_URL_KERBEROS"
[ "$CODE" = 401 ] || fail "after cep up again: $CEP_URL_KERBEROS HTTP $CODE, want 401"
pass
