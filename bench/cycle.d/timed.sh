#!/bin/sh
# timed.sh OUT CMD [ARG]...: run CMD (stdin /dev/null, stdout to OUT.out,
# stderr to OUT.err) under /usr/bin/time, and write "WALL_US MAXRSS_KB RC"
# to OUT.t and the CPU time (user + system, us; GNU time's resolution is
# 10 ms) to OUT.cpu. Runs inside the lab's netns (adlab.sh client/member),
# so the wall time is the command's own: no `ip netns exec` or mount
# set-up in it.
out=$1
shift
t0=$(date +%s%N)
/usr/bin/time -f '%U %S
%M' -o "$out.rss" "$@" > "$out.out" 2> "$out.err" < /dev/null
rc=$?
t1=$(date +%s%N)
# time -o writes "Command exited with non-zero status N" first when N != 0
echo "$(((t1 - t0) / 1000)) $(tail -n 1 "$out.rss") $rc" > "$out.t"
tail -n 2 "$out.rss" | head -n 1 | awk '{printf "%d\n", ($1 + $2) * 1000000}' > "$out.cpu"
