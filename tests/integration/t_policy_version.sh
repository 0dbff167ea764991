#!/bin/bash
# The GPO cache follows both versions, the GPC's versionNumber and GPT.INI's
# Version ([MS-GPOL] 3.2.1.4), as the Windows client does: a GPO "PB
# Version" (AEPolicy 3) linked at the domain with link order 1 (it wins over
# the lab's GPO). An unchanged GPO costs one small SMB read (its GPT.INI):
# N = the applied GPOs with a machine version.
#   1. a call with the versions unchanged reads GPT.INI only
#      (counts.smb_reads == N, gpo_cache_hits == N);
#   2. Registry.pol changed in SYSVOL (AEPolicy 1) but no version bumped:
#      still only GPT.INI read, the cached value 3 (nothing told the client
#      to look);
#   3. the version bumped as GPMC does (versionNumber machine part and
#      GPT.INI): the next call fetches it (smb_reads == N + 1) and shows
#      AEPolicy 1 and the new version;
#   4. unchanged again: smb_reads == N;
#   5. GPT.INI alone bumped (SYSVOL ahead of the GPC) with AEPolicy 5 in
#      Registry.pol: read again (smb_reads == N + 1), AEPolicy 5.
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
N=$(q 'len([g for g in d["gpos"]["applied"] if g["version"] > 0])')
note "   $N applied GPO(s) with a machine version"
expect_q 'd["counts"]["smb_reads"]' "$N" "SMB reads (GPT.INI only) with no version change"
expect_q 'd["counts"]["gpo_cache_hits"]' "$N" "gpo_cache_hits with no version change"

note "2. Registry.pol changed in SYSVOL, version not bumped"
/usr/bin/python3 "$SRCDIR/tests/lab/make-registry-pol.py" "$WORK/$NAME/aep1.pol" 1 > /dev/null
adm gpo-put "$G" "$WORK/$NAME/aep1.pol"
policy
expect_q 'd["counts"]["smb_reads"]' "$N" "SMB reads with SYSVOL changed but no version change"
expect_q 'aep()["value"]' 3 "AEPolicy with SYSVOL changed but no version change (cached)"

note "3. version bumped"
adm gpo-bump "$G"
V=$ADM_OUT
adm gpo-version "$G"
policy
expect_q 'd["counts"]["smb_reads"]' $((N + 1)) "the changed GPO must be read again over SMB"
expect_q 'aep()["value"]' 1 "AEPolicy after the version bump"
expect_q 'aep()["source"]' "$SRC" "AEPolicy source after the bump"
expect_q 'gpo("PB Version")["version_number"]' "$V" "versionNumber after the bump"
expect_q 'gpo("PB Version")["version"]' $((V & 0xFFFF)) "machine version after the bump"

note "4. unchanged again"
policy
expect_q 'd["counts"]["smb_reads"]' "$N" "SMB reads after the bump, unchanged"
expect_q 'd["counts"]["gpo_cache_hits"]' "$N" "gpo_cache_hits after the bump, unchanged"
expect_q 'aep()["value"]' 1 "AEPolicy (cached after the bump)"

note "5. GPT.INI alone bumped"
/usr/bin/python3 "$SRCDIR/tests/lab/make-registry-pol.py" "$WORK/$NAME/aep5.pol" 5 > /dev/null
adm gpo-put "$G" "$WORK/$NAME/aep5.pol"
adm gpt-set "$G" $((V + 1))
adm gpo-version "$G"
policy
expect_q 'd["counts"]["smb_reads"]' $((N + 1)) "a GPT.INI version change must read Registry.pol again"
expect_q 'aep()["value"]' 5 "AEPolicy after the GPT.INI bump"
expect_q 'gpo("PB Version")["version_number"]' "$V" "versionNumber unchanged"
pass
