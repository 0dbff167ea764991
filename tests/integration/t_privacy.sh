#!/bin/bash
# Packet privacy is mandatory: as the machine account, a [sign] bind to the
# CA is refused (access denied) and a [seal] bind is answered, over TCP and
# over \pipe\cert (icpr_bind.c: Samba's own DCE/RPC client). And the
# client's side: autoenroll -d 10 logs a sealed (privacy) binding.
. "$(dirname "$0")/lib.sh"
[ -x "$ICPR_BIND" ] || fail "icpr_bind helper not built ($ICPR_BIND)"
for tr in ncacn_ip_tcp ncacn_np; do
	out=$("$ADLAB" client "$ICPR_BIND" "$LAB/member/smb.conf" "$tr:${DCFQDN}[sign]" \
		"$MACHINE_CCACHE" 2>&1)
	rc=$?
	note "$tr [sign]: exit $rc: $out"
	[ $rc = 3 ] || fail "$tr [sign] bind was not refused with access denied: $out"
	out=$("$ADLAB" client "$ICPR_BIND" "$LAB/member/smb.conf" "$tr:${DCFQDN}[seal]" \
		"$MACHINE_CCACHE" 2>&1)
	rc=$?
	note "$tr [seal]: exit $rc: $out"
	[ $rc = 0 ] || fail "$tr [seal] call did not get through: $out"
done
d=$(out_dir out)
AE_SHOW_LINES=2 ae -d 10 request --template LabMachine --out "$d"
expect_rc 0
# a binding string with seal, and on the same line auth level 6 (privacy)
line=$(printf '%s\n' "$AE_ALL" | grep -E '\[([^]]*,)?seal(,[^]]*)?\]' |
	grep -E 'auth level 6|AUTH_LEVEL_PRIVACY' | head -n 1)
[ -n "$line" ] || fail "autoenroll -d 10 log shows no sealed binding at auth level 6 (privacy)"
note "client log: $(printf '%s' "$line" | cut -c1-200)"
pass
