#!/bin/bash
# smb.conf's values without Samba's loadparm (transport/ae_smbconf.h,
# engine/ae_smbconf_snap.h). From a steady store (the no-op memo written):
#   1. the no-op run takes smb.conf's values from its snapshot in
#      /run/samba-autoenroll and maps no library of Samba's: the dynamic
#      loader's log (LD_DEBUG=libs) names neither libsamba-hostconfig nor
#      libsamba-util; still the fast path;
#   2. an option added to smb.conf is seen by the very next run (loadparm
#      again: the unknown-option warning names it, the memo's configuration
#      digest changed: a full read), and the run after takes the new values
#      from the new snapshot (the warning again, no loadparm);
#   3. the snapshot overwritten with garbage: the run loads smb.conf, does
#      the same, and writes a good snapshot again;
#   4. LabMachine's renewal time (AE_TEST_NOW) in a run whose values came
#      from the snapshot: MS-ICPR loads loadparm when it needs it, the
#      renewal is issued;
#   5. an smb.conf with an include: loadparm every run, no snapshot, and a
#      change in the included file is seen by the next run;
#   6. the snapshot directory open to group and others (0755): not used,
#      loadparm every run, and -d 3 says why.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
. "$(dirname "$0")/cycle/lib.sh"
. "$(dirname "$0")/noop/lib.sh"

SNAPDIR=/run/samba-autoenroll
LDD=$WORK/$NAME/ld

snapshot() { grep -lx "configfile $CONF" "$SNAPDIR"/smbconf-* 2> /dev/null | head -n 1; }

# cycle_ld: one run with the dynamic loader's log; LIBS = the Samba libraries it loaded
cycle_ld() {
	rm -f "$LDD".*
	cycle LD_DEBUG=libs LD_DEBUG_OUTPUT="$LDD" "$@"
	LIBS=$(cat "$LDD".* 2> /dev/null | grep -oE 'libsamba-(hostconfig|util)\.so[.0-9]*' |
		sort -u | paste -sd ' ')
}

cyc_store snap
noop_steady
CYCLE_DEBUG=3 cycle_ld
expect_noop
S=$(snapshot)
[ -n "$S" ] || fail "no snapshot in $SNAPDIR names $CONF"
[ "$(stat -c %a "$S")" = 600 ] && [ "$(stat -c %a "$SNAPDIR")" = 700 ] ||
	fail "snapshot $S: mode $(stat -c %a "$S"), directory $(stat -c %a "$SNAPDIR"); want 600 and 700"

note "1. the no-op maps no Samba library"
expect_output "values from the snapshot $S" "the snapshot used"
[ -z "$LIBS" ] || fail "the no-op loaded $LIBS"
[ -n "$(cat "$LDD".* 2> /dev/null)" ] || fail "LD_DEBUG wrote nothing to $LDD.*: the check proves nothing"

note "2. smb.conf changed: seen by the next run"
printf '\tautoenroll:snapshot probe = 1\n' >> "$CONF"
cycle_ld
expect_output "unknown option 'autoenroll:snapshot probe'" "the new option"
expect_full "smb.conf changed"
[ -n "$LIBS" ] || fail "smb.conf changed, but loadparm was not loaded"
noop_steady
cycle_ld
expect_noop
expect_output "unknown option 'autoenroll:snapshot probe'" "the new option, from the snapshot"
[ -z "$LIBS" ] || fail "the no-op after the change loaded $LIBS"

note "3. the snapshot garbled"
S=$(snapshot)
printf 'garbage\n' > "$S"
CYCLE_DEBUG=3 cycle_ld
expect_rc 0
expect_output "snapshot $S cannot be read" "the garbled snapshot"
[ -n "$LIBS" ] || fail "garbled snapshot, but loadparm was not loaded"
[ "$(head -n 1 "$S")" = "samba-autoenroll smb.conf snapshot 1" ] ||
	fail "the snapshot was not written again: $(head -c 80 "$S")"
cycle_ld
expect_noop
[ -z "$LIBS" ] || fail "the no-op after the garbled snapshot loaded $LIBS"

note "4. a renewal from the snapshot's values"
cycle_ld AE_TEST_NOW=+$((330 * 86400))
expect_item LabMachine renew renewal-due "done"
[ -n "$LIBS" ] || fail "MS-ICPR ran without loadparm?"
noop_steady

note "5. an include: loadparm every run"
INC=$WORK/$NAME/inc.conf
printf '[global]\n\tautoenroll:included probe = 1\n' > "$INC"
printf '\tinclude = %s\n' "$INC" >> "$CONF"
CYCLE_DEBUG=3 cycle_ld
expect_output "unknown option 'autoenroll:included probe'" "the included option"
expect_output "has an include, config file or config backend: no snapshot" "why there is no snapshot"
[ -z "$(snapshot)" ] || fail "a snapshot for an smb.conf with an include: $(snapshot)"
noop_steady
cycle_ld
[ -n "$LIBS" ] || fail "smb.conf with an include, but loadparm was not loaded"
printf '[global]\n\tautoenroll:included probe2 = 1\n' > "$INC"
cycle
expect_output "unknown option 'autoenroll:included probe2'" "the included file's change"

note "6. the snapshot directory open to others"
sed -i "\#include = $INC#d" "$CONF"
noop_steady
ON_EXIT+=("chmod 700 $SNAPDIR")
chmod 755 "$SNAPDIR"
CYCLE_DEBUG=3 cycle_ld
expect_rc 0
expect_output "no smb.conf snapshot: $SNAPDIR: group or others have access \\(it must be 0700\\): not used" \
	"why the snapshot directory is not used"
[ -n "$LIBS" ] || fail "snapshot directory mode 755, but loadparm was not loaded"
chmod 700 "$SNAPDIR"
pass
