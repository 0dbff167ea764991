#!/bin/bash
# The user context started by root (as pam_autoenroll and samba-gpupdate do):
# `autoenroll run --user NAME --ccache FILE:...` resolves NAME through NSS
# (nss_wrapper -> the member's winbindd) and winbind, makes the user's
# store <state dir>/autoenroll/users/<SID> (0700, the user's) below a
# root-owned 0711 users/, drops to the user's uid, gid and groups, and
# enrolls with the user's own ticket: the CA records the user's SID; every
# store file belongs to the user, the key 0600; the machine's secrets are
# not needed (the member's private dir is an empty one for this run) and,
# under strace, secrets.tdb is never opened and setresuid(uid) is
# seen. A DIR: ccache works as a FILE: one. Refused with exit 6 and the cause: root without NAME (2), a local
# account, a ccache of another principal, a ccache whose TGT has expired.
#
# Its own user, user template and user GPO, removed at the end: a domain
# user with mail; AEDropUser = LabMachine without CT_FLAG_MACHINE_TYPE,
# subject from the directory path, UPN SAN, Enroll + AutoEnroll for Domain
# Users; a GPO linked to the domain whose user side (user version 1,
# User/Registry.pol, and Machine/Registry.pol for builds that read that)
# sets AEPolicy 7. The lab's own directories are 0700 (mktemp): the state
# and cache directories of these runs are a passable tree of their own.
. "$(dirname "$0")/lib.sh"

U=aedrop$$
U=${U:0:15}
T=AEDropUser
PASSWD='Passw0rd.Drop1'
W=$WORK/$NAME
mkdir -p "$W"
UD=$(mktemp -d /tmp/ae-user-XXXXXX)
chmod 0755 "$UD"
mkdir -p "$UD/state" "$UD/cache" "$UD/private-empty"
chmod 0700 "$UD/private-empty"
CC=FILE:$UD/$U.cc
GUID=""
STARTED_WB=""

adm() { KRB5CCNAME=FILE:$LAB/admin.ccache "$ADLAB" client "$@"; }
cleanup() {
	trap - EXIT
	[ -z "$GUID" ] || "$ADLAB" admin gpo-delete "$GUID" > /dev/null 2>&1
	"$ADLAB" admin template-delete "$T" > /dev/null 2>&1
	adm samba-tool user delete "$U" -H "ldap://$DCFQDN" --use-kerberos=required \
		-s "$LAB/client.conf" > /dev/null 2>&1
	[ -z "$STARTED_WB" ] || stop_winbindd
	rm -rf "$UD"
}
trap cleanup EXIT

# aeu ARGS...: autoenroll as root in the member's namespace with NSS through
# winbind (adlab.sh member), the state/cache dirs of this scenario. Sets
# AE_RC, AE_ALL. With STRACE=FILE: under strace -f (openat, setresuid).
aeu() {
	local pre=()
	[ -z "${STRACE:-}" ] || pre=(strace -f -qq -e trace=openat,open,setresuid -o "$STRACE")
	# sanitizer builds: nss_wrapper is preloaded and dlopens with RTLD_DEEPBIND
	timeout -k 5 "$AE_TIMEOUT" "$ADLAB" member env NSS_WRAPPER_DISABLE_DEEPBIND=1 \
		ASAN_OPTIONS=verify_asan_link_order=0${STRACE:+:detect_leaks=0} "${pre[@]}" \
		"$AUTOENROLL" -s "$LAB/member/smb.conf" --option "state directory=$UD/state" \
		--option "cache directory=$UD/cache" "$@" > "$W/out" 2>&1 < /dev/null
	AE_RC=$?
	AE_ALL=$(cat "$W/out")
	note "autoenroll $* -> exit $AE_RC"
	grep -v ' skip ' "$W/out" | tail -n 4 | sed 's/^/      | /'
}

# -- the user, the template, the GPO -------------------------------------
adm samba-tool user create "$U" "$PASSWD" --mail-address="$U@lab.example.com" \
	-H "ldap://$DCFQDN" --use-kerberos=required -s "$LAB/client.conf" > "$W/adm.log" 2>&1 ||
	fail "samba-tool user create $U: $(tail -n 2 "$W/adm.log")"
"$ADLAB" admin template-copy LabMachine "$T" "$FOREST_OID.1000.91" flags=131616 \
	msPKI-Certificate-Name-Flag=2181038080 > "$W/adm.log" 2>&1 ||
	fail "template-copy: $(tail -n 2 "$W/adm.log")"
"$ADLAB" admin ace "template:$T" add "(OA;;CR;0e10c968-78fb-11d2-90d4-00c04f79dc55;;DU)" \
	add "(OA;;CR;a05b8cc2-17bc-4802-a710-e7c15ab866a2;;DU)" > "$W/adm.log" 2>&1 ||
	fail "template ACL: $(tail -n 2 "$W/adm.log")"
"$ADLAB" admin template-publish "$T" > /dev/null 2>&1 || fail "template-publish $T"
GUID=$("$ADLAB" admin gpo-create "$T policy" 7 2> "$W/adm.log" | tail -n 1)
[ -n "$GUID" ] || fail "gpo-create: $(tail -n 2 "$W/adm.log")"
/usr/bin/python3 "$SRCDIR/tests/lab/make-registry-pol.py" "$W/Registry.pol" 7 > /dev/null
printf '[General]\r\nVersion=65537\r\n' > "$W/GPT.INI"
adm smbclient -N "//$DCFQDN/sysvol" --use-kerberos=required -s "$LAB/client.conf" \
	-c "cd lab.example.com/Policies/$GUID; mkdir User; cd User; put $W/Registry.pol Registry.pol; cd ..; put $W/GPT.INI GPT.INI" \
	< /dev/null > "$W/smb.log" 2>&1 || fail "User/Registry.pol upload: $(tail -n 2 "$W/smb.log")"
"$ADLAB" admin ldbmodify > "$W/adm.log" 2>&1 << LDIF || fail "GPO user version: $(tail -n 2 "$W/adm.log")"
dn: CN=$GUID,CN=Policies,CN=System,$BASEDN
changetype: modify
replace: versionNumber
versionNumber: 65537
-
replace: gPCUserExtensionNames
gPCUserExtensionNames: [{35378EAC-683F-11D2-A89A-00C04FBBCFA2}{D02B1F72-3407-48AE-BA88-E8213C6761F1}]
LDIF
"$ADLAB" admin gpo-link "$GUID" domain > /dev/null 2>&1 || fail "gpo-link $GUID"
USID=$("$ADLAB" admin sid "$U")
note "user $U ($USID), template $T, user GPO $GUID"

# -- the member winbindd, the user as NSS sees it, the user's ticket --------
if live_pid "$LAB/member/winbindd.pid" winbindd > /dev/null; then
	note "member winbindd already running"
else
	"$ADLAB" winbindd > "$W/wb.out" 2>&1 || fail "adlab.sh winbindd: $(tail -n 3 "$W/wb.out")"
	STARTED_WB=1
fi
UID_=""
for _ in $(seq 600); do # winbind learns of a new user within its cache time (bounded: 60 s)
	UID_=$("$ADLAB" member id -u "LAB\\$U" 2> /dev/null) && break
	sleep 0.1
done
[ -n "$UID_" ] || fail "NSS does not know LAB\\$U"
GID_=$("$ADLAB" member id -g "LAB\\$U")
"$ADLAB" client sh -c "echo '$PASSWD' | KRB5CCNAME=$CC kinit $U@$REALM > /dev/null" ||
	fail "kinit as $U"
chown "$UID_:$GID_" "${CC#FILE:}"
note "uid $UID_ gid $GID_, ccache $CC"

# -- refusals before anything is made --------------------------------------
aeu run --user
[ "$AE_RC" = 2 ] || fail "root without NAME: exit $AE_RC, expected 2"
printf '%s' "$AE_ALL" | qgrep 'name the user' || fail "root without NAME: no cause"
aeu run --user nobody --ccache "$CC"
[ "$AE_RC" = 6 ] || fail "local account: exit $AE_RC, expected 6"
printf '%s' "$AE_ALL" | qgrep 'nobody is not a domain user' || fail "local account: no cause"
cp "$LAB/admin.ccache" "$UD/other.cc" && chown "$UID_:$GID_" "$UD/other.cc"
aeu run --user "$U" --ccache "FILE:$UD/other.cc"
[ "$AE_RC" = 6 ] || fail "another principal's ccache: exit $AE_RC, expected 6"
printf '%s' "$AE_ALL" | qgrep "holds the credentials of Administrator@$REALM" ||
	fail "another principal's ccache: the principals are not named"

# -- the run ------------------------------------------------------------------
command -v strace > /dev/null || fail "strace is not installed (tests/deps.sh installs it)"
STRACE=$W/strace.out
aeu --option "private dir=$UD/private-empty" run --user "LAB\\$U" --ccache "$CC"
[ "$AE_RC" = 0 ] || fail "run --user $U: exit $AE_RC: $(tail -n 1 "$W/out")"
printf '%s' "$AE_ALL" | qgrep -E "^$T +enroll +done +issued by LAB-CA" || fail "$T not issued"
printf '%s' "$AE_ALL" | qgrep "not exported in the user context" ||
	fail "the report does not say the trust anchors were left to the machine cycle"

TOP=$UD/state/autoenroll/users
S=$TOP/$USID
[ "$(stat -c '%u %a' "$TOP")" = "0 711" ] || fail "users/ is $(stat -c '%u %a' "$TOP"), not root 0711"
[ "$(stat -c '%u %g %a' "$S")" = "$UID_ $GID_ 700" ] ||
	fail "the store $S is $(stat -c '%u %g %a' "$S"), not $UID_ $GID_ 700"
others=$(find "$S" "$UD/cache/autoenroll-users/$USID" ! -uid "$UID_" | head -n 3)
[ -z "$others" ] || fail "files not owned by uid $UID_: $others"
[ "$(stat -c '%a' "$S/$T.key")" = 600 ] || fail "the key is $(stat -c '%a' "$S/$T.key")"
openssl verify -CAfile "$LAB/ca/ca.pem" "$S/$T.crt" > /dev/null 2>&1 || fail "openssl verify failed"
openssl x509 -in "$S/$T.crt" -noout -ext subjectAltName 2> /dev/null |
	qgrep "UPN::$U@lab.example.com" || fail "no UPN SAN $U@lab.example.com"
ca_admin list
ICPR_CA_DIR="$LAB/ca" ICPR_SAM_LDB="$LAB/dc/private/sam.ldb" "$CA_ADMIN" list 2> /dev/null |
	qgrep -E "issued $T $USID\$" || fail "the CA has no request of $T by $USID"
! grep -q 'secrets\.tdb' "$STRACE" || fail "secrets.tdb opened: $(grep -m1 'secrets\.tdb' "$STRACE")"
grep -q "setresuid($UID_, $UID_, $UID_) = 0" "$STRACE" || fail "no setresuid($UID_) seen"
note "strace: setresuid($UID_, $UID_, $UID_), no secrets.tdb"

# -- status as root reads the user's store; the second run asks nothing -------
aeu status --user "$U"
[ "$AE_RC" = 0 ] && printf '%s' "$AE_ALL" | qgrep -E "$T +VALID" || fail "status --user: $T not VALID"
aeu run --user "$U" --ccache "$CC"
[ "$AE_RC" = 0 ] && printf '%s' "$AE_ALL" | qgrep '(0 request(s)' || fail "second run made a request"

# -- a DIR ccache passes through to krb5 as it is ------------------------------
mkdir "$UD/ccdir" && chown "$UID_:$GID_" "$UD/ccdir" && chmod 0700 "$UD/ccdir"
"$ADLAB" member setpriv --reuid="$UID_" --regid="$GID_" --clear-groups sh -c \
	"echo '$PASSWD' | KRB5CCNAME=DIR:$UD/ccdir kinit $U@$REALM > /dev/null" || fail "kinit into DIR:"
aeu run --user "$U" --ccache "DIR:$UD/ccdir"
[ "$AE_RC" = 0 ] || fail "DIR ccache: exit $AE_RC: $(tail -n 1 "$W/out")"

# -- an expired ticket: a credentials error naming the ccache ------------------
"$ADLAB" client sh -c "echo '$PASSWD' | KRB5CCNAME=$CC.short kinit -l 2s $U@$REALM > /dev/null" ||
	fail "kinit -l 2s"
chown "$UID_:$GID_" "${CC#FILE:}.short"
for _ in $(seq 100); do # until klist says it has expired (bounded: 10 s)
	KRB5_CONFIG=$LAB/krb5.conf klist -s -c "$CC.short" || break
	sleep 0.1
done
aeu run --user "$U" --ccache "$CC.short"
[ "$AE_RC" = 6 ] || fail "expired TGT: exit $AE_RC, expected 6"
printf '%s' "$AE_ALL" | qgrep "$CC.short has no valid ticket-granting ticket" ||
	fail "expired TGT: the ccache is not named"
pass
