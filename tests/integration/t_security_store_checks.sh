#!/bin/bash
# Findings E4 and E5 in the lab: the store directory is checked before it
# is used, and one bad entry does not stop the others.
# (1) A FIFO named LabMachine.state in a fresh store (before the fix,
#     `status` and `run` blocked in open(2) on it): `status` completes and
#     names the entry and its kind;
#     `run` completes (exit 0 or 3), its recovery notes name the entry and
#     say it is a FIFO, the FIFO is in quarantine/, and LabMachine is
#     enrolled all the same.
# (2) The same store chowned to nobody, with an `archive` symbolic link
#     planted pointing into a directory of that user's choosing, and the
#     clock 330 days ahead (so a run would renew and archive LabMachine):
#     `run` is refused with exit 8 and a message naming the store
#     directory and its owner; nothing in the store changed, nothing went
#     through the link.
# (3) The store's lock held by another process (this script, flock(1)) and
#     autoenroll:lock wait = 1: `run` gives up after a bounded wait with
#     exit 8 and "store lock held by another process ... for more than 1 s;
#     giving up" (before the fix it waited forever); with the lock free
#     again the next run completes.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
. "$(dirname "$0")/cycle/lib.sh"

cyc_store fifo
mkdir -m 0700 "$STORE"
mkfifo -m 0600 "$STORE/LabMachine.state"
cstatus
grep -q "LabMachine.state: a FIFO, not a regular file; skipped" "$WORK/$NAME/status.err" ||
	fail "status does not report the FIFO: $(tail -n 2 "$WORK/$NAME/status.err" | tr '\n' ' ')"
note "status with a FIFO LabMachine.state: completed, $(grep -o 'LabMachine.state: a FIFO.*' "$WORK/$NAME/status.err")"
cycle
expect_rc_in 0 3
notes=$(cq '"\n".join(d["recovery"])')
printf '%s\n' "$notes" | sed '/^$/d; s/^/      | recovery: /'
printf '%s\n' "$notes" | qgrep 'LabMachine.state is a FIFO, not a regular file; set aside as quarantine/LabMachine.state' ||
	fail "the recovery notes do not report the FIFO LabMachine.state: $notes"
[ -p "$STORE/quarantine/LabMachine.state" ] || fail "the FIFO is not in $STORE/quarantine/"
expect_item LabMachine enroll "" "done"
expect_issued "$STORE" LabMachine

# (2) a store owned by another user, with a planted archive/ link
elsewhere=$WORK/$NAME/elsewhere
mkdir -p "$elsewhere"
chown -R nobody:nogroup "$elsewhere"
rm -rf "$STORE/archive"
ln -s "$elsewhere" "$STORE/archive"
chown -h nobody:nogroup "$STORE/archive"
chown nobody:nogroup "$STORE"
before=$(cd "$STORE" && find . -printf '%p %y %s %T@\n' | sort)
o=$WORK/$NAME/other.out e=$WORK/$NAME/other.err
timeout -k 5 "$AE_TIMEOUT" env AE_TEST_NOW=+$((330 * 86400)) "$ADLAB" client "$AUTOENROLL" \
	-s "$CONF" run --json > "$o" 2> "$e" < /dev/null
rc=$?
note "store owned by nobody: autoenroll run --json -> exit $rc"
sed 's/^/      | /' "$e" | grep -v '^      | ldb: ' | tail -n 3
sanitizer_check "$e"
[ "$rc" = 8 ] || fail "run on a store owned by nobody exited $rc, want 8"
grep -q "store directory $STORE is owned by uid $(id -u nobody), not by uid 0" "$e" ||
	fail "no message naming the store directory and its owner: $(tail -n 2 "$e" | tr '\n' ' ')"
after=$(cd "$STORE" && find . -printf '%p %y %s %T@\n' | sort)
[ "$before" = "$after" ] || fail "the store changed: $(diff <(echo "$before") <(echo "$after") | tr '\n' ' ')"
[ -z "$(ls -A "$elsewhere")" ] || fail "files went through the planted link: $(ls -A "$elsewhere")"
chown root:root "$STORE"
rm "$STORE/archive"

# (3) the lock held by someone else: a bounded wait (autoenroll:lock wait = 1 s), then exit 8
printf '\tautoenroll:lock wait = 1\n' >> "$CONF"
exec {LK}> "$STORE/.lock"
flock -n "$LK" || fail "cannot take $STORE/.lock for the test"
echo $$ >&"$LK"
t0=$(date +%s)
timeout -k 5 "$AE_TIMEOUT" "$ADLAB" client "$AUTOENROLL" -s "$CONF" run --json > "$o" 2> "$e" < /dev/null
rc=$?
exec {LK}>&-
note "store lock held elsewhere: autoenroll run --json -> exit $rc after $(($(date +%s) - t0)) s"
grep -v '^ldb: ' "$e" | tail -n 2 | sed 's/^/      | /'
sanitizer_check "$e"
[ "$rc" = 8 ] || fail "run with the lock held elsewhere exited $rc, want 8"
grep -q "store lock held by another process.* for more than 1 s; giving up" "$e" ||
	fail "no message about the held lock: $(tail -n 2 "$e" | tr '\n' ' ')"
cycle
expect_rc_in 0 3
note "with the lock free again: run exits $AE_RC"
pass
