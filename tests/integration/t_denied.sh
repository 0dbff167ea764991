#!/bin/bash
# The CA refuses: LabNoEnroll (computers lack Enroll) -> exit 4 naming
# CERTSRV_E_TEMPLATE_DENIED; LabUnpublished (no CA lists it; sent to LAB-CA
# anyway with --ca) -> exit 4 naming CERTSRV_E_UNSUPPORTED_CERT_TYPE. The
# message names the template and the CA; no key, certificate or chain is
# written (the store keeps the template's record: status none, the reason).
. "$(dirname "$0")/lib.sh"

# nothing_installed DIR T: no key or certificate file of T; T.state says none
nothing_installed() {
	local left
	left=$(find "$1" -name "$2.key*" -o -name "$2.crt*" -o -name "$2.chain.pem*" | tr '\n' ' ')
	[ -z "$left" ] || fail "files written in $1: $left"
	grep -qx 'status=none' "$1/$2.state" || fail "$1/$2.state: $(grep '^status=' "$1/$2.state")"
	note "$2.state: status=none, $(grep '^reason=' "$1/$2.state" | cut -c1-100)"
}
d=$(out_dir noenroll)
ae request --template LabNoEnroll --out "$d"
expect_rc 4
expect_output 'CERTSRV_E_TEMPLATE_DENIED' CERTSRV_E_TEMPLATE_DENIED
expect_output 'LabNoEnroll' "the template"
expect_output 'LAB-CA' "the CA"
nothing_installed "$d" LabNoEnroll

d=$(out_dir unpublished)
ae request --template LabUnpublished --ca LAB-CA --out "$d"
expect_rc 4
expect_output 'CERTSRV_E_UNSUPPORTED_CERT_TYPE' CERTSRV_E_UNSUPPORTED_CERT_TYPE
expect_output 'LabUnpublished' "the template"
nothing_installed "$d" LabUnpublished
pass
