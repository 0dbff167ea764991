#!/bin/bash
# The waf build (issue H, Must show 5: "the waf build produces a working
# autoenroll from the same sources"). No lab traffic: it needs only the
# meson build under test ($BUILDDIR) to compare with.
#  1. tests/waf/get-waf.sh fetches Samba's waf from Debian 12's samba source
#     package with a private apt configuration (it checks that /etc/apt and
#     /var/lib/apt/lists are unchanged); cached in $AE_WAF_CACHE (default
#     $SRCDIR/build-cache/waf, kept across runs: tests/run only removes
#     build-test), so later runs download nothing;
#  2. `waf configure build` out of tree (nothing written into the checkout:
#     git status is the same before and after);
#  3. waf compiled exactly the .c files meson's product targets (those
#     defined under source/) list (meson introspect), and its ae_paths.h is
#     meson's byte for byte;
#  4. the waf-built autoenroll: `--help` is the meson-built one's (the same
#     commands), `config` runs and prints the same, `pol` decodes a
#     Registry.pol (tests/lab/make-registry-pol.py) with the same output;
#     pam_autoenroll.so exports pam_sm_open_session and pam_sm_close_session
#     only; certmonger-submit answers IDENTIFY like the meson-built one.
. "$(dirname "$0")/lib.sh"

W=$WORK/$NAME
rm -rf "$W"
mkdir -p "$W"
CACHE=${AE_WAF_CACHE:-$SRCDIR/build-cache/waf}
OUT=$W/build
MESON_AE=$BUILDDIR/source/cli/autoenroll
need_autoenroll

# -- 1. waf ----------------------------------------------------------------------
t0=$(date +%s.%N)
bash "$SRCDIR/tests/waf/get-waf.sh" "$CACHE" > "$W/get-waf.out" 2>&1 ||
	fail "tests/waf/get-waf.sh: $(tail -n 5 "$W/get-waf.out" | tr '\n' ' ')"
grep '^get-waf:' "$W/get-waf.out" | while read -r l; do note "$l"; done
note "get-waf.sh took $(printf '%.1f' "$(echo "$(date +%s.%N) - $t0" | bc)") s"
WAF=$CACHE/waf
[ -x "$WAF" ] || fail "get-waf.sh left no $WAF"

# -- 2. configure and build out of tree ------------------------------------------
git_state() { (cd "$SRCDIR" && git status --porcelain --ignored=matching 2> /dev/null) || true; }
before=$(git_state)
mkdir -p "$OUT"
t0=$(date +%s.%N)
# no lock file in the source tree (waf's NO_LOCK_IN_TOP and, as -t makes
# the source tree the run dir, NO_LOCK_IN_RUN): the one in the build dir
# lets `waf build` run there; -B in the wrapper: no __pycache__ in tools/
(cd "$OUT" && NO_LOCK_IN_TOP=1 NO_LOCK_IN_RUN=1 "$WAF" configure -t "$SRCDIR" -o "$OUT" &&
	"$WAF" build -j 2) > "$W/waf.out" 2>&1 < /dev/null ||
	fail "waf configure build: $(grep -E 'error|Error' "$W/waf.out" | head -n 3 | tr '\n' ' ')"
note "waf configure build took $(printf '%.1f' "$(echo "$(date +%s.%N) - $t0" | bc)") s ($(grep -c '^\[.*Compiling' "$W/waf.out") compiles)"
after=$(git_state)
[ "$before" = "$after" ] || fail "waf wrote into the checkout: $(diff <(echo "$before") <(echo "$after") | tail -n +2 | head -n 3 | tr '\n' ' ')"
for f in source/cli/autoenroll source/certmonger/certmonger-submit source/pam/pam_autoenroll.so ae_paths.h \
	source/transport/ae-net.so source/transport/ae-web.so source/deploy/ae-nss.so; do
	[ -f "$OUT/$f" ] || fail "waf built no $f"
done
# the modules (source/util/ae_module.h) load into waf's programs as into meson's
/usr/bin/python3 -B "$SRCDIR/tests/layers/check_netmod.py" "$OUT/source/transport/ae-net.so" \
	"$OUT/source/transport/ae-web.so" "$OUT/source/deploy/ae-nss.so" -- \
	"$OUT/source/cli/autoenroll" "$OUT/source/certmonger/certmonger-submit" > "$W/netmod" 2>&1 ||
	fail "waf's modules and programs: $(head -n 3 "$W/netmod" | tr '\n' ' ')"
note "$(tail -n 1 "$W/netmod")"
WAF_AE=$OUT/source/cli/autoenroll

# -- 3. the same sources, the same generated header --------------------------------
meson introspect "$BUILDDIR" --targets > "$W/targets.json" || fail "meson introspect $BUILDDIR"
/usr/bin/python3 -B - "$W/targets.json" "$SRCDIR" > "$W/meson-srcs" << 'PY' || fail "reading meson's targets"
import json, os, sys
src = os.path.realpath(sys.argv[2])
out = set()
for t in json.load(open(sys.argv[1])):
    if not os.path.relpath(t['defined_in'], src).startswith('source/'):
        continue
    for s in t['target_sources']:
        for f in s.get('sources', []):
            out.add(os.path.relpath(f, src))
print('\n'.join(sorted(out)))
PY
# waf's objects: <source>.<tgen index>.o under the build dir
(cd "$OUT" && find source -name '*.c.*.o' | sed -E 's/\.[0-9]+\.o$//' | LC_ALL=C sort -u) > "$W/waf-srcs"
LC_ALL=C sort -o "$W/meson-srcs" "$W/meson-srcs"
[ -s "$W/meson-srcs" ] || fail "meson introspect listed no product sources"
diff -u "$W/meson-srcs" "$W/waf-srcs" > "$W/srcs.diff" ||
	fail "waf and meson compile different sources: $(grep '^[-+][^-+]' "$W/srcs.diff" | head -n 5 | tr '\n' ' ')"
note "the same $(wc -l < "$W/waf-srcs") source files as meson's product targets"
cmp -s "$BUILDDIR/ae_paths.h" "$OUT/ae_paths.h" ||
	fail "ae_paths.h differs: $(diff "$BUILDDIR/ae_paths.h" "$OUT/ae_paths.h" | head -n 4 | tr '\n' ' ')"
note "ae_paths.h: identical to meson's"

# -- 4. the programs work like meson's ---------------------------------------------
same() { # WHAT ARGS...: both builds' autoenroll, the same exit code and output
	local what=$1 m w
	shift
	"$MESON_AE" "$@" > "$W/m.$what" 2>&1 < /dev/null
	m=$?
	"$WAF_AE" "$@" > "$W/w.$what" 2>&1 < /dev/null
	w=$?
	[ "$m" = "$w" ] || fail "autoenroll $what: exit $w (waf) vs $m (meson)"
	diff -u "$W/m.$what" "$W/w.$what" > "$W/$what.diff" ||
		fail "autoenroll $what: output differs: $(grep '^[-+][^-+]' "$W/$what.diff" | head -n 3 | tr '\n' ' ')"
	note "autoenroll $* -> exit $w, $(wc -l < "$W/w.$what") lines, the same as meson's"
}
same help --help
[ "$(cat "$W/w.help")" != "" ] || fail "--help printed nothing"
cmds=$(sed -n '/^Commands:/,/^[^ C]/p' "$W/w.help" | grep -E '^  [a-z]' | awk '{print $1}' | tr '\n' ' ')
[ -n "$cmds" ] || fail "--help lists no commands"
note "commands: $cmds"

cat > "$W/smb.conf" << 'CONF'
[global]
	workgroup = WAFTEST
	realm = WAFTEST.EXAMPLE.COM
	security = ads
	autoenroll:key type = rsa:3072
CONF
same config -s "$W/smb.conf" config
grep -q 'rsa:3072' "$W/w.config" || fail "config does not show the smb.conf's key type"

/usr/bin/python3 -B "$SRCDIR/tests/lab/make-registry-pol.py" "$W/Registry.pol" 7 > /dev/null ||
	fail "make-registry-pol.py"
same pol pol "$W/Registry.pol"
grep -qi 'AEPolicy' "$W/w.pol" || fail "pol shows no AEPolicy"
same pol-json pol "$W/Registry.pol" --json

exports=$(nm -D --defined-only "$OUT/source/pam/pam_autoenroll.so" | awk '$2 == "T" {print $3}' | LC_ALL=C sort | tr '\n' ' ')
[ "$exports" = "pam_sm_close_session pam_sm_open_session " ] ||
	fail "pam_autoenroll.so exports: $exports"
note "pam_autoenroll.so exports: $exports"

M_CM=$BUILDDIR/source/certmonger/certmonger-submit
W_CM=$OUT/source/certmonger/certmonger-submit
m=$(CERTMONGER_OPERATION=IDENTIFY "$M_CM" 2>&1 < /dev/null; echo "exit $?")
w=$(CERTMONGER_OPERATION=IDENTIFY "$W_CM" 2>&1 < /dev/null; echo "exit $?")
[ "$m" = "$w" ] || fail "certmonger-submit IDENTIFY: '$w' (waf) vs '$m' (meson)"
note "certmonger-submit IDENTIFY: $(echo "$w" | tr '\n' ' ')"
pass
