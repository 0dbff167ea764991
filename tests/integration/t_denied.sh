#!/bin/bash
# The CA refuses: LabNoEnroll (computers lack Enroll) -> exit 4 naming
# CERTSRV_E_TEMPLATE_DENIED; LabUnpublished (no CA lists it; sent to LAB-CA
# anyway with --ca) -> exit 4 naming CERTSRV_E_UNSUPPORTED_CERT_TYPE. The
# message names the template and the CA; nothing is written.
. "$(dirname "$0")/lib.sh"
d=$(out_dir noenroll)
ae request --template LabNoEnroll --out "$d"
expect_rc 4
expect_output 'CERTSRV_E_TEMPLATE_DENIED' CERTSRV_E_TEMPLATE_DENIED
expect_output 'LabNoEnroll' "the template"
expect_output 'LAB-CA' "the CA"
expect_nothing_written "$d"

d=$(out_dir unpublished)
ae request --template LabUnpublished --ca LAB-CA --out "$d"
expect_rc 4
expect_output 'CERTSRV_E_UNSUPPORTED_CERT_TYPE' CERTSRV_E_UNSUPPORTED_CERT_TYPE
expect_output 'LabUnpublished' "the template"
expect_nothing_written "$d"
pass
