#!/bin/bash
# The test CA's user side against the lab, with a user's own Kerberos
# credentials (alice's TGT from a real pam_winbind logon, copied to a
# root-owned ccache for the machine-context `autoenroll --ccache CC request`,
# which needs no part of issue F's client):
#   - LabUser (name flags 0xa6000000) for alice: subject = her DN + e-mail,
#     SAN UPN (otherName 1.3.6.1.4.1.311.20.2.3) and rfc822Name from her
#     object, the SID extension with her objectSid; `openssl verify` passes;
#   - the CA's record names LAB\alice as the requester (ca-admin requester);
#   - CT_FLAG_PUBLISH_TO_DS: the certificate is in alice's userCertificate;
#   - bob (no mail): denied with CERTSRV_E_SUBJECT_EMAIL_REQUIRED (0x80094812),
#     his record names LAB\bob, nothing is published to him.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
. "$(dirname "$0")/user/lib.sh"
W=$WORK/$NAME
need_autoenroll

# user_tgt NAME: NAME's TGT from a pamtester authenticate, copied to a
# root-owned 0600 ccache $W/cc.NAME (echoed as FILE:...)
user_tgt() {
	local u=$1 cc
	cc=$LAB/member/ccache/krb5cc_$(user_uid "$u")
	rm -f "$cc"
	logon "$u" authenticate >&2
	[ "$LOGON_RC" = 0 ] && [ -f "$cc" ] || fail "no ccache for $u after authenticate (exit $LOGON_RC)"
	install -m 600 -o root -g root "$cc" "$W/cc.$u" || fail "cannot copy $u's ccache"
	echo "FILE:$W/cc.$u"
}

# -- alice ----------------------------------------------------------------
cc=$(user_tgt alice) || exit 1
sid=$(user_sid alice)
d=$(out_dir alice)
ae --ccache "$cc" request --template LabUser --out "$d" --json
expect_rc 0
expect_issued "$d" LabUser
crt=$d/LabUser.crt
[ "$(cert_fact "$crt" subject)" = "1.2.840.113549.1.9.1=alice@lab.example.com,CN=Alice Lab,OU=Staff,DC=lab,DC=example,DC=com" ] ||
	fail "subject '$(cert_fact "$crt" subject)' is not alice's DN with her e-mail"
[ "$(cert_fact "$crt" san_upn)" = alice@lab.example.com ] || fail "SAN UPN '$(cert_fact "$crt" san_upn)'"
[ "$(cert_fact "$crt" san_email)" = alice@lab.example.com ] || fail "SAN e-mail '$(cert_fact "$crt" san_email)'"
[ -z "$(cert_fact "$crt" san_dns)" ] || fail "a user certificate with a DNS SAN: $(cert_fact "$crt" san_dns)"
[ "$(cert_fact "$crt" sid_ext)" = "$sid" ] || fail "SID extension '$(cert_fact "$crt" sid_ext)', want $sid"
note "SAN UPN + e-mail alice@lab.example.com, SID extension $sid"
id=$(json_field request_id)
req=$(ICPR_CA_DIR="$LAB/ca" "$CA_ADMIN" requester "$id" 2> /dev/null)
[ "$req" = 'LAB\alice' ] || fail "the CA's record of request $id names '$req', not LAB\\alice"
[ -n "$(ca_requests LabUser alice)" ] || fail "ca-admin list shows no LabUser request of LAB\\alice"
note "CA request $id: requester $req"
serial=$(openssl x509 -in "$crt" -noout -serial)
found=""
for f in $(user_certs alice); do
	[ "$(openssl x509 -in "$f" -noout -serial)" != "$serial" ] || found=$f
done
[ -n "$found" ] || fail "certificate $serial is not in alice's userCertificate (CT_FLAG_PUBLISH_TO_DS)"
note "alice's userCertificate holds $serial"

# -- bob: no mail ---------------------------------------------------------
cc=$(user_tgt bob) || exit 1
before=$(user_certs bob | wc -l)
d=$(out_dir bob)
ae --ccache "$cc" request --template LabUser --out "$d" --json
expect_rc 4
[ "$(json_field hresult_name)" = CERTSRV_E_SUBJECT_EMAIL_REQUIRED ] ||
	[ "$(json_field hresult)" = 2148091922 ] || [ "$(json_field hresult)" = 0x80094812 ] ||
	fail "bob's denial: hresult $(json_field hresult) $(json_field hresult_name), want CERTSRV_E_SUBJECT_EMAIL_REQUIRED"
id=$(json_field request_id)
[ "$(ICPR_CA_DIR="$LAB/ca" "$CA_ADMIN" requester "$id" 2> /dev/null)" = 'LAB\bob' ] ||
	fail "the CA's record of request $id does not name LAB\\bob"
[ "$(user_certs bob | wc -l)" = "$before" ] || fail "something was published to bob's userCertificate"
note "bob: request $id denied, CERTSRV_E_SUBJECT_EMAIL_REQUIRED; requester LAB\\bob"
pass
