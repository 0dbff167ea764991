#!/bin/bash
# Issue F, must show 1: alice logs on (pamtester authenticate + open_session
# through pam_winbind krb5_auth and pam_autoenroll.so, the real PAM stack of
# adlab.sh logon); within 30 s her user store
# <state dir>/autoenroll/users/<her SID>/ (0700, hers, under a root-owned
# 0711 users/) holds LabUser's key (0600) and certificate, both owned by
# her; the SAN has her UPN and e-mail, the SID extension her objectSid;
# `openssl verify` passes; the CA's record says LAB\alice made the request
# (no LabUser request of MEMBER1$); pam_autoenroll.so ran
# `<command> run --user alice --ccache <her KRB5CCNAME>` as root and the
# cycle wrote as alice (her uid owns everything it made, her GPO cache
# included); CT_FLAG_PUBLISH_TO_DS put the certificate into her
# userCertificate.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
. "$(dirname "$0")/user/lib.sh"
need_user_client pam
on_exit pam_session none

user_reset alice
uid=$(user_uid alice)
sid=$(user_sid alice)
store=$(user_store alice)
cc=$LAB/member/ccache/krb5cc_$uid
ae_wrapper
pam_session
base=$(run_ends alice)
before=$(ca_requests LabUser alice | wc -l)

logon alice
[ "$LOGON_RC" = 0 ] || fail "pamtester as alice: exit $LOGON_RC: $(tail -n 2 <<< "$LOGON_OUT" | tr '\n' ' ')"
[ "$LOGON_MS" -lt 10000 ] || fail "the logon took $LOGON_MS ms"
have_pair() { [ -s "$store/LabUser.crt" ] && [ -s "$store/LabUser.key" ]; }
wait_until 30 "LabUser's key and certificate in alice's store $store" have_pair
wait_run_end alice $((base + 1))
grep -qxF "start uid=0 run --user alice --ccache FILE:$cc" "$CALLS" ||
	fail "pam_autoenroll.so did not run '<command> run --user alice --ccache FILE:$cc' as root: $(grep -- '--user alice' "$CALLS" | tail -n 1)"
note "pam_autoenroll.so ran: $(grep -- '--user alice' "$CALLS" | tail -n 2 | tr '\n' ';')"

# -- ownership and modes ---------------------------------------------------
[ "$(stat -c '%u %a' "$(dirname "$store")")" = "0 711" ] ||
	fail "$(dirname "$store"): owner/mode $(stat -c '%u %a' "$(dirname "$store")"), want 0 711"
[ "$(stat -c '%u %a' "$store")" = "$uid 700" ] ||
	fail "alice's store $store: owner/mode $(stat -c '%u %a' "$store"), want $uid 700"
[ "$(stat -c '%u %a' "$store/LabUser.key")" = "$uid 600" ] ||
	fail "LabUser.key: owner/mode $(stat -c '%u %a' "$store/LabUser.key"), want $uid 600"
bad=$(find "$store" "$LAB/member/cache/autoenroll/users/$sid" ! -uid "$uid" 2> /dev/null | head -n 3)
[ -z "$bad" ] || fail "not alice's (the cycle wrote as another uid): $bad"
note "store $store: 0700, everything in it and in her GPO cache owned by uid $uid"

# -- the certificate -------------------------------------------------------
expect_issued "$store" LabUser
crt=$store/LabUser.crt
[ "$(cert_fact "$crt" san_upn)" = alice@lab.example.com ] || fail "SAN UPN '$(cert_fact "$crt" san_upn)'"
[ "$(cert_fact "$crt" san_email)" = alice@lab.example.com ] || fail "SAN e-mail '$(cert_fact "$crt" san_email)'"
[ "$(cert_fact "$crt" sid_ext)" = "$sid" ] || fail "SID extension '$(cert_fact "$crt" sid_ext)', want $sid"
note "SAN UPN and e-mail alice@lab.example.com; SID extension $sid"

# -- the CA's view ---------------------------------------------------------
after=$(ca_requests LabUser alice)
[ "$(grep -c . <<< "$after")" -gt "$before" ] || fail "the CA has no new LabUser request of LAB\\alice"
id=$(tail -n 1 <<< "$after")
[ "$(ICPR_CA_DIR="$LAB/ca" "$CA_ADMIN" requester "$id")" = 'LAB\alice' ] ||
	fail "the CA's record of request $id does not name LAB\\alice"
[ -z "$(ca_requests LabUser 'MEMBER1$')" ] || fail "MEMBER1\$ requested LabUser: $(ca_requests LabUser 'MEMBER1$' | tr '\n' ' ')"
note "CA request $id: requester LAB\\alice (no LabUser request of MEMBER1\$)"
serial=$(openssl x509 -in "$crt" -noout -serial)
found=""
for f in $(user_certs alice); do
	[ "$(openssl x509 -in "$f" -noout -serial)" != "$serial" ] || found=$f
done
[ -n "$found" ] || fail "$serial is not in alice's userCertificate (CT_FLAG_PUBLISH_TO_DS)"
note "alice's userCertificate holds $serial"
pass
