#!/usr/bin/python3
"""timed.py OUT CMD [ARG]...: run CMD (stdin /dev/null, stdout to OUT.out,
stderr to OUT.err) and write "WALL_US MAXRSS_KB RC" to OUT.t and the CPU
time it used (user + system, microseconds, from wait4's rusage) to OUT.cpu.
The clock runs from just before the spawn to the child's exit: Python's own
start is not in the figures. RC is the exit status, 128 + N for signal N,
127 when CMD cannot be started.
"""
import os
import sys
import time


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    out, cmd = sys.argv[1], sys.argv[2:]
    fa = [(os.POSIX_SPAWN_OPEN, 0, '/dev/null', os.O_RDONLY, 0),
          (os.POSIX_SPAWN_OPEN, 1, out + '.out', os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
          (os.POSIX_SPAWN_OPEN, 2, out + '.err', os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)]
    t0 = time.monotonic_ns()
    try:
        pid = os.posix_spawnp(cmd[0], cmd, os.environ, file_actions=fa)
    except OSError as e:
        with open(out + '.err', 'a') as f:
            f.write('timed.py: %s: %s\n' % (cmd[0], e))
        rc, wall, rss, cpu = 127, 0, 0, 0
    else:
        _, status, ru = os.wait4(pid, 0)
        wall = (time.monotonic_ns() - t0) // 1000
        rc = os.waitstatus_to_exitcode(status)
        rc = 128 - rc if rc < 0 else rc
        rss = ru.ru_maxrss
        cpu = int(round((ru.ru_utime + ru.ru_stime) * 1e6))
    with open(out + '.t', 'w') as f:
        f.write('%d %d %d\n' % (wall, rss, rc))
    with open(out + '.cpu', 'w') as f:
        f.write('%d\n' % cpu)


if __name__ == '__main__':
    main()
