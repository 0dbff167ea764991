#!/bin/bash
# Issue I, a hung DC: LDAP does not answer. With the service tickets
# already in the ccache (prime_ccache) no KDC exchange comes first: the
# SASL GSSAPI bind is the step that waits, at most autoenroll:network
# timeout. Exit 5, the bind, the DC and the timeout named, within the bound
# (DNS of this host's own name: <= 2 lookups x 5 s in the lab, the bind 5 s;
# the wrapper allows 60 s). After SIGCONT the same run reads the policy.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hang-lib.sh"
cc="$WORK/$NAME/ccache"
mkdir -p "$WORK/$NAME"
prime_ccache "$cc"
hang_stop samba
AE_TIMEOUT=60 ae --option "autoenroll:dc=dc1.lab.example.com" \
	--option "autoenroll:network timeout=$HANG_TIMEOUT" --ccache "FILE:$cc" policy
[ "$AE_RC" != 124 ] || fail "the run did not end within 60 s"
expect_rc 5
expect_output "LDAP SASL GSSAPI bind on dc1\.lab\.example\.com: no answer within $HANG_TIMEOUT s" \
	"the LDAP bind, the DC and the timeout"
hang_continue
ae --option "autoenroll:dc=dc1.lab.example.com" --ccache "FILE:$cc" policy
expect_rc 0
pass
