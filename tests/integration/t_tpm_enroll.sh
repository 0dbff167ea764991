#!/bin/bash
# TPM keys: with a software TPM (swtpm, its own, stopped by PID on exit) and
# autoenroll:tpm tcti pointing at it, `autoenroll run` enrolls LabMachineTPM
# (its only provider: the Microsoft Platform Crypto Provider) with a key made
# in the TPM:
#   - the item is enroll/no-certificate/done;
#   - the store's LabMachineTPM.key is the provider's TSS2 blob at 0600,
#     which OpenSSL without the tpm2 provider cannot load;
#   - the certificate verifies against the lab CA and its public key is the
#     TPM key's (openssl pkey -provider tpm2);
#   - LabMachine (software providers only) still gets a file key;
#   - status says where each key lives, policy which source each template
#     uses; a second run leaves both alone.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
. "$(dirname "$0")/cycle/lib.sh"
. "$(dirname "$0")/tpm/lib.sh"

tpm_start
tpm_allow_autoenroll
cyc_store enroll
tpm_conf
cycle
expect_rc_in 0 3
expect_item LabMachineTPM enroll no-certificate "done"
expect_item LabMachine enroll no-certificate "done"
expect_tpm_issued "$STORE" LabMachineTPM
expect_issued "$STORE" LabMachine
head -n 1 "$STORE/LabMachine.key" | qgrep '^-----BEGIN PRIVATE KEY-----$' ||
	fail "LabMachine.key is not a plain PKCS#8 key"
cstatus
[ "$(sq 'cert("LabMachineTPM")["key_storage"]')" = TPM ] ||
	fail "status: LabMachineTPM key_storage $(sq 'cert("LabMachineTPM")["key_storage"]'), want TPM"
[ "$(sq 'cert("LabMachine")["key_storage"]')" = file ] ||
	fail "status: LabMachine key_storage $(sq 'cert("LabMachine")["key_storage"]'), want file"
note "status: LabMachineTPM key in the TPM, LabMachine key in a file"
cae policy --json
expect_rc_in 0 3
ks=$(printf '%s' "$AE_STDOUT" | /usr/bin/python3 -c 'import json, sys
d = json.load(sys.stdin)
print(" ".join("%s=%s" % (t["name"], (t.get("key_storage") or {}).get("source"))
	for t in d["templates"] if t["name"] in ("LabMachine", "LabMachineTPM")))')
note "policy: key sources $ks"
[[ " $ks " == *" LabMachineTPM=TPM "* && " $ks " == *" LabMachine=file "* ]] ||
	fail "policy --json: key sources '$ks', want LabMachineTPM=TPM LabMachine=file"
serial=$(serial_of "$STORE/LabMachineTPM.crt")
cycle
expect_rc_in 0 3
expect_item LabMachineTPM skip valid skipped
[ "$(serial_of "$STORE/LabMachineTPM.crt")" = "$serial" ] || fail "LabMachineTPM was replaced"
pass
