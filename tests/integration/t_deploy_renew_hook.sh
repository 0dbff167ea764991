#!/bin/bash
# Deploy target and hooks for LabMachine (autoenroll:deploy, autoenroll:hooks
# dir), structured journal entries through the test seam AE_TEST_JOURNAL
# (the lab has no journald):
#   1. enroll: the target holds the store's key (nobody:nogroup 0640) and
#      certificate, chain, full chain (0644); the hook saw AE_ACTION=install;
#   2. renewal (AE_TEST_NOW +330 days) with a hook that fails: the run
#      keeps its exit code (0, or 3 for the lab's LabPending template that
#      the CA holds), the item says hook/renew/warned, the target holds
#      the NEW key and certificate with the owner and mode asked for, the
#      hook saw AE_ACTION=renew, the store and target paths and the new
#      serial; the store keeps a hooks record; the journal entries carry
#      MESSAGE_ID, TEMPLATE, CA, SERIAL, ACTION;
#   3. next cycle (nothing to renew): the hook runs again (renew) and now
#      succeeds; the record goes; the target is not rewritten;
#   4. next cycle: nothing runs and nothing is written;
#   5. a target file deleted by hand: written again, the hook sees install;
#   6. the target directory writable by others: refused and named (exit 8),
#      no hook; made root's alone again: written, the hook sees install.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
. "$(dirname "$0")/cycle/lib.sh"

cyc_store deploy
D=$WORK/$NAME/svc
TGT=$D/tls
HOOKS=$D/hooks.d
SEEN=$D/seen
J=$D/journal
[ -n "$WORK" ] && [ -n "$NAME" ] || fail "no WORK/NAME"
rm -rf "$D"
mkdir -p "$TGT" "$HOOKS" "$SEEN"
chmod 0755 "$D" "$TGT" "$HOOKS" "$SEEN"
{
	echo '#!/bin/sh'
	echo "# test hook: what it saw, one file per run; fails while $D/fail exists"
	echo "n=\$(ls '$SEEN' | wc -l)"
	echo "env | grep '^AE_' | sort > '$SEEN/run.'\$((n + 1))"
	echo "echo \"hook run \$((n + 1)): \$AE_ACTION \$AE_TEMPLATE\""
	echo "if [ -e '$D/fail' ]; then echo 'reload of web.service failed (test)' >&2; exit 1; fi"
} > "$HOOKS/50-record"
chmod 0755 "$HOOKS/50-record"
printf '\tautoenroll:deploy LabMachine = key=%s cert=%s chain=%s fullchain=%s owner=nobody group=nogroup mode=0640\n\tautoenroll:hooks dir = %s\n' \
	"$TGT/m.key" "$TGT/m.crt" "$TGT/m.chain.pem" "$TGT/m.full.pem" "$HOOKS" >> "$CONF"

runs() { find "$SEEN" -name 'run.*' | wc -l; }
seen() { # N VAR: the value VAR had in hook run N
	sed -n "s/^$2=//p" "$SEEN/run.$1" 2> /dev/null
}
owner_mode() { stat -c '%U:%G %a' "$1" 2> /dev/null; }
expect_target() { # the target holds the store's installed pair, as asked
	cmp -s "$TGT/m.key" "$STORE/LabMachine.key" || fail "target key differs from the store's"
	cmp -s "$TGT/m.crt" "$STORE/LabMachine.crt" || fail "target cert differs from the store's"
	cmp -s "$TGT/m.chain.pem" "$STORE/LabMachine.chain.pem" || fail "target chain differs"
	cat "$STORE/LabMachine.crt" "$STORE/LabMachine.chain.pem" | cmp -s - "$TGT/m.full.pem" ||
		fail "target full chain is not cert + chain"
	[ "$(pub_of_cert "$TGT/m.crt")" = "$(pub_of_key "$TGT/m.key")" ] ||
		fail "target key is not the target certificate's"
	[ "$(owner_mode "$TGT/m.key")" = "nobody:nogroup 640" ] ||
		fail "target key is $(owner_mode "$TGT/m.key"), want nobody:nogroup 640"
	[ "$(owner_mode "$TGT/m.crt")" = "nobody:nogroup 644" ] ||
		fail "target cert is $(owner_mode "$TGT/m.crt"), want nobody:nogroup 644"
}

# 1. enroll
cycle AE_TEST_JOURNAL="$J"
expect_rc_in 0 3
expect_item LabMachine enroll no-certificate "done"
expect_item LabMachine deploy target "done"
expect_item LabMachine hook install "done"
expect_target
[ "$(runs)" = 1 ] || fail "after the enrollment the hook ran $(runs) times, want 1"
[ "$(seen 1 AE_ACTION)" = install ] || fail "hook run 1: AE_ACTION=$(seen 1 AE_ACTION)"
old=$(serial_of "$STORE/LabMachine.crt")
note "enrolled $old; target key $(owner_mode "$TGT/m.key"), the hook saw install"

# 2. renewal, the hook fails
touch "$D/fail"
cycle AE_TEST_JOURNAL="$J" AE_TEST_NOW=+$((330 * 86400))
expect_rc_in 0 3
expect_item LabMachine renew renewal-due "done"
expect_item LabMachine deploy target "done"
expect_item LabMachine hook renew warned
new=$(serial_of "$STORE/LabMachine.crt")
[ "$new" != "$old" ] || fail "no renewal: serial still $old"
expect_target
[ "$(serial_of "$TGT/m.crt")" = "$new" ] ||
	fail "target cert serial $(serial_of "$TGT/m.crt"), want $new"
[ "$(runs)" = 2 ] || fail "after the renewal the hook ran $(runs) times in all, want 2"
[ "$(seen 2 AE_ACTION)" = renew ] || fail "hook run 2: AE_ACTION=$(seen 2 AE_ACTION)"
[ "$(seen 2 AE_TEMPLATE)" = LabMachine ] || fail "hook run 2: AE_TEMPLATE=$(seen 2 AE_TEMPLATE)"
[ "$(seen 2 AE_CERT)" = "$STORE/LabMachine.crt" ] || fail "hook run 2: AE_CERT=$(seen 2 AE_CERT)"
[ "$(seen 2 AE_KEY)" = "$STORE/LabMachine.key" ] || fail "hook run 2: AE_KEY=$(seen 2 AE_KEY)"
[ "$(seen 2 AE_DEPLOY_KEY)" = "$TGT/m.key" ] ||
	fail "hook run 2: AE_DEPLOY_KEY=$(seen 2 AE_DEPLOY_KEY)"
[ "$(seen 2 AE_DEPLOY_FULLCHAIN)" = "$TGT/m.full.pem" ] ||
	fail "hook run 2: AE_DEPLOY_FULLCHAIN=$(seen 2 AE_DEPLOY_FULLCHAIN)"
[ "$(canon_serial "$(seen 2 AE_SERIAL)")" = "$new" ] ||
	fail "hook run 2: AE_SERIAL=$(seen 2 AE_SERIAL), want $new"
[ -n "$(seen 2 AE_NOT_AFTER)" ] || fail "hook run 2: no AE_NOT_AFTER"
grep -q '^action=renew$' "$STORE/LabMachine.hooks" 2> /dev/null ||
	fail "the store has no hooks record after the failed hook"
reason=$(cq '[x["reason"] for x in items("LabMachine") if x["action"] == "hook"][0]')
[[ $reason == *"exited 1"*"reload of web.service failed (test)"* ]] ||
	fail "the hook item does not say how it failed: $reason"
note "renewed $old -> $new; the failed hook was reported: $reason"
# the journal entries (what sd_journal_sendv would get)
entry=$(awk -v RS= '/MESSAGE_ID=fe4eb259874b40edb7d91ea3d00686bc/ && /ACTION=renew/' "$J")
[ -n "$entry" ] || fail "journal: no issued entry for the renewal in $J"
grep -qx 'TEMPLATE=LabMachine' <<< "$entry" || fail "journal: renewal entry without TEMPLATE"
grep -q '^CA=.' <<< "$entry" || fail "journal: renewal entry without CA"
[ "$(canon_serial "$(sed -n 's/^SERIAL=//p' <<< "$entry")")" = "$new" ] ||
	fail "journal: the renewal entry's SERIAL is not $new: $entry"
awk -v RS= '/MESSAGE_ID=f2d5b891fded491d8d0175cb8bb10c36/ && /TEMPLATE=LabMachine/' "$J" |
	qgrep 'RESULT=warned' || fail "journal: no hook-failed entry for LabMachine"
awk -v RS= '/MESSAGE_ID=93cf920f522546aabcbe14a78ce623e6/' "$J" | qgrep 'TEMPLATE=LabMachine' ||
	fail "journal: no deployed entry for LabMachine"
note "journal: issued, deployed and hook-failed entries with TEMPLATE, CA, SERIAL, ACTION"

# 3. the next cycle retries the hook (and it succeeds); nothing is rewritten
rm -f "$D/fail"
ino=$(stat -c %i "$TGT/m.crt")
kino=$(stat -c %i "$TGT/m.key")
cycle AE_TEST_JOURNAL="$J"
expect_rc_in 0 3
expect_item LabMachine skip valid skipped
expect_item LabMachine hook renew "done"
[ "$(runs)" = 3 ] || fail "the retry: the hook ran $(runs) times in all, want 3"
[ "$(seen 3 AE_ACTION)" = renew ] || fail "hook run 3 (retry): AE_ACTION=$(seen 3 AE_ACTION)"
[ ! -e "$STORE/LabMachine.hooks" ] || fail "the hooks record stays after the hook succeeded"
[ "$(stat -c %i "$TGT/m.crt")" = "$ino" ] || fail "the target was rewritten with nothing new"
[ "$(cq '[x for x in items("LabMachine") if x["action"] == "deploy"]')" = "[]" ] ||
	fail "a deploy item with nothing new"

# 4. nothing new: nothing runs, nothing is written
cycle AE_TEST_JOURNAL="$J"
expect_rc_in 0 3
[ "$(runs)" = 3 ] || fail "a cycle with nothing new ran the hook (runs: $(runs))"
[ "$(stat -c %i "$TGT/m.crt")" = "$ino" ] && [ "$(stat -c %i "$TGT/m.key")" = "$kino" ] ||
	fail "a cycle with nothing new rewrote the target"
[ ! -e "$STORE/LabMachine.hooks" ] || fail "a hooks record appeared with nothing new"
note "retried once (renew, then ok); a cycle with nothing new ran and wrote nothing"

# 5. a target file removed by hand comes back; the hook hears "install"
rm -f "$TGT/m.crt"
cycle AE_TEST_JOURNAL="$J"
expect_rc_in 0 3
expect_item LabMachine deploy target "done"
expect_item LabMachine hook install "done"
expect_target
[ "$(seen 4 AE_ACTION)" = install ] || fail "hook run 4: AE_ACTION=$(seen 4 AE_ACTION)"
note "a deleted target file was written again; the hook saw install"

# 6. a target directory others may write: refused and named (exit 8), nothing
#    written there, no hook; once it is root's alone again: written, install
chmod 0757 "$TGT"
rm -f "$TGT/m.crt"
cycle AE_TEST_JOURNAL="$J"
expect_rc_in 8
expect_item LabMachine deploy target failed
reason=$(cq '[x["reason"] for x in items("LabMachine") if x["action"] == "deploy"][0]')
[[ $reason == *"$TGT "*"another user controls"* ]] ||
	fail "the refusal does not name the directory: $reason"
[ ! -e "$TGT/m.crt" ] || fail "written into a directory others may write"
[ "$(runs)" = 4 ] || fail "a hook ran although the target was not written (runs: $(runs))"
awk -v RS= '/MESSAGE_ID=d35c19bce6b6433da4beb3de11c42cf7/' "$J" | qgrep 'TEMPLATE=LabMachine' ||
	fail "journal: no deploy-failed entry for LabMachine"
note "refused: $reason"
chmod 0755 "$TGT"
cycle AE_TEST_JOURNAL="$J"
expect_rc_in 0 3
expect_item LabMachine deploy target "done"
expect_item LabMachine hook install "done"
expect_target
[ "$(runs)" = 5 ] || fail "after the fix the hook ran $(runs) times in all, want 5"
pass
