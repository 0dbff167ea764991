#!/bin/bash
# Issue F, Must show 7: with `autoenroll:user nssdb = yes`, alice's logon
# (real PAM: pam_winbind + pam_autoenroll.so, which starts
# `autoenroll run --user alice`) leaves LabUser's certificate and key in her
# shared NSS database, as NSS's own tools see it:
#   - `certutil -L -d sql:<db>` lists "LabUser (autoenroll)" as a user
#     certificate (u,u,u: its key is there), the same certificate as her
#     store's LabUser.crt; `certutil -K` lists its key; as many certificates
#     of ours as the store holds (alice also gets LabUserRoaming);
#   - the database (~/.local/share/pki/nssdb, or ~/.pki/nssdb where that
#     exists) belongs to alice, the directory 0700;
#   - a second logon with nothing new does not write the database;
#   - after a renewal (the clock seam, AE_TEST_NOW: a test-seams build) only
#     the new certificate and one key of ours are there.
# Needs issue F's other parts (the lab's users and user/lib.sh, `run --user`,
# pam_autoenroll.so): it fails at once, naming what is missing.
. "$(dirname "$0")/lib.sh"
for f in policy/lib.sh user/lib.sh; do
	[ -f "$(dirname "$0")/$f" ] || fail "tests/integration/$f is missing (issue F's lab helpers)"
done
W=$WORK/$NAME
mkdir -p "$W"
# the member's smb.conf with the option (user/lib.sh reads UCONF)
UCONF=$W/smb.conf
sed 's/^\[global\]$/[global]\n\tautoenroll:user nssdb = yes/' "$LAB/member/smb.conf" > "$UCONF"
grep -q 'autoenroll:user nssdb = yes' "$UCONF" || fail "could not write $UCONF"
. "$(dirname "$0")/policy/lib.sh"
. "$(dirname "$0")/user/lib.sh"
need_user_client
command -v certutil > /dev/null || fail "certutil not installed (libnss3-tools)"
T=LabUser
NICK="$T (autoenroll)"

pw=$("$ADLAB" logon getent passwd alice) || fail "getent passwd alice in the logon environment"
uid=$(cut -d: -f3 <<< "$pw")
gid=$(cut -d: -f4 <<< "$pw")
home=$(cut -d: -f6 <<< "$pw")
[ -n "$home" ] && [ "${home#"$LAB"/}" != "$home" ] || fail "alice's home '$home' is not in the lab"
# a fresh start: no store, no user cache, no NSS database of alice's
user_reset alice
rm -rf "$home/.pki" "$home/.local/share/pki"
on_exit pam_session none
on_exit user_reset alice
ae_wrapper "$UCONF"
# pam_autoenroll.so waits for the cycle (wait=): the logon returns with the result
pam_session wait=60

db_dir() {
	if [ -d "$home/.pki/nssdb" ]; then echo "$home/.pki/nssdb"; else echo "$home/.local/share/pki/nssdb"; fi
}
# NSS's tools as alice runs them (never root in her home)
ucertutil() { setpriv --reuid="$uid" --regid="$gid" --clear-groups certutil "$@"; }
# LabUser's certificates / keys in the database; all of ours; the store's certificates
ours_listed() { ucertutil -L -d "sql:$(db_dir)" 2> /dev/null | grep -cF "$NICK" || true; }
ours_keys() { ucertutil -K -d "sql:$(db_dir)" 2> /dev/null | grep -cF "$NICK" || true; }
all_ours() { ucertutil -L -d "sql:$(db_dir)" 2> /dev/null | grep -c "(autoenroll)" || true; }
store_certs() { find "$store" -maxdepth 1 -name '*.crt' | wc -l; }
fingerprint() { openssl x509 -noout -fingerprint -sha256 "$@" | cut -d= -f2; }
# the fingerprints certutil -L -n NICK prints: NSS gives every certificate with
# that nickname's subject (LabUser and LabUserRoaming share alice's subject)
db_fingerprints() {
	local pem=$W/nick.pem
	ucertutil -L -d "sql:$(db_dir)" -n "$NICK" -a > "$pem" 2> /dev/null || return 0
	awk -v d="$W/nick" '/BEGIN CERT/ { n++ } n { print > (d "." n ".pem") }' "$pem"
	for f in "$W"/nick.[0-9]*.pem; do
		[ -f "$f" ] && fingerprint -in "$f" && rm -f "$f"
	done
}
db_stamp() { stat -c '%Y.%y %s' "$(db_dir)/cert9.db" "$(db_dir)/key4.db" 2> /dev/null | tr '\n' ' '; }

# -- the logon ------------------------------------------------------------
logon alice
[ "$LOGON_RC" = 0 ] || fail "pamtester as alice: exit $LOGON_RC: $(tail -n 2 <<< "$LOGON_OUT" | tr '\n' ' ')"
wait_run_end alice 1
store=$(user_store alice)
[ -s "$store/$T.crt" ] || fail "no $T.crt in alice's store $store: $(tail -n 3 "$W/ae-alice.log" 2> /dev/null)"
# the wrapper logs the end after autoenroll exited: the database is complete now
db=$(db_dir)
[ -s "$db/cert9.db" ] && [ -s "$db/key4.db" ] ||
	fail "no NSS database in $db after the logon: $(grep -i nss "$W/ae-alice.log" | tail -n 2)"
note "NSS database $db"
L=$(ucertutil -L -d "sql:$db" 2>&1) || fail "certutil -L -d sql:$db: $L"
printf '%s\n' "$L" | sed 's/^/      | /'
printf '%s\n' "$L" | qgrep -E "^$T \(autoenroll\) +u,u,u" ||
	fail "certutil -L does not list '$NICK' as a user certificate (u,u,u)"
K=$(ucertutil -K -d "sql:$db" 2>&1) || fail "certutil -K -d sql:$db: $K"
printf '%s\n' "$K" | sed 's/^/      | /'
printf '%s\n' "$K" | qgrep -F "$NICK" || fail "certutil -K lists no key '$NICK'"
[ "$(ours_listed)" = 1 ] && [ "$(ours_keys)" = 1 ] ||
	fail "$(ours_listed) certificates and $(ours_keys) keys '$NICK', want 1 and 1"
[ "$(all_ours)" = "$(store_certs)" ] ||
	fail "$(all_ours) certificates of ours in the database, $(store_certs) in the store"
old=$(fingerprint -in "$store/$T.crt")
grep -qx "$old" <<< "$(db_fingerprints)" || fail "the database's '$NICK' is not the store's $T.crt"
note "'$NICK' in the NSS database is the store's $T.crt ($old)"
owner=$(stat -c '%u %a' "$db" "$db/cert9.db" "$db/key4.db" | tr '\n' ' ')
[ "$owner" = "$uid 700 $uid 600 $uid 600 " ] || fail "database owner/modes '$owner', want alice ($uid) 700/600/600"

# -- a second logon, nothing new: the database is not written -------------
before=$(db_stamp)
logon alice
[ "$LOGON_RC" = 0 ] || fail "second logon: exit $LOGON_RC"
wait_run_end alice 2
[ "$(db_stamp)" = "$before" ] || fail "a cycle with nothing new wrote the NSS database ($before -> $(db_stamp))"
note "second logon: the NSS database untouched"

# -- renewal: the clock past renew-at, alice's own ccache ------------------
keyid() { ucertutil -K -d "sql:$(db_dir)" 2> /dev/null | grep -F "$NICK" | awk '{print $(NF - 2)}'; }
oldkey=$(keyid)
end=$(date -d "$(openssl x509 -noout -enddate -in "$store/$T.crt" | cut -d= -f2)" +%s)
ahead=$(((end - $(date +%s)) * 97 / 100))
user_ae AE_TEST_NOW=+$ahead run --user alice --ccache "$(user_ccache alice)"
[ "$AE_RC" = 0 ] || fail "the renewal run: exit $AE_RC: $(tail -n 2 <<< "$AE_ALL" | tr '\n' ' ')"
new=$(fingerprint -in "$store/$T.crt")
[ "$new" != "$old" ] || fail "no renewal: $T.crt unchanged with the clock $ahead s ahead"
[ "$(ours_listed)" = 1 ] && [ "$(ours_keys)" = 1 ] ||
	fail "after the renewal $(ours_listed) certificates and $(ours_keys) keys '$NICK', want 1 and 1"
[ "$(all_ours)" = "$(store_certs)" ] ||
	fail "after the renewal $(all_ours) certificates of ours in the database, $(store_certs) in the store"
fps=$(db_fingerprints)
grep -qx "$new" <<< "$fps" || fail "after the renewal the database's '$NICK' is not the new $T.crt"
! grep -qx "$old" <<< "$fps" || fail "after the renewal the old $T certificate is still in the database"
[ -n "$(keyid)" ] && [ "$(keyid)" != "$oldkey" ] || fail "the key of '$NICK' is still $oldkey after the renewal"
printf '%s\n' "$AE_STDOUT" | qgrep -E '^\(nssdb\) +nssdb +done +NSS database' ||
	fail "the run's report has no '(nssdb) ... done' line for the database"
ucertutil -L -d "sql:$db" | grep -E "\(autoenroll\)" | sed 's/^/      | /'
note "after the renewal: only the new certificate ($new) and its key"
pass
