#!/bin/bash
# The lab fixture the other scenarios rely on, as the member machine sees
# it over LDAP (GSSAPI, machine ccache): the six templates, LAB-CA
# publishing all but LabUnpublished, the member's dNSHostName, and the GPO
# with the AutoEnrollment policy.
. "$(dirname "$0")/lib.sh"
cfg="CN=Configuration,$BASEDN"
pks="CN=Public Key Services,CN=Services,$cfg"
lds() {
	KRB5CCNAME=$MACHINE_CCACHE "$ADLAB" client ldapsearch -Q -Y GSSAPI -LLL -o ldif-wrap=no \
		-H "ldap://$DCFQDN" "$@" 2> /dev/null
}
t=$(lds -b "CN=Certificate Templates,$pks" -s one '(objectClass=pKICertificateTemplate)' cn |
	sed -n 's/^cn: //p' | sort | tr '\n' ' ')
[ "$t" = "LabMachine LabMachineEC LabNoEnroll LabPending LabUnpublished LabWebServer Machine " ] ||
	fail "templates seen by the machine: '$t'"
note "templates: $t"
p=$(lds -b "CN=Enrollment Services,$pks" -s one '(cn=LAB-CA)' certificateTemplates dNSHostName)
pub=$(sed -n 's/^certificateTemplates: //p' <<< "$p" | sort | tr '\n' ' ')
[ "$pub" = "LabMachine LabMachineEC LabNoEnroll LabPending LabWebServer Machine " ] ||
	fail "LAB-CA publishes '$pub'"
grep -q "^dNSHostName: $DCFQDN$" <<< "$p" || fail "LAB-CA dNSHostName is not $DCFQDN"
note "LAB-CA on $DCFQDN publishes: $pub"
o=$(lds -b "CN=OID,$pks" -s one '(objectClass=msPKI-Enterprise-Oid)' msPKI-Cert-Template-OID |
	sed -n 's/^msPKI-Cert-Template-OID: //p' | sort | tr '\n' ' ')
for n in 1 2 3 4 5; do
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
pass
