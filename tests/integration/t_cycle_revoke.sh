#!/bin/bash
# Revocation, in a fresh store holding a LabMachine certificate:
#  1. `ca-admin revoke SERIAL` (the CA writes its CRL and publishes it at the
#     CDP its certificates name): the next run finds the serial on the CRL
#     and RE-ENROLLS (cause revoked); the revoked certificate is archived
#     (ARCHIVED: replaced) and the new one verifies;
#  2. with CT_FLAG_REMOVE_INVALID_CERTIFICATE_FROM_PERSONAL_STORE (0x400)
#     added to LabMachine's msPKI-Enrollment-Flag (AEPolicy 7 has 0x2), the
#     new certificate revoked in turn: the next run REMOVES it (a REMOVED
#     record in archive/) and re-enrolls.
# msPKI-Enrollment-Flag is restored on exit.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
. "$(dirname "$0")/cycle/lib.sh"

grep -q 'revoke' "$CA_ADMIN" || fail "$CA_ADMIN has no revoke (the test CA's revocation is not there yet)"

on_crl() { # SERIAL: the CA's CRL file lists SERIAL
	openssl crl -inform DER -in "$LAB/ca/crl/$CANAME.crl" -noout -text 2> /dev/null |
		sed -n 's/^ *Serial Number: *//p' | while read -r s; do canon_serial "$s"; done |
		qgrep -x "$1"
}

cyc_store revoke
cycle
expect_rc_in 0 3
expect_item LabMachine enroll no-certificate "done"
s1=$(serial_of "$STORE/LabMachine.crt")
note "CDP of the certificate: $(openssl x509 -in "$STORE/LabMachine.crt" -noout -ext crlDistributionPoints 2> /dev/null | sed -n 's/^ *URI://p' | tr '\n' ' ')"

note "1. revoke $s1"
ca_admin revoke "$s1" keyCompromise
on_crl "$s1" || fail "the CA's CRL does not list $s1"
CYCLE_DEBUG=3 cycle
# the CRL as AD CS publishes it: the ldap:/// CDP (the file:/// one is the lab's second)
printf '%s\n' "$AE_STDERR" | qgrep "serial $s1 is revoked per ldap:///" ||
	fail "no 'serial $s1 is revoked per ldap:///...' in the log: $(printf '%s\n' "$AE_STDERR" | grep -i crl | tail -n 2 | tr '\n' ' ')"
note "$(printf '%s\n' "$AE_STDERR" | grep -o "serial $s1 is revoked per ldap:///[^?]*")"
expect_rc_in 0 3
expect_item LabMachine re-enroll revoked "done"
expect_item LabMachine archive replaced "done"
expect_issued "$STORE" LabMachine
s2=$(serial_of "$STORE/LabMachine.crt")
[ "$s2" != "$s1" ] || fail "still the revoked certificate $s1"
expect_archived "$STORE" LabMachine "$s1" archived

note "2. CT_FLAG_REMOVE_INVALID_CERTIFICATE_FROM_PERSONAL_STORE, revoke $s2"
adm template-get LabMachine msPKI-Enrollment-Flag
ef=$ADM_OUT
[[ $ef =~ ^[0-9]+$ ]] || fail "LabMachine msPKI-Enrollment-Flag '$ef'"
on_exit "$ADLAB" admin template-set LabMachine msPKI-Enrollment-Flag "$ef"
adm template-set LabMachine msPKI-Enrollment-Flag $((ef | 0x400))
ca_admin revoke "$s2"
on_crl "$s2" || fail "the CA's CRL does not list $s2"
cycle
expect_rc_in 0 3
expect_item LabMachine remove revoked "done"
expect_item LabMachine re-enroll revoked "done"
expect_archived "$STORE" LabMachine "$s2" removed
expect_issued "$STORE" LabMachine
s3=$(serial_of "$STORE/LabMachine.crt")
if [ "$s3" = "$s2" ] || [ "$s3" = "$s1" ]; then
	fail "no new certificate after the removal ($s3)"
fi
probs=$(pair_problems "$STORE")
[ -z "$probs" ] || fail "store: $probs"
adm template-set LabMachine msPKI-Enrollment-Flag "$ef"

cycle
expect_rc_in 0 3
expect_item LabMachine skip valid skipped
pass
