#!/bin/bash
# CRLs are kept in the context's cache directory until their nextUpdate:
# with a LabMachine certificate in a fresh store and a cache directory of
# this scenario's own (cache directory = ..., so <cache>/autoenroll/crl):
#  1. its serial revoked (`ca-admin revoke`, the CA publishes its CRL at the
#     ldap:/// CDP): a --dry-run plans the re-enrollment (cause revoked)
#     after ONE search of the CDP object (counted in the DC's log, raised
#     to log level 5 for the run: one "ldapsrv_SearchRequest: LDAP Query:
#     ... basedn: [DN]" line per search); the CRL is now in <cache>/autoenroll/crl
#     as "<64 hex>.crl", 0600, its bytes the CA's CRL;
#  2. the same --dry-run again: still revoked, and NO search of the CDP
#     object (the cached copy, verified again);
#  3. with AE_TEST_NOW two days on (after the CRL's nextUpdate, +1 day):
#     the CDP object is searched again (the copy expired);
#  4. a corrupt cached file: searched again, and revoked again.
# Needs a test-seams build (AE_TEST_NOW).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
. "$(dirname "$0")/cycle/lib.sh"

grep -q 'revoke' "$CA_ADMIN" || fail "$CA_ADMIN has no revoke"
command -v smbcontrol > /dev/null || fail "no smbcontrol (samba-common-bin): the DC's log level cannot be raised"

cyc_store crl
CACHE=$WORK/$NAME/cache
rm -rf "$CACHE"
mkdir -p "$CACHE"
chmod 0700 "$CACHE"
printf '\tcache directory = %s\n' "$CACHE" >> "$CONF"
CRLDIR=$CACHE/autoenroll/crl
DCPID=$(cat "$LAB/dc/samba.pid")
DCLOG=$LAB/dc/log.samba
dc_debug() {
	smbcontrol -s "$LAB/dc/etc/smb.conf" "$DCPID" debug "$1" > /dev/null 2>&1 ||
		fail "smbcontrol $DCPID debug $1 failed"
}
on_exit smbcontrol -s "$LAB/dc/etc/smb.conf" "$DCPID" debug 1

# counted_cycle ARGS...: cycle ARGS with the DC at log level 5; REQUESTS =
# the searches the DC logged, SEARCHES = those whose base is the CDP object
counted_cycle() {
	local off
	off=$(stat -c %s "$DCLOG")
	dc_debug 5
	cycle "$@"
	dc_debug 1
	tail -c +"$((off + 1))" "$DCLOG" | grep -F 'ldapsrv_SearchRequest: LDAP Query' > "$WORK/$NAME/searches"
	REQUESTS=$(grep -c . "$WORK/$NAME/searches" || true)
	SEARCHES=$(grep -F -i -c "basedn: [$CDP_DN]" "$WORK/$NAME/searches" || true)
	note "  the DC logged $REQUESTS search(es), $SEARCHES of the CDP object"
}

cycle
expect_rc_in 0 3
expect_item LabMachine enroll no-certificate "done"
s1=$(serial_of "$STORE/LabMachine.crt")
url=$(openssl x509 -in "$STORE/LabMachine.crt" -noout -ext crlDistributionPoints 2> /dev/null |
	sed -n 's/^ *URI:\(ldap:\/\/\/[^?]*\).*/\1/p' | head -n 1)
[ -n "$url" ] || fail "LabMachine's certificate names no ldap:/// CDP"
CDP_DN=$(/usr/bin/python3 -c 'import sys, urllib.parse; print(urllib.parse.unquote(sys.argv[1][len("ldap:///"):]))' "$url")
note "CDP object: $CDP_DN"

note "1. revoke $s1; a --dry-run fetches the CRL once and keeps it"
ca_admin revoke "$s1" keyCompromise
counted_cycle --dry-run
expect_item LabMachine re-enroll revoked planned
[ "$REQUESTS" -gt 0 ] || fail "the DC logged no search at log level 5: cannot count"
[ "$SEARCHES" = 1 ] || fail "1: the CDP object was searched $SEARCHES time(s) in one cycle (want 1)"
s_first=$SEARCHES
files=$(find "$CRLDIR" -maxdepth 1 -type f -name '*.crl' 2> /dev/null)
[ "$(printf '%s\n' "$files" | grep -c .)" = 1 ] || fail "1: want one cached CRL in $CRLDIR, have: $(ls -la "$CRLDIR" 2>&1 | tr '\n' ' ')"
[[ $(basename "$files") =~ ^[0-9a-f]{64}\.crl$ ]] || fail "1: cache file name $(basename "$files")"
[ "$(stat -c %a "$files")" = 600 ] || fail "1: cache file mode $(stat -c %a "$files")"
[ "$(stat -c %a "$CRLDIR")" = 700 ] || fail "1: cache directory mode $(stat -c %a "$CRLDIR")"
cmp -s "$files" "$LAB/ca/crl/$CANAME.crl" || fail "1: the cached file is not the CA's CRL"

note "2. the same --dry-run: the cached copy, no search of the CDP object"
counted_cycle --dry-run
expect_item LabMachine re-enroll revoked planned
[ "$SEARCHES" = 0 ] || fail "2: the CDP object was searched $SEARCHES time(s) though its CRL is cached until its nextUpdate"
[ "$REQUESTS" -gt 0 ] || fail "2: the DC logged no search at all"

note "3. two days on (after the CRL's nextUpdate): fetched again"
counted_cycle AE_TEST_NOW=+$((2 * 86400)) --dry-run
[ "$SEARCHES" -ge 1 ] || fail "3: the expired copy was used: no search of the CDP object"

note "4. a corrupt cached file: fetched again, still revoked"
counted_cycle --dry-run
expect_item LabMachine re-enroll revoked planned
files=$(find "$CRLDIR" -maxdepth 1 -type f -name '*.crl')
[ -n "$files" ] || fail "4: no cached CRL after a fetch"
printf 'not a CRL' > "$files"
counted_cycle --dry-run
expect_item LabMachine re-enroll revoked planned
[ "$SEARCHES" -ge 1 ] || fail "4: the corrupt copy was not fetched again"
cmp -s "$files" "$LAB/ca/crl/$CANAME.crl" || fail "4: the corrupt copy was not replaced"
note "searches of the CDP object: $s_first, 0, then again after nextUpdate and after corruption"
pass
