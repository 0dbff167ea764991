#!/bin/bash
# Issue I: the machine password rotated (net ads changetrustpw: on the DC
# and in secrets.tdb) while the machine's ticket is cached:
#   - with the valid cached ticket, runs still work, without the KDC;
#   - with a cached TGT about to expire (obtained before the rotation), the
#     run gets a new TGT with the new password from secrets.tdb and works.
#   - a cached TGT the DC refuses (its session key damaged: the LDAP bind
#     fails at the KDC) is replaced once by a new TGT and the run works.
# The lab's keytab is made again from the new password at the end (other
# scenarios kinit with it).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/krb/lib.sh"

store=$(out_dir store)
PRIV=$LAB/member/private
DOM=$(sed -n 's/^\tworkgroup = //p' "$LAB/member/smb.conf")
pw_sum() { tdbdump -k "SECRETS/MACHINE_PASSWORD/$DOM" "$PRIV/secrets.tdb" 2> /dev/null | sha256sum; }
rekeytab() {
	"$ADLAB" client net ads keytab create -P -s "$LAB/member/smb.conf" \
		--option="kerberos method=dedicated keytab" > /dev/null 2>&1
}
trap rekeytab EXIT

traced warm --option "autoenroll:store dir=$store" run
expect_ok
# an expiring TGT, from before the rotation
short=$KDIR/short.cc
machine_kinit "$short" 5m

before=$(pw_sum)
"$ADLAB" client net ads changetrustpw -s "$LAB/member/smb.conf" > "$KDIR/changetrustpw.log" 2>&1 ||
	fail "net ads changetrustpw failed: $(tail -n 1 "$KDIR/changetrustpw.log")"
[ "$(pw_sum)" != "$before" ] || fail "secrets.tdb's machine password did not change"
note "the machine password was rotated"

# the valid cached ticket goes on working
traced cached --option "autoenroll:store dir=$store" run
expect_ok
[ "$KREQ" = 0 ] || fail "$KREQ KDC request(s) with a valid cached ticket after the rotation"

# a TGT about to expire: the new password from secrets.tdb
cp "$short" "$CC"
chmod 600 "$CC"
traced renew --option "autoenroll:store dir=$store" run
expect_ok
[ "$KREQ" -gt 0 ] || fail "no new TGT for an expiring cached one"
grep -qE "openat\(.*$PRIV/secrets\\.tdb" "$TRACE" || fail "secrets.tdb was not read for the new TGT"
[ "$(cc_principal)" = "$MACHINE_PRINCIPAL" ] || fail "the cache is of '$(cc_principal)'"
end=$(cc_tgt_end)
[ -n "$end" ] && [ "$end" -gt $(($(date +%s) + 3600)) ] || fail "the new TGT ends at '$end'"

# a cached TGT the KDC refuses: one new TGT, the bind again
rekeytab || fail "net ads keytab create failed after the rotation"
machine_kinit "$CC"
cc_corrupt_tgt_key "$CC"
traced refused -d 3 --option "autoenroll:store dir=$store" run
expect_ok
grep -q 'was refused: a new TGT from secrets.tdb' "$KDIR/refused.err" ||
	fail "no renewal after the refused ticket: $(grep -m1 'LDAP' "$KDIR/refused.err")"
[ "$(grep -c 'was refused: a new TGT' "$KDIR/refused.err")" = 1 ] || fail "renewed more than once"
[ "$(cc_principal)" = "$MACHINE_PRINCIPAL" ] || fail "the cache is of '$(cc_principal)' after the renewal"
pass
