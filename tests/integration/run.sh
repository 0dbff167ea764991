#!/bin/bash
# run.sh: the integration suite. Brings the lab up ONCE (a fresh LAB under
# mktemp, a unique netns name, the test CA module of BUILDDIR), runs every
# tests/integration/t_*.sh against it, and always tears the lab down.
#
#   tests/integration/run.sh [BUILDDIR]          (root; BUILDDIR: build-test)
#   tests/integration/run.sh BUILDDIR t_pending   run only the named scenarios
#
# Environment: ICPR_SO (default BUILDDIR/tests/ca/icpr_ca.so), KEEP_WORK=1
# keeps the scenarios' scratch dir, SCENARIO_TIMEOUT (s, default 300).
# Output: per scenario its detail lines (indented) and one verdict line,
# "PASS name" or "FAIL name: reason"; last line "integration: N passed, N
# failed". Exit 0 only if every scenario passed.
set -uo pipefail

SRCDIR=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
BUILDDIR=$(realpath -m "${1:-${BUILDDIR:-$SRCDIR/build-test}}")
shift $(($# > 0 ? 1 : 0))
ONLY=("$@")
ICPR_SO=${ICPR_SO:-$BUILDDIR/tests/ca/icpr_ca.so}
ADLAB=$SRCDIR/tests/lab/adlab.sh
AUTOENROLL=$BUILDDIR/source/cli/autoenroll
CA_ADMIN=""
for c in "$BUILDDIR/tests/ca/ca-admin" "$SRCDIR/tests/ca/ca-admin"; do
	if [ -x "$c" ] && [ -f "$c" ]; then
		CA_ADMIN=$c
		break
	fi
done
CA_ADMIN=${CA_ADMIN:-$SRCDIR/tests/ca/ca-admin}

PASSED=0
FAILED=0
FAILURES=()	# the FAIL lines, repeated before the summary so a log's tail names them
summary() { echo "integration: $PASSED passed, $FAILED failed"; }
ts() { date +%s.%N; }
secs() { printf '%.1f' "$(echo "$(ts) - $1" | bc)"; }

if [ "$(id -u)" != 0 ]; then
	echo "FAIL lab: the integration suite must run as root (netns, mounts)"
	FAILED=1
	summary
	exit 1
fi

LAB=$(mktemp -d /tmp/ae-itest-lab.XXXXXX)
WORK=$(mktemp -d /tmp/ae-itest-work.XXXXXX)
NS=ae-it-$$-$RANDOM
# the DC ends itself after an hour whatever happens to this script
export LAB NS ICPR_SO MAXRUNTIME=${MAXRUNTIME:-3600}
export SRCDIR BUILDDIR ADLAB AUTOENROLL CA_ADMIN WORK
export ICPR_BIND=$WORK/icpr_bind

cleanup() {
	trap - EXIT INT TERM
	echo "--- tearing the lab down"
	"$ADLAB" down 2>&1 | sed 's/^/    /'
	if [ "${KEEP_WORK:-0}" = 1 ]; then
		echo "--- scenario scratch dir kept: $WORK"
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT
trap 'echo "interrupted"; exit 130' INT TERM

T0=$(ts)
echo "--- integration: lab NS=$NS LAB=$LAB"
echo "    build dir $BUILDDIR"
echo "    CA module $ICPR_SO"
if [ ! -f "$ICPR_SO" ]; then
	echo "FAIL lab: the test CA module is not built: $ICPR_SO"
	FAILED=1
	summary
	exit 1
fi
if ! "$ADLAB" up 2>&1 | sed 's/^/    /'; then
	echo "FAIL lab: adlab.sh up failed (see above)"
	FAILED=1
	summary
	exit 1
fi
echo "    lab up in $(secs "$T0") s"

# Samba's own DCE/RPC client at a chosen auth level (t_privacy.sh)
PKGS=(dcerpc samba-credentials samba-hostconfig ndr talloc tevent)
read -ra CFLAGS <<< "$(pkg-config --cflags "${PKGS[@]}" | sed 's/-I/-isystem /g')"
read -ra LIBS <<< "$(pkg-config --libs "${PKGS[@]}")"
if ! gcc -std=gnu11 -Wall -Wextra -Werror -o "$ICPR_BIND" "$SRCDIR/tests/integration/icpr_bind.c" \
	"${CFLAGS[@]}" "${LIBS[@]}" -lsamba-errors > "$WORK/icpr_bind.log" 2>&1; then
	sed 's/^/    /' "$WORK/icpr_bind.log"
fi

for t in "$SRCDIR"/tests/integration/t_*.sh; do
	base=$(basename "$t" .sh)
	name=${base#t_}
	if [ ${#ONLY[@]} -gt 0 ] && [[ " ${ONLY[*]} " != *" $base "* ]] &&
		[[ " ${ONLY[*]} " != *" $name "* ]]; then
		continue
	fi
	# a scenario that stopped the DC and failed to start it again
	if [ "$("$ADLAB" status 2> /dev/null)" = dc-stopped ]; then
		echo "    (DC was left stopped: starting it)"
		"$ADLAB" start 2>&1 | sed 's/^/    /'
	fi
	log=$WORK/$base.log
	t1=$(ts)
	echo "--- $base"
	timeout -k 10 "${SCENARIO_TIMEOUT:-300}" bash "$t" > "$log" 2>&1 < /dev/null
	rc=$?
	grep -vE '^(PASS|FAIL) ' "$log" | sed 's/^\([^ ]\)/    \1/'
	verdict=$(grep -E '^(PASS|FAIL) ' "$log" | tail -n 1)
	if [ $rc = 0 ] && [ "$verdict" = "PASS $name" ]; then
		echo "PASS $name ($(secs "$t1") s)"
		PASSED=$((PASSED + 1))
		continue
	fi
	FAILED=$((FAILED + 1))
	case $verdict in
	"FAIL $name: "*) line=$verdict ;;
	*)
		if [ $rc = 124 ] || [ $rc = 137 ]; then
			line="FAIL $name: timed out after ${SCENARIO_TIMEOUT:-300} s"
		else
			line="FAIL $name: exit $rc without a verdict"
		fi
		;;
	esac
	echo "$line"
	FAILURES+=("$line ($(secs "$t1") s)")
done
echo "--- integration scenarios took $(secs "$T0") s (lab up included)"
for f in "${FAILURES[@]}"; do
	echo "failed: ${f#FAIL }"
done
summary
[ $FAILED = 0 ]
