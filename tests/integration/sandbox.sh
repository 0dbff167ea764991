#!/bin/bash
# sandbox.sh: run a command the way a systemd unit with
#   ProtectSystem=strict, ReadWritePaths=RW..., NoNewPrivileges=yes,
#   CapabilityBoundingSet=CAPS
# would, where systemd is not PID 1 (systemd-run cannot be used): a private
# mount namespace in which every mount but /proc, /sys and /dev is
# read-only except RW (bind-mounted onto themselves first), then setpriv
# with no new privileges and the bounding set CAPS.
#
#   sandbox.sh RW1:RW2:... CAPS -- COMMAND [ARGS...]
#
# CAPS is a unit's CapabilityBoundingSet= value (empty: none), e.g.
# "CAP_CHOWN CAP_FOWNER". Every RW path must exist. Root only.
set -euo pipefail
[ $# -ge 4 ] && [ "$3" = -- ] || { echo "usage: sandbox.sh RW1:RW2:... CAPS -- COMMAND..." >&2; exit 2; }
RW=$1 CAPS=$2
shift 3
bound=-all
for c in $CAPS; do
	c=${c,,}
	bound+=",+${c#cap_}"
done
exec unshare -m --propagation private /bin/bash -c '
set -euo pipefail
IFS=: read -r -a rws <<< "$1"
bound=$2
shift 2
for p in "${rws[@]}"; do
	[ -d "$p" ] || { echo "sandbox.sh: $p is not a directory" >&2; exit 2; }
	mount --bind "$p" "$p"
done
# every other mount read-only (a bind remount changes only that mount)
awk "{ print \$2 }" /proc/self/mounts | LC_ALL=C sort -u | while read -r mp; do
	case $mp in /proc|/proc/*|/sys|/sys/*|/dev|/dev/*) continue ;; esac
	for p in "${rws[@]}"; do [ "$mp" != "$p" ] || continue 2; done
	mount -o remount,bind,ro "$mp" 2> /dev/null || true
done
# the check that it worked: / is read-only now
if touch /.sandbox-probe 2> /dev/null; then
	rm -f /.sandbox-probe
	echo "sandbox.sh: / is still writable" >&2
	exit 2
fi
exec setpriv --no-new-privs --bounding-set "$bound" --inh-caps=-all -- "$@"
' sandbox "$RW" "$bound" "$@"
