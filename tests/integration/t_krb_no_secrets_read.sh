#!/bin/bash
# Issue I: the machine password is read only when a new TGT is needed, and
# from secrets.tdb directly (no secrets.ldb probe, none of the DC's
# database modules):
#   - with a valid cached ticket, a run opens neither secrets.tdb nor
#     secrets.ldb (nor any ldb module);
#   - without a cache it opens secrets.tdb, still never secrets.ldb.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/krb/lib.sh"

store=$(out_dir store)
PRIV=$LAB/member/private
opened() { grep -E "openat\(.*$1" "$TRACE" | head -n 1; }

# a valid cache first
traced warm --option "autoenroll:store dir=$store" run
expect_ok
[ -s "$CC" ] || fail "no $CC after a run"

traced cached --option "autoenroll:store dir=$store" run
expect_ok
[ "$KREQ" = 0 ] || fail "$KREQ KDC request(s) with a valid cached ticket"
[ -z "$(opened "$PRIV/secrets\\.tdb")" ] || fail "secrets.tdb opened with a valid cached ticket: $(opened secrets)"
[ -z "$(opened 'secrets\.ldb')" ] || fail "secrets.ldb opened: $(opened 'secrets\.ldb')"
[ -z "$(opened '/ldb/.*\.so')" ] || fail "an ldb module was loaded: $(opened '/ldb/.*\.so')"

# without a cache; the password never reaches the log, even at -d 10
rm -f "$CC"
traced uncached -d 10 --option "autoenroll:store dir=$store" run
expect_ok
[ "$KREQ" -gt 0 ] || fail "no KDC exchange without a cache"
[ -n "$(opened "$PRIV/secrets\\.tdb")" ] || fail "secrets.tdb was not opened without a cache"
[ -z "$(opened 'secrets\.ldb')" ] || fail "secrets.ldb opened: $(opened 'secrets\.ldb')"
[ -z "$(opened '/ldb/.*\.so')" ] || fail "an ldb module was loaded: $(opened '/ldb/.*\.so')"
dom=$(sed -n 's/^\tworkgroup = //p' "$LAB/member/smb.conf")
tdbdump -k "SECRETS/MACHINE_PASSWORD/$dom" "$PRIV/secrets.tdb" > "$KDIR/pw" 2> /dev/null ||
	fail "cannot read the lab's machine password to look for it in the log"
# tdbdump escapes bytes as \XX; the password is what precedes its NUL
leak=$(/usr/bin/python3 - "$KDIR/pw" "$KDIR/uncached.out" "$KDIR/uncached.err" << 'PY'
import re, sys
raw = open(sys.argv[1], 'rb').read().rstrip(b'\n')
pw = re.sub(rb'\\([0-9A-Fa-f]{2})', lambda m: bytes([int(m.group(1), 16)]), raw).split(b'\0')[0]
assert len(pw) >= 16, 'no password'
logs = b''.join(open(f, 'rb').read() for f in sys.argv[2:])
print('leaked' if pw[:16] in logs else 'clean')
PY
)
rm -f "$KDIR/pw"
[ "$leak" = clean ] || fail "the machine password check: $leak"
pass
