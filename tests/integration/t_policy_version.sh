#!/bin/bash
# The GPO cache follows versionNumber, as the Windows client does: a GPO
# "PB Version" (AEPolicy 3) linked at the domain with link order 1 (it wins
# over the lab's GPO).
#   1. a call with the version unchanged reads nothing over SMB
#      (counts.smb_reads == 0, gpo_cache_hits > 0);
#   2. Registry.pol changed in SYSVOL (AEPolicy 1) but the version NOT
#      bumped: still no SMB read, the cached value 3 (nothing told the
#      client to look);
#   3. the version bumped as GPMC does (versionNumber machine part and
#      GPT.INI): the next call fetches it (smb_reads > 0) and shows AEPolicy
#      1 and the new version;
#   4. unchanged again: smb_reads == 0.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
need_policy

adm gpo-create "PB Version" 3
G=$ADM_OUT
SRC="PB Version $G"
on_exit "$ADLAB" admin gpo-delete "$G"
adm gpo-link "$G" domain --top

policy # fills the cache (the GPO is new to it)
expect_q 'aep()["value"]' 3 "AEPolicy of PB Version"
expect_q 'aep()["source"]' "$SRC" "AEPolicy source"
expect_q 'gpo("PB Version")["version"]' 1 "PB Version's version"

note "1. version unchanged"
policy
expect_q 'aep()["value"]' 3 "AEPolicy (cached)"
expect_q 'd["counts"]["smb_reads"]' 0 "SMB reads with no version change"
expect_true 'd["counts"]["gpo_cache_hits"] > 0' "gpo_cache_hits must be > 0 with no version change"

note "2. Registry.pol changed in SYSVOL, version not bumped"
/usr/bin/python3 "$SRCDIR/tests/lab/make-registry-pol.py" "$WORK/$NAME/aep1.pol" 1 > /dev/null
adm gpo-put "$G" "$WORK/$NAME/aep1.pol"
policy
expect_q 'd["counts"]["smb_reads"]' 0 "SMB reads with SYSVOL changed but no version change"
expect_q 'aep()["value"]' 3 "AEPolicy with SYSVOL changed but no version change (cached)"

note "3. version bumped"
adm gpo-bump "$G"
V=$ADM_OUT
adm gpo-version "$G"
policy
expect_true 'd["counts"]["smb_reads"] > 0' "the changed GPO must be read again over SMB"
expect_q 'aep()["value"]' 1 "AEPolicy after the version bump"
expect_q 'aep()["source"]' "$SRC" "AEPolicy source after the bump"
expect_q 'gpo("PB Version")["version_number"]' "$V" "versionNumber after the bump"
expect_q 'gpo("PB Version")["version"]' $((V & 0xFFFF)) "machine version after the bump"

note "4. unchanged again"
policy
expect_q 'd["counts"]["smb_reads"]' 0 "SMB reads after the bump, unchanged"
expect_true 'd["counts"]["gpo_cache_hits"] > 0' "gpo_cache_hits must be > 0"
expect_q 'aep()["value"]' 1 "AEPolicy (cached after the bump)"
pass
