#!/bin/bash
# The lab fixture the other scenarios rely on, as the member machine sees
# it over LDAP (GSSAPI, machine ccache): the ten templates (LabUser and
# LabUserRoaming: user templates), LAB-CA publishing all but LabUnpublished,
# the member's dNSHostName, the GPO with the AutoEnrollment policy, and the
# user side: alice and bob in OU=Staff (alice with mail, bob without), carol
# in OU=Contractors, the user GPO linked to OU=Staff only, with
# User/Registry.pol AEPolicy=7 and its user version and CSE pair.
. "$(dirname "$0")/lib.sh"
cfg="CN=Configuration,$BASEDN"
pks="CN=Public Key Services,CN=Services,$cfg"
lds() {
	KRB5CCNAME=$MACHINE_CCACHE "$ADLAB" client ldapsearch -Q -Y GSSAPI -LLL -o ldif-wrap=no \
		-H "ldap://$DCFQDN" "$@" 2> /dev/null
}
t=$(lds -b "CN=Certificate Templates,$pks" -s one '(objectClass=pKICertificateTemplate)' cn |
	sed -n 's/^cn: //p' | sort | tr '\n' ' ')
[ "$t" = "LabMachine LabMachineEC LabMachineTPM LabNoEnroll LabPending LabUnpublished LabUser LabUserRoaming LabWebServer LabWebServerAuto Machine " ] ||
	fail "templates seen by the machine: '$t'"
note "templates: $t"
p=$(lds -b "CN=Enrollment Services,$pks" -s one '(cn=LAB-CA)' certificateTemplates dNSHostName)
pub=$(sed -n 's/^certificateTemplates: //p' <<< "$p" | sort | tr '\n' ' ')
[ "$pub" = "LabMachine LabMachineEC LabMachineTPM LabNoEnroll LabPending LabUser LabUserRoaming LabWebServer LabWebServerAuto Machine " ] ||
	fail "LAB-CA publishes '$pub'"
grep -q "^dNSHostName: $DCFQDN$" <<< "$p" || fail "LAB-CA dNSHostName is not $DCFQDN"
note "LAB-CA on $DCFQDN publishes: $pub"
o=$(lds -b "CN=OID,$pks" -s one '(objectClass=msPKI-Enterprise-Oid)' msPKI-Cert-Template-OID |
	sed -n 's/^msPKI-Cert-Template-OID: //p' | sort | tr '\n' ' ')
for n in 1 2 3 4 5 6 7 8 9; do
	[[ $o == *"$FOREST_OID.1000.$n "* ]] || fail "no msPKI-Enterprise-Oid for $FOREST_OID.1000.$n"
done
h=$(lds -b "$BASEDN" '(sAMAccountName=MEMBER1$)' dNSHostName | sed -n 's/^dNSHostName: //p')
[ "$h" = "$MEMBER_FQDN" ] || fail "member dNSHostName '$h'"
note "member dNSHostName: $h"
# the GPO's Registry.pol, fetched as the machine over SMB
pol="$WORK/$NAME/Registry.pol"
mkdir -p "$WORK/$NAME"
KRB5CCNAME=$MACHINE_CCACHE "$ADLAB" client smbclient -N "//$DCFQDN/sysvol" --use-kerberos=required \
	-s "$LAB/member/smb.conf" -c "get lab.example.com/Policies/$GPO_GUID/Machine/Registry.pol $pol" \
	> "$WORK/$NAME/smbclient.log" 2>&1 || fail "cannot fetch the GPO's Registry.pol as the machine"
/usr/bin/python3 - "$pol" << 'PY' || fail "Registry.pol does not hold AEPolicy=7"
import struct, sys
b = open(sys.argv[1], 'rb').read()
assert b[:8] == b'PReg' + struct.pack('<I', 1)
k = 'AEPolicy\0'.encode('utf-16-le') + ';'.encode('utf-16-le') + struct.pack('<I', 4)
i = b.index(k) + len(k)
assert b[i:i + 2] == ';'.encode('utf-16-le')
assert struct.unpack_from('<I', b, i + 2)[0] == 4
assert struct.unpack_from('<I', b, i + 8)[0] == 7
PY
note "GPO $GPO_GUID: Machine/Registry.pol has AEPolicy=7"

# -- user templates: no CT_FLAG_MACHINE_TYPE, the Windows "User" name flags,
#    PUBLISH_TO_DS (+ CHECK_USER_DS_CERTIFICATE for LabUserRoaming)
for tn in LabUser:41 LabUserRoaming:57; do
	v=$(lds -b "CN=${tn%%:*},CN=Certificate Templates,$pks" -s base flags \
		msPKI-Certificate-Name-Flag msPKI-Enrollment-Flag)
	f=$(sed -n 's/^flags: //p' <<< "$v")
	[ -n "$f" ] && [ $((f & 0x40)) = 0 ] && [ $((f & 0x20)) = 32 ] ||
		fail "${tn%%:*}: flags '$f' (want AUTO_ENROLLMENT, no MACHINE_TYPE)"
	grep -qx 'msPKI-Certificate-Name-Flag: -1509949440' <<< "$v" ||
		grep -qx 'msPKI-Certificate-Name-Flag: 2785017856' <<< "$v" ||
		fail "${tn%%:*}: msPKI-Certificate-Name-Flag is not 0xa6000000"
	grep -qx "msPKI-Enrollment-Flag: ${tn#*:}" <<< "$v" ||
		fail "${tn%%:*}: msPKI-Enrollment-Flag is not ${tn#*:}"
done
note "LabUser (enrollment flag 0x29), LabUserRoaming (0x39): user templates, name flags 0xa6000000"

# -- users and their OUs
u=$(lds -b "$BASEDN" '(|(sAMAccountName=alice)(sAMAccountName=bob)(sAMAccountName=carol))' \
	sAMAccountName mail userPrincipalName)
grep -q '^dn: CN=Alice Lab,OU=Staff,' <<< "$u" || fail "alice is not in OU=Staff"
grep -q '^dn: CN=Bob Lab,OU=Staff,' <<< "$u" || fail "bob is not in OU=Staff"
grep -q '^dn: CN=Carol Lab,OU=Contractors,' <<< "$u" || fail "carol is not in OU=Contractors"
grep -qx 'mail: alice@lab.example.com' <<< "$u" || fail "alice has no mail"
grep -qx 'mail: bob@.*' <<< "$u" && fail "bob has a mail attribute"
[ "$(grep -c '^userPrincipalName: ' <<< "$u")" = 3 ] || fail "not every user has a UPN"
note "alice (mail), bob (no mail) in OU=Staff, carol in OU=Contractors"

# -- the user GPO: linked to OU=Staff only, user version 1, the CSE pair
[ -n "${USER_GPO_GUID:-}" ] || fail "env.sh has no USER_GPO_GUID"
l=$(lds -b "OU=Staff,$BASEDN" -s base gPLink | sed -n 's/^gPLink: //p')
[[ ${l^^} == *"${USER_GPO_GUID^^}"* ]] || fail "OU=Staff gPLink '$l' lacks $USER_GPO_GUID"
l=$(lds -b "OU=Contractors,$BASEDN" -s base gPLink | sed -n 's/^gPLink: //p')
[ -z "$l" ] || fail "OU=Contractors has a gPLink: $l"
g=$(lds -b "CN=$USER_GPO_GUID,CN=Policies,CN=System,$BASEDN" -s base versionNumber gPCUserExtensionNames)
grep -qx 'versionNumber: 65536' <<< "$g" || fail "user GPO versionNumber is not 65536: $g"
grep -qx 'gPCUserExtensionNames: \[{35378EAC-683F-11D2-A89A-00C04FBBCFA2}{D02B1F73-3407-48AE-BA88-E8213C6761F1}\]' \
	<<< "$g" || fail "user GPO gPCUserExtensionNames: $g"
upol="$WORK/$NAME/User-Registry.pol"
KRB5CCNAME=$MACHINE_CCACHE "$ADLAB" client smbclient -N "//$DCFQDN/sysvol" --use-kerberos=required \
	-s "$LAB/member/smb.conf" -c "get lab.example.com/Policies/$USER_GPO_GUID/User/Registry.pol $upol" \
	> "$WORK/$NAME/smbclient-user.log" 2>&1 || fail "cannot fetch the user GPO's User/Registry.pol"
cmp -s "$upol" "$pol" || fail "User/Registry.pol differs from the machine GPO's AEPolicy=7 file"
note "user GPO $USER_GPO_GUID on OU=Staff: versionNumber 65536, User/Registry.pol AEPolicy=7"
pass
