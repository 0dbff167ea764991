#!/bin/bash
# kill -9 during a TPM enrollment: `autoenroll request --template
# LabMachineTPM` (a key in the software TPM) is stopped as kill -9 would at
# each store step of the enrollment (AE_TEST_KILL_AT, test-seams build:
# the new key written, the answer recorded, the pair staged, installing,
# the key installed, the certificate installed); each time, on a fresh
# store, the next `autoenroll run` recovers as for file keys (the answer
# kept and installed, or the transition rolled back and enrolled again):
# LabMachineTPM ends valid with its TPM key blob (the public key the
# certificate's, through the provider), every pair of the store matches,
# no staged or temporary file is left. After each kill the TPM's transient
# objects are flushed (tpm_flush), as the kernel's resource manager does
# for a process that dies; swtpm, reached directly, has none.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
. "$(dirname "$0")/cycle/lib.sh"
. "$(dirname "$0")/tpm/lib.sh"

tpm_start
tpm_allow_autoenroll
for step in begin:key pending:saved commit:staged commit:installing install:key install:crt; do
	cyc_store "kill-${step/:/-}"
	tpm_conf
	cae AE_TEST_KILL_AT="$step" request --template LabMachineTPM
	[ "$AE_RC" = 137 ] || fail "request with AE_TEST_KILL_AT=$step exited $AE_RC, not killed (137)"
	note "killed at $step; store: $(ls -A "$STORE" | grep -i labmachinetpm | tr '\n' ' ')"
	tpm_flush	# what /dev/tpmrm0 does for a dead process
	if [ "$step" = begin:key ]; then
		[ "$(head -n 1 "$STORE/LabMachineTPM.key.new" 2> /dev/null)" = \
			"-----BEGIN TSS2 PRIVATE KEY-----" ] ||
			fail "the new key written at begin:key is not a TPM key blob"
	fi
	cycle
	expect_rc_in 0 3
	expect_tpm_issued "$STORE" LabMachineTPM
	probs=$(pair_problems "$STORE" all)
	[ -z "$probs" ] || fail "after $step: $probs"
	left=$(cd "$STORE" && ls -A | grep -E '^LabMachineTPM\..*(\.new|\.tmp)' | tr '\n' ' ')
	[ -z "$left" ] || fail "after $step: staged or temporary files left: $left"
	note "after $step: the next run left LabMachineTPM valid with its TPM key"
done
pass
