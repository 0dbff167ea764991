#!/bin/bash
# Bad data in SYSVOL and in the directory is reported, not fatal:
#   1. GPO "PB Corrupt" (link order 1 at the domain) whose Machine/Registry.pol
#      is cut inside its last entry (its first, complete entry sets AEPolicy
#      3): exit 0; errors[] names that GPO and the file, with the offset; the
#      GPO's settings are not used (no partial file) and policy processing
#      stops ([MS-GPOL] 3.2.5.1.5): AEPolicy is the last good policy's, the
#      lab GPO's 7 (marked "last good");
#   2. two templates with attributes of the wrong syntax that the DC stores
#      (an msPKI-Cert-Template-OID that is no OID; a triplet of an unknown
#      type in msPKI-RA-Application-Policies): exit 0; errors[] names each
#      template's DN and the attribute; the lab's templates are all still
#      listed and LabMachine still eligible.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
need_policy

LABSRC="Lab AutoEnroll $GPO_GUID"
TPLS="CN=Certificate Templates,CN=Public Key Services,CN=Services,CN=Configuration,$BASEDN"

note "1. a truncated Registry.pol"
P=$WORK/$NAME/corrupt.pol
/usr/bin/python3 "$SRCDIR/tests/lab/make-registry-pol.py" "$WORK/$NAME/full.pol" 3 > /dev/null
size=$(stat -c %s "$WORK/$NAME/full.pol")
head -c $((size - 20)) "$WORK/$NAME/full.pol" > "$P"
note "   Registry.pol of $size bytes cut to $((size - 20))"
policy	# the last good policy: the lab GPO alone
adm gpo-create "PB Corrupt" "$P"
G=$ADM_OUT
on_exit "$ADLAB" admin gpo-delete "$G"
adm gpo-link "$G" domain --top
policy
note "   errors: $(q 'd["errors"]')"
expect_true "len([e for e in d['errors'] if '${G,,}' in str(e.get('object')).lower()]) >= 1" \
	"errors[] must name the GPO $G"
expect_true "bool([e for e in d['errors'] if '${G,,}' in str(e.get('object')).lower()
	and 'registry.pol' in str(e.get('attribute')).lower()])" \
	"errors[] must name Registry.pol as the attribute/file of the GPO's error"
expect_true "bool([e for e in d['errors'] if '${G,,}' in str(e.get('object')).lower()
	and 'offset' in str(e.get('message')).lower()])" \
	"the GPO's error message must give the offset"
expect_q 'aep()["value"]' 7 "AEPolicy beside a corrupt GPO"
expect_true "str(aep()['source']).startswith('$LABSRC') and 'last good' in aep()['source']" \
	"AEPolicy source beside a corrupt GPO: the lab GPO's last good file"
expect_q 'tpl("LabMachine")["code"]' eligible "LabMachine beside a corrupt GPO"

note "2. templates with attributes of the wrong syntax"
sed -e "s|@BASEDN@|$BASEDN|g" -e "s|@FOREST@|$FOREST_OID|g" -e '/^#/d' \
	"$SRCDIR/tests/integration/policy/bad-templates.ldif.in" > "$WORK/$NAME/bad.ldif"
on_exit "$ADLAB" admin ldbdel "CN=PBBadRA,$TPLS"
on_exit "$ADLAB" admin ldbdel "CN=PBBadOID,$TPLS"
adm ldbadd "$WORK/$NAME/bad.ldif"
policy
note "   errors: $(q 'd["errors"]')"
for t in PBBadOID:msPKI-Cert-Template-OID PBBadRA:msPKI-RA-Application-Policies; do
	dn="CN=${t%%:*},$TPLS"
	expect_true "bool([e for e in d['errors'] if str(e.get('object')).lower() == '${dn,,}'
		and str(e.get('attribute')).lower() == '${t#*:}'.lower()])" \
		"errors[] must name $dn and ${t#*:}"
done
expect_true 'all(tpl(t) for t in ["LabMachine", "Machine", "LabPending", "LabNoEnroll",
	"LabUnpublished", "LabWebServer", "LabMachineEC"])' "the lab's templates must all be listed"
expect_q 'tpl("LabMachine")["code"]' eligible "LabMachine beside bad templates"
expect_q 'aep()["value"]' 7 "AEPolicy beside bad templates"
pass
