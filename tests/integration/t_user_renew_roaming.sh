#!/bin/bash
# Issue F, must show 5:
#   renewal: alice's user cycle (`autoenroll run --user alice --ccache CC`,
#   as root: it drops to her) enrolls LabUser; a run with the clock 330
#   days ahead (AE_TEST_NOW, test-seams build) renews it: the CA's record
#   of the new request says renews=<old serial> (the CA accepted the CMS
#   renewal request signed with the old key), the new certificate is in
#   her store, hers;
#   CT_FLAG_AUTO_ENROLLMENT_CHECK_USER_DS_CERTIFICATE: with a valid
#   LabUserRoaming certificate already in her userCertificate (issued by
#   the lab CA for her own credentials, as another machine would have
#   enrolled it), her cycle makes no LabUserRoaming request and stores no
#   LabUserRoaming pair.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
. "$(dirname "$0")/user/lib.sh"
need_user_client
W=$WORK/$NAME
uid=$(user_uid alice)
store=$(user_store alice)
cc=$LAB/member/ccache/krb5cc_$uid
rm -f "$cc"
logon alice authenticate
[ "$LOGON_RC" = 0 ] && [ -f "$cc" ] || fail "alice's authenticate gave no ccache (exit $LOGON_RC)"
canon() { local s=${1^^}; s=${s#SERIAL=}; while [ ${#s} -gt 2 ] && [[ $s == 00* ]]; do s=${s#00}; done; echo "$s"; }
serial() { canon "$(openssl x509 -in "$1" -noout -serial)"; }

# -- LabUserRoaming already published for alice -----------------------------
install -m 600 -o root -g root "$cc" "$W/cc.root" || fail "cannot copy alice's ccache"
d=$(out_dir roaming)
ae --ccache "FILE:$W/cc.root" request --template LabUserRoaming --out "$d" --json
expect_rc 0
rs=$(serial "$d/LabUserRoaming.crt")
found=""
for f in $(user_certs alice); do [ "$(serial "$f")" != "$rs" ] || found=1; done
[ -n "$found" ] || fail "the LabUserRoaming certificate $rs is not in alice's userCertificate"
note "LabUserRoaming $rs in alice's userCertificate"
roam_before=$(ca_requests LabUserRoaming alice | grep -c . || true)

user_reset alice
user_ae run --user alice --ccache "FILE:$cc" --json
[ "$AE_RC" = 0 ] || [ "$AE_RC" = 3 ] || fail "alice's user run: exit $AE_RC"
[ "$(ca_requests LabUserRoaming alice | grep -c . || true)" = "$roam_before" ] ||
	fail "alice's run requested LabUserRoaming although her userCertificate holds a valid one"
[ ! -e "$store/LabUserRoaming.crt" ] || fail "LabUserRoaming.crt was stored although none was requested"
[ -s "$store/LabUser.crt" ] || fail "the run enrolled no LabUser (did it run at all?)"
note "LabUserRoaming: no request (valid certificate in userCertificate); LabUser enrolled"

# -- renewal -----------------------------------------------------------------
old=$(serial "$store/LabUser.crt")
user_ae AE_TEST_NOW=+$((330 * 86400)) run --user alice --ccache "FILE:$cc" --json
[ "$AE_RC" = 0 ] || [ "$AE_RC" = 3 ] || fail "the renewal run: exit $AE_RC"
new=$(serial "$store/LabUser.crt")
[ "$new" != "$old" ] || fail "LabUser was not renewed (serial still $old)"
id=$(ca_requests LabUser alice | tail -n 1)
renews=$(ICPR_CA_DIR="$LAB/ca" "$CA_ADMIN" show "$id" 2> /dev/null | sed -n 's/^renews=//p')
[ -n "$renews" ] || fail "CA request $id is not a renewal (no renews=)"
[ "$(canon "$renews")" = "$old" ] || fail "CA request $id renews $renews, want $old"
[ "$(stat -c %u "$store/LabUser.crt")" = "$uid" ] && [ "$(stat -c '%u %a' "$store/LabUser.key")" = "$uid 600" ] ||
	fail "the renewed pair is not alice's (owner/mode $(stat -c '%u %a' "$store/LabUser.key"))"
expect_issued "$store" LabUser
note "renewed: $old -> $new, CA request $id renews=$renews (signed with the old certificate)"
pass
