#!/bin/bash
# Issue I, a hung DC: SMB (SYSVOL) does not answer (the DC's smbd stopped;
# KDC and LDAP answer). The GPT.INI read waits at most autoenroll:network
# timeout, names the file, the DC and the timeout; the GPO's settings then
# come from the last good policy ([MS-GPOL] 3.2.5.1: a GPO that cannot be
# read does not change the policy), so the cycle is a normal one: its exit
# is the same as the run before (not 5: the DC is reachable, only SYSVOL is
# not, and nothing about the policy is lost). Within the bound (the wrapper
# allows 60 s). After SIGCONT the next run reads SYSVOL again.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hang-lib.sh"
cc="$WORK/$NAME/ccache"
store=$(out_dir store)
mkdir -p "$WORK/$NAME"
prime_ccache "$cc"
ae --option "autoenroll:dc=dc1.lab.example.com" --option "autoenroll:store dir=$store" \
	--ccache "FILE:$cc" run
before=$AE_RC
case $before in 0 | 3) ;; *) fail "the run before the hang exited $before" ;; esac
hang_stop smbd
AE_TIMEOUT=60 ae --option "autoenroll:dc=dc1.lab.example.com" --option "autoenroll:store dir=$store" \
	--option "autoenroll:network timeout=$HANG_TIMEOUT" --ccache "FILE:$cc" run
[ "$AE_RC" != 124 ] || fail "the run did not end within 60 s"
expect_rc "$before"
expect_output "SMB open //dc1\.lab\.example\.com/sysvol/.*/GPT\.INI: no answer within $HANG_TIMEOUT s" \
	"the SMB read, the DC and the timeout"
hang_continue
ae --option "autoenroll:dc=dc1.lab.example.com" --option "autoenroll:store dir=$store" \
	--ccache "FILE:$cc" run
expect_rc "$before"
grep -q "no answer within" <<< "$AE_ALL" && fail "SYSVOL still not read after SIGCONT"
pass
