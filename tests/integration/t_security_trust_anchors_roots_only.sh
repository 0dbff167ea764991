#!/bin/bash
# Trust anchors are the roots of CN=Certification Authorities only, and a
# failing trust command is reported and retried:
#   - an intermediate (signed by the lab CA's key) and a stray self-signed
#     certificate are added to the lab CA's object in CN=AIA (as
#     Administrator; removed on exit);
#   - `autoenroll run` with its own trust dir and trust command: the trust dir
#     holds exactly one autoenroll-*.crt, the lab root; the intermediate is in
#     <store>/intermediates.pem and not in the trust dir; the stray
#     self-signed certificate is in neither and is reported as a warned
#     "(trust anchors)" item naming the CN=AIA object; the command ran once;
#   - the trust command fails (exit 1) after an anchor changed: the run
#     reports "trust command '...' failed: exit 1; the anchors will be offered
#     again on the next run" and exits 8;
#   - the next run, with nothing changed in AD, runs the command again (still
#     failing: exit 8 again); once it succeeds the run exits 0/3 and says the
#     anchors were updated, and the run after that does not run it at all.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
. "$(dirname "$0")/cycle/lib.sh"

D=$WORK/$NAME
TRUST=$D/trust
CMD=$D/trust-cmd.sh
CMDLOG=$D/trust-cmd.log
CMDRC=$D/trust-cmd.rc
AIA_DN="CN=$CANAME,CN=AIA,CN=Public Key Services,CN=Services,CN=Configuration,$BASEDN"

fp() { openssl x509 -noout -fingerprint -sha256 -in "$1" 2> /dev/null | sed 's/.*=//'; }
# fingerprints of every certificate in a PEM file, one a line
fps() {
	local f=$1 tmp=$D/split n
	rm -rf "$tmp"
	mkdir -p "$tmp"
	[ -s "$f" ] || return 0
	awk -v d="$tmp" '/BEGIN CERT/ { n++ } n { print > (d "/" n ".pem") }' "$f"
	for n in "$tmp"/*.pem; do fp "$n"; done
}
ran() { [ -f "$CMDLOG" ] && wc -l < "$CMDLOG" || echo 0; }

# --- certificates for CN=AIA ---------------------------------------------------
mkdir -p "$D"
printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n' > "$D/ca.ext"
openssl req -new -newkey rsa:2048 -nodes -keyout "$D/inter.key" -out "$D/inter.csr" \
	-subj "/DC=com/DC=example/DC=lab/CN=Trust Test Intermediate" 2> /dev/null ||
	fail "openssl req (intermediate)"
openssl x509 -req -in "$D/inter.csr" -CA "$LAB/ca/ca.pem" -CAkey "$LAB/ca/ca.key" \
	-set_serial 0x5ec3 -days 30 -extfile "$D/ca.ext" -out "$D/inter.pem" 2> /dev/null ||
	fail "openssl x509 (intermediate signed by the lab CA)"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$D/stray.key" -out "$D/stray.pem" -days 30 \
	-subj "/CN=Trust Test Stray Self-Signed" 2> /dev/null || fail "openssl req -x509 (stray)"
openssl verify -CAfile "$LAB/ca/ca.pem" "$D/inter.pem" > /dev/null ||
	fail "the test intermediate does not chain to the lab CA"
INTER_FP=$(fp "$D/inter.pem")
STRAY_FP=$(fp "$D/stray.pem")
ROOT_FP=$(fp "$LAB/ca/ca.pem")

aia_ldif() { # add|delete
	printf 'dn: %s\nchangetype: modify\n%s: cACertificate\n' "$AIA_DN" "$1"
	for c in inter stray; do
		printf 'cACertificate:: %s\n' "$(openssl x509 -in "$D/$c.pem" -outform DER | base64 -w0)"
	done
	printf -- '-\n'
}
aia_ldif delete > "$D/aia-del.ldif"
aia_ldif add > "$D/aia-add.ldif"
on_exit sh -c "'$ADLAB' admin ldbmodify < '$D/aia-del.ldif'"
adm ldbmodify < "$D/aia-add.ldif"

# --- a store, a trust dir and a trust command of our own ------------------------
cyc_store s
printf '#!/bin/sh\necho "run $(ls %s | tr "\\n" " ")" >> %s\nexit $(cat %s)\n' \
	"$TRUST" "$CMDLOG" "$CMDRC" > "$CMD"
chmod 755 "$CMD"
echo 0 > "$CMDRC"
printf '\tautoenroll:trust dir = %s\n\tautoenroll:trust command = %s\n' "$TRUST" "$CMD" >> "$CONF"

cycle
expect_rc_in 0 3
anchors=$(find "$TRUST" -maxdepth 1 -name 'autoenroll-*.crt' 2> /dev/null | sort)
[ "$(printf '%s\n' "$anchors" | sed '/^$/d' | wc -l)" = 1 ] ||
	fail "the trust dir holds $(printf '%s\n' "$anchors" | sed '/^$/d' | wc -l) anchors, want 1 (the lab root): $(for a in $anchors; do openssl x509 -noout -subject -in "$a"; done | tr '\n' ';')"
[ "$(fp "$anchors")" = "$ROOT_FP" ] || fail "the only anchor is not the lab root: $(openssl x509 -noout -subject -in "$anchors")"
for a in $anchors; do
	[ "$(fp "$a")" != "$INTER_FP" ] || fail "the CN=AIA intermediate is a trust anchor: $a"
	[ "$(fp "$a")" != "$STRAY_FP" ] || fail "the self-signed certificate of CN=AIA is a trust anchor: $a"
done
note "trust dir: one anchor, the lab root ($(basename "$anchors"))"
[ -f "$STORE/intermediates.pem" ] || fail "no $STORE/intermediates.pem"
fps "$STORE/intermediates.pem" | qgrep -x "$INTER_FP" ||
	fail "the CN=AIA intermediate is not in intermediates.pem"
! fps "$STORE/intermediates.pem" | qgrep -x "$STRAY_FP" ||
	fail "the stray self-signed certificate is in intermediates.pem"
! fps "$STORE/intermediates.pem" | qgrep -x "$ROOT_FP" || fail "the root is in intermediates.pem"
note "intermediates.pem: $(fps "$STORE/intermediates.pem" | wc -l) certificate(s), the test intermediate among them"
[ "$(cq "[x['result'] for x in items('(trust anchors)') if 'CN=AIA' in x['reason'] and 'self-signed' in x['reason']]")" = '["warned"]' ] ||
	fail "the stray self-signed certificate is not reported: $(cq "items('(trust anchors)')")"
[ "$(ran)" = 1 ] || fail "the trust command ran $(ran) times, want 1"
[ "$(cq 'd["trust_changed"]')" = true ] || fail "trust_changed is not true after a successful command"

# --- the trust command fails --------------------------------------------------
echo 1 > "$CMDRC"
rm -f "$anchors"	# an anchor to put back: something for the command to do
cycle
expect_rc_in 8
[ -f "$anchors" ] || fail "the root's anchor file was not written again"
msg="trust command '$CMD' failed: exit 1; the anchors will be offered again on the next run"
[ "$(cq "[x['result'] for x in items('(trust anchors)') if x['reason'] == \"$msg\"]")" = '["failed"]' ] ||
	fail "no failed item '$msg': $(cq "items('(trust anchors)')")"
[ "$(cq 'd["trust_changed"]')" = false ] || fail "trust_changed is true although the command failed"
[ "$(ran)" = 2 ] || fail "the trust command ran $(ran) times, want 2"
note "failing command: exit 8, reported"

cycle
expect_rc_in 8
[ "$(ran)" = 3 ] || fail "nothing changed in AD and the failed command was not run again ($(ran) runs, want 3)"
note "the next run offered the anchors again (and failed again)"

echo 0 > "$CMDRC"
cycle
expect_rc_in 0 3
[ "$(ran)" = 4 ] || fail "the trust command ran $(ran) times, want 4"
[ "$(cq 'd["trust_changed"]')" = true ] || fail "trust_changed is not true after the command succeeded"
[ "$(cq "[x for x in items('(trust anchors)') if x['result'] == 'failed']")" = '[]' ] ||
	fail "a failed trust item after the command succeeded: $(cq "items('(trust anchors)')")"
cycle
expect_rc_in 0 3
[ "$(ran)" = 4 ] || fail "the command ran again with nothing to do ($(ran) runs)"
note "succeeded once, then not run again"
pass
