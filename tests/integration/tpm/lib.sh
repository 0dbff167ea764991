# tpm/lib.sh: sourced by the TPM scenarios (t_tpm_*.sh) after ../lib.sh,
# ../policy/lib.sh (on_exit, adm) and ../cycle/lib.sh (cyc_store, cycle).
#
#   tpm_start             a software TPM for this scenario (tests/tpm/swtpm.sh
#                         in the lab's netns, state in $WORK/<scenario>/tpm),
#                         stopped by its PID on exit; sets TPM_DIR and TCTI
#   tpm_stop              stop it now (by PID)
#   tpm_flush             flush the TPM's transient objects and sessions, as the
#                         kernel's resource manager (/dev/tpmrm0) does when a
#                         process dies: swtpm has none, and a kill -9 leaves
#                         the killed process's objects in the TPM's few slots
#   tpm_conf              CONF (cyc_store's) gets autoenroll:tpm tcti = TCTI
#   tpm_allow_autoenroll  Domain Computers get AutoEnroll on LabMachineTPM
#                         for the scenario's time (removed on exit)
#   tpm_pub KEY           the public key of a TSS2 key blob, through the
#                         provider and this scenario's TPM (PEM)
#   pub_of_key KEY        cycle/lib.sh's, for TSS2 blobs through tpm_pub
#   expect_tpm_issued DIR T
#                         T.key is a TPM key blob at 0600 that OpenSSL
#                         without the provider cannot load, T.crt verifies
#                         against the lab CA and its public key is the blob's
# shellcheck shell=bash

TPM_DIR=""
TCTI=""
SWTPM_SH=$SRCDIR/tests/tpm/swtpm.sh
AE_RIGHT_GUID=a05b8cc2-17bc-4802-a710-e7c15ab866a2

tpm_start() {
	TPM_DIR=$WORK/$NAME/tpm
	rm -rf "$TPM_DIR"
	mkdir -p "$TPM_DIR"
	on_exit ip netns exec "$NS" "$SWTPM_SH" stop "$TPM_DIR"
	TCTI=$(ip netns exec "$NS" "$SWTPM_SH" start "$TPM_DIR") || fail "swtpm did not start"
	note "swtpm pid $(cat "$TPM_DIR/pid"), TCTI $TCTI (netns $NS)"
}

tpm_stop() {
	ip netns exec "$NS" "$SWTPM_SH" stop "$TPM_DIR" || fail "swtpm did not stop"
	note "swtpm stopped"
}

tpm_flush() {
	local o
	for o in -t -l -s; do
		ip netns exec "$NS" env TSS2_LOG=all+NONE tpm2_flushcontext -T "$TCTI" "$o" ||
			fail "tpm2_flushcontext $o failed"
	done
}

tpm_conf() {
	printf '\tautoenroll:tpm tcti = %s\n' "$TCTI" >> "$CONF"
}

tpm_allow_autoenroll() {
	on_exit "$ADLAB" admin ace template:LabMachineTPM del "(OA;;CR;$AE_RIGHT_GUID;;DC)"
	adm ace template:LabMachineTPM add "(OA;;CR;$AE_RIGHT_GUID;;DC)"
}

tpm_pub() {
	ip netns exec "$NS" env TPM2OPENSSL_TCTI="$TCTI" TSS2_LOG=all+NONE \
		openssl pkey -provider tpm2 -provider default -in "$1" -pubout 2> /dev/null
}

expect_tpm_issued() {
	local d=$1 t=$2 f mode v pub
	for f in "$t.key" "$t.crt" "$t.chain.pem"; do
		[ -s "$d/$f" ] || fail "$d/$f missing or empty (have: $(ls "$d" 2> /dev/null | tr '\n' ' '))"
	done
	mode=$(stat -c %a "$d/$t.key")
	[ "$mode" = 600 ] || fail "$t.key has mode $mode, not 600"
	[ "$(head -n 1 "$d/$t.key")" = "-----BEGIN TSS2 PRIVATE KEY-----" ] ||
		fail "$t.key is not a TPM key blob: $(head -n 1 "$d/$t.key")"
	grep -q "PRIVATE KEY-----" <(grep -v "TSS2 PRIVATE KEY" "$d/$t.key") &&
		fail "$t.key holds another private key block"
	if openssl pkey -in "$d/$t.key" -noout > /dev/null 2>&1; then
		fail "openssl pkey without the tpm2 provider loads $t.key (private material in it?)"
	fi
	note "$t.key: a TSS2 PRIVATE KEY blob (0600), openssl without the provider cannot load it"
	v=$(openssl verify -CAfile "$LAB/ca/ca.pem" "$d/$t.crt" 2>&1) || fail "openssl verify: $v"
	note "openssl verify: $v"
	pub=$(tpm_pub "$d/$t.key") || fail "the tpm2 provider cannot load $t.key"
	[ -n "$pub" ] && [ "$pub" = "$(pub_of_cert "$d/$t.crt")" ] ||
		fail "$t.crt's public key is not the TPM key's"
	note "$t.crt's public key is the TPM key's (openssl pkey -provider tpm2)"
}

pub_of_key() {
	if [ "$(head -n 1 "$1" 2> /dev/null)" = "-----BEGIN TSS2 PRIVATE KEY-----" ]; then
		tpm_pub "$1"
	else
		openssl pkey -in "$1" -pubout 2> /dev/null
	fi
}
