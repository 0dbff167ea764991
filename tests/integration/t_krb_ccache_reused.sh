#!/bin/bash
# Issue I: the machine's ticket cache is kept between runs.
#   - a run without a cache gets a TGT (KDC exchanges, over TCP only) into
#     <cache dir>/autoenroll/krb5cc.machine: a regular file, 0600, root's;
#   - the next run reuses it: 0 KDC requests for the TGT and the LDAP bind
#     (KRB5_TRACE; the lab's run also retrieves a pending request over RPC
#     and reads GPO files over SMB, whose Kerberos is Samba's own);
#   - a cache of another principal, one whose TGT expires within the
#     margin (10 min), a corrupt file and a symbolic link are replaced (the
#     link itself, not its target) and the run works.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/krb/lib.sh"

store=$(out_dir store)
run() { traced "$1" --option "autoenroll:store dir=$store" run; }
fresh_cache_ok() {
	[ "$(stat -c '%F %a %U' "$CC" 2> /dev/null)" = "regular file 600 root" ] ||
		fail "$1: $CC is $(stat -c '%F %a %U' "$CC" 2>&1)"
	[ "$(cc_principal)" = "$MACHINE_PRINCIPAL" ] || fail "$1: the cache is of '$(cc_principal)'"
	local end
	end=$(cc_tgt_end)
	[ -n "$end" ] && [ "$end" -gt $(($(date +%s) + 3600)) ] ||
		fail "$1: the cache's TGT ends at '$end', not hours from now"
}

# 1: no cache: a TGT from the KDC
rm -f "$CC"
run first
expect_ok
[ "$KREQ" -gt 0 ] || fail "the first run asked no KDC"
! grep -q 'Sending UDP request' "$KDIR/first.krb5trace" ||
	fail "the KDC was asked over UDP: $(grep -m1 'Sending UDP request' "$KDIR/first.krb5trace")"
fresh_cache_ok first

# 2: the next run (a no-op) uses it as it is
run second
expect_ok
[ "$KREQ" = 0 ] || fail "the second run made $KREQ KDC request(s) with a valid cached ticket"
fresh_cache_ok second

# 3: another principal's cache (the lab's administrator)
cp "${ADMIN_CCACHE#FILE:}" "$CC"
chmod 600 "$CC"
[ "$(cc_principal)" = "Administrator@$REALM" ] || fail "the administrator's ccache is of '$(cc_principal)'"
run other
expect_ok
[ "$KREQ" -gt 0 ] || fail "another principal's cache was used"
fresh_cache_ok other

# 4: the machine's TGT, ending within the margin
machine_kinit "$CC" 5m
run expiring
expect_ok
[ "$KREQ" -gt 0 ] || fail "a TGT ending in 5 minutes was used"
fresh_cache_ok expiring
run after-expiring
expect_ok
[ "$KREQ" = 0 ] || fail "the renewed cache was not reused ($KREQ KDC requests)"

# 5: a corrupt file
printf 'not a ccache at all\n' > "$CC"
chmod 600 "$CC"
run corrupt
expect_ok
[ "$KREQ" -gt 0 ] || fail "no new TGT for a corrupt cache"
fresh_cache_ok corrupt

# 6: a symbolic link to a valid cache elsewhere: not followed, replaced
target=$KDIR/elsewhere.cc
machine_kinit "$target"
sum=$(sha256sum < "$target")
rm -f "$CC"
ln -s "$target" "$CC"
run link
expect_ok
[ "$KREQ" -gt 0 ] || fail "the cache behind a symbolic link was used"
[ ! -L "$CC" ] || fail "$CC is still a symbolic link"
fresh_cache_ok link
[ "$(sha256sum < "$target")" = "$sum" ] || fail "the link's target was written"
pass
