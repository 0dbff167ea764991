#!/bin/sh
# timed.sh OUT CMD [ARG]...: run CMD (stdin /dev/null, stdout to OUT.out,
# stderr to OUT.err) and write "WALL_US MAXRSS_KB RC" to OUT.t and its CPU
# time (user + system, us, from wait4's rusage) to OUT.cpu (timed.py). Runs
# inside the lab's netns (adlab.sh client/member), so the wall time is the
# command's own: no `ip netns exec` or mount set-up in it.
exec /usr/bin/python3 "$(dirname "$0")/timed.py" "$@"
