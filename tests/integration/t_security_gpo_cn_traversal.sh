#!/bin/bash
# A GPO's cn never becomes a path (security finding E1). A GPO creator makes
# a groupPolicyContainer whose cn is a relative path,
#   ../../../../../../../../../..<scratch>/escape/x
# (Samba 4.17 accepts it), pointing at a real GPO's SYSVOL folder (whose
# Machine/Registry.pol the old code fetched and wrote to
# <cache dir>/autoenroll/gpo/<cn>-1.pol, i.e. <scratch>/escape/x-1.pol), and
# links it at the domain with link order 1.
#   1. `autoenroll policy --json`: exit 0; errors[] names the object by its DN
#      with attribute cn and "skipped"; it is not among the applied GPOs; the
#      lab GPO's AEPolicy 7 still applies;
#   2. `autoenroll run` (own store): names the skipped GPO on stderr;
#   3. after both, <scratch>/escape is still empty, and the member's GPO
#      cache holds only names made of a {GUID}.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
. "$(dirname "$0")/cycle/lib.sh"
need_policy

ESC=$WORK/$NAME/escape
rm -rf "$ESC"
mkdir -p "$ESC"
CN="../../../../../../../../../..$ESC/x"

adm gpo-create "PB Traversal Source" 3
G=$ADM_OUT
on_exit "$ADLAB" admin gpo-delete "$G"
adm gpc-add "$CN" "$G" "PB Traversal"
DN=$ADM_OUT
on_exit "$ADLAB" admin gpc-delete "$DN"
adm gpc-link "$DN" domain
on_exit "$ADLAB" admin gpc-unlink "$DN" domain
note "GPC $DN"

escaped() { find "$ESC" -mindepth 1 | head -n 5 | tr '\n' ' '; }

note "1. policy"
policy
[ -z "$(escaped)" ] || fail "policy wrote outside the GPO cache: $(escaped)"
note "   errors: $(q 'd["errors"]')"
expect_true "bool([e for e in d['errors'] if str(e.get('object')).lower() == '''${DN,,}'''
	and e.get('attribute') == 'cn' and 'skipped' in str(e.get('message'))])" \
	"errors[] must name $DN (attribute cn) as skipped"
expect_true "'PB Traversal' not in gpos()" "the GPO with a path as cn must not be applied"
expect_q 'aep()["value"]' 7 "AEPolicy beside the skipped GPO"

note "2. run"
cyc_store run
cycle
expect_output "GPO $DN: cn is not a \{GUID\}; the GPO is skipped" "the skipped GPO (by DN)"
[ -z "$(escaped)" ] || fail "run wrote outside the GPO cache: $(escaped)"

note "3. the cache"
bad=$(find "$LAB/member/cache/autoenroll/gpo" -mindepth 1 -printf '%f\n' |
	grep -vE '^(\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}-[0-9]+-[0-9]+\.(pol|none)|last-good)$' |
	head -n 5 | tr '\n' ' ')
[ -z "$bad" ] || fail "unexpected names in the GPO cache: $bad"
pass
