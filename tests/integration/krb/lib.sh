# krb/lib.sh: sourced by the t_krb_*.sh scenarios after ../lib.sh: the
# machine's kept ticket cache (transport/ae_creds_cache.h) observed from
# outside.
#
#   RUNDIR, CC            the run directory and its krb5cc.machine
#   traced TAG ARGS...    `autoenroll -s <member smb.conf> ARGS` as the member
#                         under strace (connect, openat; children followed);
#                         sets AE_RC, AE_ALL as ae() does, TRACE (the file),
#                         KREQ (KDC requests of MIT krb5, KRB5_TRACE's "Sending
#                         request" lines: the machine's TGT and the LDAP
#                         bind's service ticket) and KDC (connects to port 88
#                         of any library: Samba's own Kerberos too, which SMB
#                         and RPC use when a run reads GPO files or enrolls)
#   expect_ok             the last run exited 0 or 3 (3: an item failed at the CA)
#   cc_principal          the default principal of CC (klist), empty if none
#   cc_tgt_end            the epoch end of CC's krbtgt/REALM@REALM, empty if none
#   machine_kinit FILE [LIFETIME]
#                         the machine's TGT from the lab's keytab into FILE
#                         (0600), with kinit -l LIFETIME if given
# shellcheck shell=bash

RUNDIR=$LAB/member/cache/autoenroll
CC=$RUNDIR/krb5cc.machine
KDIR=$WORK/$NAME
mkdir -p "$KDIR"

traced() {
	local tag=$1 o e
	shift
	TRACE=$KDIR/$tag.trace
	o=$KDIR/$tag.out
	e=$KDIR/$tag.err
	need_autoenroll
	rm -f "$KDIR/$tag.krb5trace"
	# LeakSanitizer cannot run under ptrace
	timeout -k 5 "$AE_TIMEOUT" "$ADLAB" client strace -f -qq -o "$TRACE" \
		-E ASAN_OPTIONS=detect_leaks=0 -E "KRB5_TRACE=$KDIR/$tag.krb5trace" \
		-e trace=connect,openat "$AUTOENROLL" -s "$LAB/member/smb.conf" "$@" \
		> "$o" 2> "$e" < /dev/null
	AE_RC=$?
	AE_ALL="$(cat "$o")
$(cat "$e")"
	KDC=$(grep -c 'sin_port=htons(88)' "$TRACE")
	KREQ=$(grep -c 'Sending request' "$KDIR/$tag.krb5trace" 2> /dev/null)
	note "$tag: autoenroll $* -> exit $AE_RC, $KREQ KDC request(s) for the TGT and LDAP, $KDC KDC connect(s) in all"
	! grep -q 'ERROR: AddressSanitizer\|runtime error:' "$e" || fail "$tag: a sanitizer report: $(grep -m1 'ERROR\|runtime error' "$e")"
}

expect_ok() {
	case "$AE_RC" in
	0 | 3) ;;
	*) fail "exit $AE_RC: $(printf '%s' "$AE_ALL" | grep -v '^$' | tail -n 2 | cut -c1-300 | tr '\n' ' ')" ;;
	esac
}

cc_principal() {
	"$ADLAB" client klist -c "FILE:$CC" 2> /dev/null | sed -n 's/^Default principal: //p'
}

cc_tgt_end() {
	local line
	line=$("$ADLAB" client klist -c "FILE:$CC" 2> /dev/null | grep -m1 " krbtgt/$REALM@$REALM\$") || return 0
	# "MM/DD/YY HH:MM:SS  MM/DD/YY HH:MM:SS  krbtgt/...": the second date is the end
	date -d "$(awk '{print $3" "$4}' <<< "$line")" +%s
}

machine_kinit() {
	local f=$1 life=${2:-}
	rm -f "$f"
	# shellcheck disable=SC2086
	"$ADLAB" client kinit ${life:+-l $life} -k -t "$MEMBER_KEYTAB" -c "FILE:$f" \
		"$MACHINE_PRINCIPAL" > /dev/null 2>&1 || fail "kinit -k for $MACHINE_PRINCIPAL into $f failed"
	chmod 600 "$f"
}

# cc_corrupt_tgt_key FILE: flip the bytes of the session key of FILE's TGT
# (a v4 FILE ccache: RFC-less MIT format, header, default principal, then
# credentials: client, server, keyblock{u16 enctype, u32 length, key}...):
# the ticket still looks valid, but the KDC cannot check what it protects
cc_corrupt_tgt_key() {
	/usr/bin/python3 - "$1" << 'PY' || fail "cannot corrupt the TGT's key in $1"
import struct, sys
b = bytearray(open(sys.argv[1], 'rb').read())
assert b[0:2] == b'\x05\x04', 'not a v4 ccache'
o = 4 + struct.unpack('>H', b[2:4])[0]
def data(o):
    n = struct.unpack('>I', b[o:o + 4])[0]
    return bytes(b[o + 4:o + 4 + n]), o + 4 + n
def princ(o):
    count = struct.unpack('>I', b[o + 4:o + 8])[0]
    realm, o = data(o + 8)
    comps = []
    for _ in range(count):
        c, o = data(o)
        comps.append(c)
    return comps, o
_, o = princ(o)
while o < len(b):
    _, o = princ(o)
    server, o = princ(o)
    o += 2                                   # enctype
    n = struct.unpack('>I', b[o:o + 4])[0]
    key_at = o + 4
    o = key_at + n + 16 + 1 + 4              # key, times, is_skey, flags
    if server and server[0] == b'krbtgt':
        for i in range(key_at, key_at + n):
            b[i] ^= 0xff
        open(sys.argv[1], 'wb').write(b)
        sys.exit(0)
    count = struct.unpack('>I', b[o:o + 4])[0]; o += 4      # addresses
    for _ in range(count):
        _, o = data(o + 2)
    count = struct.unpack('>I', b[o:o + 4])[0]; o += 4      # authdata
    for _ in range(count):
        _, o = data(o + 2)
    _, o = data(o)                           # ticket
    _, o = data(o)                           # second ticket
sys.exit('no TGT found')
PY
}
