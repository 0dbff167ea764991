#!/bin/bash
# Renewal with a TPM key: `autoenroll run` enrolls LabMachineTPM with a key
# in the (software) TPM; a run with the clock 330 days ahead (AE_TEST_NOW) is
# past renew-at and RENEWS:
#   - the renewal is signed with the TPM-held old key: the CA's request
#     record says renews=<old serial>;
#   - the new certificate has a new TPM key (a TSS2 blob, verified as in
#     t_tpm_enroll); the old pair is archived;
# then with CT_FLAG_REQUIRE_SAME_KEY_RENEWAL (msPKI-Private-Key-Flag 0x80,
# set for the scenario's time; the renewed certificate was issued at the real
# time, so 330 days ahead again is renewal-due) a second renewal keeps the TPM key: the same
# blob, a new certificate for the same public key.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
. "$(dirname "$0")/cycle/lib.sh"
. "$(dirname "$0")/tpm/lib.sh"

TPLS="CN=Certificate Templates,CN=Public Key Services,CN=Services,CN=Configuration,$BASEDN"
pkf() { # VALUE: LabMachineTPM's msPKI-Private-Key-Flag
	printf 'dn: CN=LabMachineTPM,%s\nchangetype: modify\nreplace: msPKI-Private-Key-Flag\nmsPKI-Private-Key-Flag: %s\n' \
		"$TPLS" "$1" > "$WORK/$NAME/pkf-$1.ldif"
}

tpm_start
tpm_allow_autoenroll
cyc_store renew
tpm_conf
cycle
expect_rc_in 0 3
expect_item LabMachineTPM enroll no-certificate "done"
expect_tpm_issued "$STORE" LabMachineTPM
old=$(serial_of "$STORE/LabMachineTPM.crt")
old_pub=$(pub_of_cert "$STORE/LabMachineTPM.crt")

cycle AE_TEST_NOW=+$((330 * 86400))
expect_rc_in 0 3
expect_item LabMachineTPM renew renewal-due "done"
id=$(cq 'item("LabMachineTPM", "renew")["request_id"]')
expect_tpm_issued "$STORE" LabMachineTPM
new=$(serial_of "$STORE/LabMachineTPM.crt")
[ "$new" != "$old" ] || fail "the renewed certificate has the old serial $old"
[ "$(pub_of_cert "$STORE/LabMachineTPM.crt")" != "$old_pub" ] ||
	fail "the renewed certificate has the old key (no same-key flag yet)"
renews=$(ca_field "$id" renews)
[ "$(canon_serial "${renews:-x}")" = "$old" ] ||
	fail "CA request $id renews '$renews', want $old (signed with the TPM-held old key)"
note "renewed: request $id renews=$renews, signed with the TPM-held key; new TPM key"
expect_archived "$STORE" LabMachineTPM "$old" archived

pkf 128
pkf 0
on_exit sh -c "'$ADLAB' admin ldbmodify < '$WORK/$NAME/pkf-0.ldif'"
adm ldbmodify < "$WORK/$NAME/pkf-128.ldif"
blob=$(sha256sum < "$STORE/LabMachineTPM.key")
pub=$(pub_of_cert "$STORE/LabMachineTPM.crt")
cycle AE_TEST_NOW=+$((330 * 86400))
expect_rc_in 0 3
expect_item LabMachineTPM renew renewal-due "done"
expect_tpm_issued "$STORE" LabMachineTPM
third=$(serial_of "$STORE/LabMachineTPM.crt")
[ "$third" != "$new" ] || fail "no new certificate from the same-key renewal"
[ "$(pub_of_cert "$STORE/LabMachineTPM.crt")" = "$pub" ] ||
	fail "the same-key renewal changed the key"
[ "$(sha256sum < "$STORE/LabMachineTPM.key")" = "$blob" ] ||
	fail "the same-key renewal rewrote the TPM key blob"
note "same-key renewal: serial $new -> $third, the same TPM key blob"
pass
