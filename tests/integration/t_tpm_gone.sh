#!/bin/bash
# The TPM gone: autoenroll:tpm tcti names a software TPM that was started
# once and then stopped (by its PID). `autoenroll run`:
#   - skips LabMachineTPM (its only provider is the Platform Crypto
#     Provider) with the reason: no TPM reachable, naming the TCTI; never a
#     software key in its place;
#   - writes nothing for it: no LabMachineTPM.* file, no record, no request
#     at the CA for that template;
#   - still enrolls LabMachine (a file key) and exits as usual;
# then with the TPM back, the next run enrolls LabMachineTPM.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
. "$(dirname "$0")/cycle/lib.sh"
. "$(dirname "$0")/tpm/lib.sh"

tpm_start
tpm_stop
tpm_allow_autoenroll
cyc_store gone
tpm_conf
before=$(ca_count LabMachineTPM)
cycle
expect_rc_in 0 3
expect_item LabMachineTPM enroll no-certificate skipped
reason=$(cq 'item("LabMachineTPM", "enroll")["reason"]')
note "reason: $reason"
[[ $reason == *"requires a TPM key"* && $reason == *"$TCTI"* ]] ||
	fail "the skip's reason does not say that the TPM at $TCTI is needed and absent: $reason"
left=$(cd "$STORE" && ls -a | grep -i 'LabMachineTPM' | tr '\n' ' ')
[ -z "$left" ] || fail "files written for LabMachineTPM: $left"
[ -z "$(find "$STORE" -iname '*LabMachineTPM*' | head -n 1)" ] ||
	fail "something of LabMachineTPM in the store: $(find "$STORE" -iname '*LabMachineTPM*')"
[ "$(ca_count LabMachineTPM)" = "$before" ] || fail "a request for LabMachineTPM reached the CA"
expect_item LabMachine enroll no-certificate "done"
expect_issued "$STORE" LabMachine
note "LabMachineTPM skipped, nothing written, nothing sent; LabMachine enrolled"

tpm_start
sed -i '/autoenroll:tpm tcti/d' "$CONF"
tpm_conf
cycle
expect_rc_in 0 3
expect_item LabMachineTPM enroll no-certificate "done"
expect_tpm_issued "$STORE" LabMachineTPM
pass
