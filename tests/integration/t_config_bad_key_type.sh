#!/bin/bash
# Issue D finding 8 / one config struct: a bad `autoenroll:key type` is
# refused before anything happens: exit 6, the message names the option and
# the value, nothing is created (was: "key generation failed" per template,
# exit 1 or 6 after contacting the DC). ec:p256 is honoured by `run`: an EC
# key for a template whose minimum needs RSA is refused with the option
# named, never silently replaced by RSA-2048.
. "$(dirname "$0")/lib.sh"
for kt in rsa:100 ec:p999 RSA:2048 rsa; do
	store=$(out_dir "store-${kt/:/-}")
	for cmd in run "request --template LabMachine" policy config; do
		# shellcheck disable=SC2086
		ae --option "autoenroll:store dir=$store" --option "autoenroll:key type=$kt" $cmd
		expect_rc 6
		expect_output "autoenroll:key type" "the option"
		expect_output "'$kt'" "the value $kt"
		[ ! -e "$store" ] || fail "$cmd with key type $kt created $store"
	done
done
# ec:p256 in run: LabMachine (msPKI-Minimal-Key-Size 2048) must not get RSA-2048
store=$(out_dir store-ec)
ae --option "autoenroll:store dir=$store" --option 'autoenroll:key type=ec:p256' run
expect_output 'LabMachine .*autoenroll:key type ec:p256 does not qualify' "the refusal of ec:p256"
if [ -e "$store/LabMachine.crt" ]; then
	openssl x509 -in "$store/LabMachine.crt" -noout -text | qgrep 'rsaEncryption' &&
		fail "ec:p256 became an RSA key for LabMachine"
fi
# and the valid strict forms are accepted
ae --option 'autoenroll:key type=ec:p384' config
expect_rc 0
expect_output 'autoenroll:key type +=? *ec:p384 .*--option' "ec:p384 from --option"
pass
