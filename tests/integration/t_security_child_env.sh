#!/bin/bash
# E7: the trust command (and anything it starts) gets a clean environment,
# and the machine's ticket cache is private (kept between runs, issue I:
# krb5cc.machine) and no temporary krb5cc.<pid> outlives its run.
# A cycle on a store of its own with a fresh trust dir (so the anchors
# change) and autoenroll:trust command = a script that records what it got:
#   - its environment has no KRB5CCNAME (nor KRB5_CONFIG, nothing of ours):
#     exactly PATH=<fixed> and LANG=C (plus what /bin/sh adds itself);
#   - stdin is /dev/null, no socket of ours is open in it, and what it
#     prints is not on autoenroll's stdout (`run --json` stays one object);
#   - while it runs, the ticket cache is 0600 root in a 0700 root run dir;
#   - a krb5cc.<pid> of a dead process (a killed run) is gone after the run.
# Then the command fails (exit 3) after a change: the run exits 8 with an
# item naming the command and its status, trust_changed false; the next
# run, with nothing changed in AD, runs the command again (it is owed) and
# succeeds; the run after that does not run it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
. "$(dirname "$0")/cycle/lib.sh"

cyc_store env
D=$WORK/$NAME/env
TRUST=$D/trust
REC=$D/rec
RUNDIR=$LAB/member/cache/autoenroll
CMD=$D/trust-cmd.sh
# shellcheck disable=SC2016 # the script's own $1, $$ and $out
{
	echo '#!/bin/sh'
	echo '# what the trust command got (t_security_child_env.sh)'
	echo 'out=$1'
	echo 'echo run >> "$out.runs"'
	echo 'env > "$out.env"'
	echo 'readlink /proc/self/fd/0 > "$out.stdin"'
	echo 'ls -l /proc/$$/fd/ > "$out.fds" 2>&1'
	echo "for f in '$RUNDIR'/krb5cc.*; do stat -c '%a %U %n' \"\$f\"; done > \"\$out.ccache\""
	echo "stat -c '%a %U' '$RUNDIR' > \"\$out.rundir\""
	echo 'echo "trust command output on stdout"'
	echo 'echo "trust command output on stderr" >&2'
	echo '[ ! -e "$out.fail" ] || exit 3'
	echo 'exit 0'
} > "$CMD"
chmod 755 "$CMD"
printf '\tautoenroll:trust dir = %s\n\tautoenroll:trust command = %s %s\n' "$TRUST" "$CMD" \
	"$REC" >> "$CONF"

# a killed run's ticket cache: a pid that is no longer alive
sh -c 'exit 0' &
dead=$!
wait "$dead"
[ -d "$RUNDIR" ] || mkdir -m 700 "$RUNDIR"
stale=$RUNDIR/krb5cc.$dead
: > "$stale"
chmod 600 "$stale"
runs() { grep -c . "$REC.runs" 2> /dev/null || echo 0; }

# 1: the anchors change, the command runs
CYCLE_DEBUG=2 cycle
expect_rc_in 0 3
[ "$(runs)" = 1 ] || fail "the trust command ran $(runs) time(s), want 1"
note "its environment: $(tr '\n' ' ' < "$REC.env")"
! grep -q 'KRB5' "$REC.env" || fail "the trust command inherited: $(grep KRB5 "$REC.env")"
grep -qx 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' "$REC.env" ||
	fail "PATH is not the fixed one: $(grep '^PATH=' "$REC.env")"
grep -qx 'LANG=C' "$REC.env" || fail "no LANG=C"
extra=$(grep -vE '^(PATH|LANG|PWD|OLDPWD|SHLVL|_)=' "$REC.env" | tr '\n' ' ')
[ -z "$extra" ] || fail "the trust command's environment has more: $extra"
[ "$(cat "$REC.stdin")" = /dev/null ] || fail "stdin is $(cat "$REC.stdin")"
! grep -q 'socket:' "$REC.fds" || fail "a socket is open in the child: $(grep socket: "$REC.fds")"
! grep -q 'trust command output' <<< "$AE_STDOUT" || fail "the command's output is on stdout"
grep -q 'trust command output on stderr' <<< "$AE_STDERR" ||
	fail "the command's output is not in autoenroll's log"
note "ticket cache while it ran: $(cat "$REC.ccache"); run dir: $(cat "$REC.rundir")"
grep -qE "^600 root $RUNDIR/krb5cc\.machine$" "$REC.ccache" || fail "ticket cache: $(cat "$REC.ccache")"
[ "$(cat "$REC.rundir")" = "700 root" ] || fail "run dir: $(cat "$REC.rundir")"
[ ! -e "$stale" ] || fail "the stale $stale is still there"
left=$(find "$RUNDIR" -maxdepth 1 -name 'krb5cc.[0-9]*' -printf '%f ')
[ -z "$left" ] || fail "ticket caches left in $RUNDIR: $left"
[ "$(cq 'd["trust_changed"]')" = true ] || fail "trust_changed: $(cq 'd["trust_changed"]')"

# 2: a change, the command fails
touch "$REC.fail"
rm -f "$(ls "$TRUST"/autoenroll-*.crt | head -n 1)"
cycle
expect_rc 8
[ "$(runs)" = 2 ] || fail "the trust command ran $(runs) time(s), want 2"
expect_item "(trust anchors)" trust trust-store failed
cq '[x["reason"] for x in items("(trust anchors)")][0]' | qgrep "trust command .$CMD $REC. failed: exit 3; the anchors will be offered again" ||
	fail "the failure does not name the command and its status: $(cq 'items("(trust anchors)")')"
[ "$(cq 'd["trust_changed"]')" = false ] || fail "trust_changed true after a failed command"
[ ! -e "$TRUST/.autoenroll-synced" ] || fail "$TRUST/.autoenroll-synced says the failed command succeeded"

# 3: nothing changed in AD, but the command is owed: it runs again
rm -f "$REC.fail"
cycle
expect_rc_in 0 3
[ "$(runs)" = 3 ] || fail "the failed trust command was not retried (ran $(runs) time(s))"
[ -e "$TRUST/.autoenroll-synced" ] || fail "no $TRUST/.autoenroll-synced after the command succeeded"

# 4: nothing owed, nothing changed: not run
cycle
expect_rc_in 0 3
[ "$(runs)" = 3 ] || fail "the trust command ran with nothing changed"
pass
