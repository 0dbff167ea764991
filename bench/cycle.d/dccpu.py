#!/usr/bin/python3
"""CPU time the lab DC has used so far, in microseconds, for bench/cycle.

usage: dccpu.py SAMBA_PID

The samba master process SAMBA_PID and every process below it (ldap,
kdc, rpc, ... workers, found through /proc/*/stat's ppid): utime + stime
+ cutime + cstime of each (children that exited are in their parent's
cutime/cstime). The difference of two readings around N runs, divided by
N, is the DC CPU of one run.
"""
import os
import sys


def stat(pid):
    with open('/proc/%s/stat' % pid) as f:
        s = f.read()
    rest = s[s.rindex(')') + 2:].split()  # after "pid (comm) "
    # rest[0] is field 3 (state): ppid is field 4, utime..cstime fields 14..17
    return int(rest[1]), sum(int(x) for x in rest[11:15])


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    root = int(sys.argv[1])
    parent, ticks = {}, {}
    for d in os.listdir('/proc'):
        if not d.isdigit():
            continue
        try:
            parent[int(d)], ticks[int(d)] = stat(d)
        except (OSError, ValueError, IndexError):
            continue
    if root not in ticks:
        sys.exit('dccpu.py: no process %d' % root)
    total = 0
    for pid in ticks:
        p, seen = pid, 0
        while p not in (0, 1) and p != root and seen < 64:
            p, seen = parent.get(p, 0), seen + 1
        if p == root:
            total += ticks[pid]
    print(total * 1000000 // os.sysconf('SC_CLK_TCK'))


if __name__ == '__main__':
    main()
