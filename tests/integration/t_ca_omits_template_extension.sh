#!/bin/bash
# A CA that issues without the certificate template extension (issue D,
# finding 5): `ca-admin template-ext off` makes the lab CA leave out both
# 1.3.6.1.4.1.311.21.7 and the v1 name 1.3.6.1.4.1.311.20.2. In a fresh
# store two `autoenroll run` cycles make exactly one LabMachine request:
#   - the first enrolls (enroll/no-certificate/done); the certificate has no
#     template extension; the state record binds it to LabMachine
#     (ca_omits_template_ext=1, the template's version from the request); a
#     warning that the CA omits the extension is printed;
#   - the second sends nothing for LabMachine: skip/valid (before the fix it
#     enrolled again and archived the first pair, every cycle); the warning
#     is not printed again; nothing is archived.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
. "$(dirname "$0")/cycle/lib.sh"

ca_run template-ext off 2> /dev/null || fail "ca-admin template-ext off"
on_exit ca_run template-ext on
warning='CA LAB-CA issued certificate [0-9A-Fa-f]+ without a certificate template extension'

cyc_store omits
n0=$(ca_count LabMachine)
CYCLE_DEBUG=1 cycle
expect_rc_in 0 3
expect_item LabMachine enroll no-certificate done
expect_issued "$STORE" LabMachine
first=$(serial_of "$STORE/LabMachine.crt")
[ -z "$(cert_fact "$STORE/LabMachine.crt" template_oid)" ] &&
	[ -z "$(cert_fact "$STORE/LabMachine.crt" template_name)" ] ||
	fail "the CA switch is off, yet the certificate has a template extension"
grep -qx 'ca_omits_template_ext=1' "$STORE/LabMachine.state" ||
	fail "LabMachine.state does not record that the CA omitted the extension: $(tr '\n' ' ' < "$STORE/LabMachine.state")"
grep -q '^template_major=' "$STORE/LabMachine.state" ||
	fail "LabMachine.state has no template version (from the request)"
[ "$(printf '%s\n' "$AE_STDERR" | grep -cE "$warning")" = 1 ] ||
	fail "first run: want one warning about the omitted extension, stderr: $(printf '%s' "$AE_STDERR" | grep -i template | head -n 3)"
cq 'item("LabMachine", "enroll")["reason"]' | qgrep 'omits the certificate template extension' ||
	fail "the enroll item does not say that the CA omits the extension"
[ "$(ca_count LabMachine)" = $((n0 + 1)) ] || fail "first run: $(($(ca_count LabMachine) - n0)) LabMachine requests, want 1"
note "first run: serial $first, no template extension, record: $(grep -E '^(ca_omits_template_ext|template_major|template_minor)=' "$STORE/LabMachine.state" | tr '\n' ' ')"

CYCLE_DEBUG=1 cycle
expect_rc_in 0 3
expect_item LabMachine skip valid skipped
[ "$(ca_count LabMachine)" = $((n0 + 1)) ] ||
	fail "two cycles made $(($(ca_count LabMachine) - n0)) LabMachine requests, want exactly 1"
[ "$(serial_of "$STORE/LabMachine.crt")" = "$first" ] || fail "the certificate was replaced"
[ -z "$(find "$STORE/archive" -name 'LabMachine.*' 2> /dev/null)" ] ||
	fail "a LabMachine pair was archived: $(find "$STORE/archive" -name 'LabMachine.*' -printf '%f ')"
! printf '%s\n' "$AE_STDERR" | qgrep -E "$warning" || fail "the warning was printed again"
note "second run: $(cq 'item("LabMachine")["reason"]'); CA requests for LabMachine: 1"
pass
