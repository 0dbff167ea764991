#!/usr/bin/python3
"""syslog-sink.py SOCKET OUT: the lab's syslog for logons (adlab.sh logon).

Binds a Unix datagram socket at SOCKET (what `adlab.sh logon` bind-mounts
over /dev/log in the logon's private mount namespace, so pam_syslog(3) and
syslog(3) of PAM modules and their children land here, never in the host's
log) and appends every message to OUT, one line each (control characters
replaced, at most 8 KiB a message). Runs until killed (adlab.sh down stops
it with the rest of the lab's processes).
"""
import os
import socket
import sys


def main():
    if len(sys.argv) != 3:
        sys.exit('usage: syslog-sink.py SOCKET OUT')
    path, out = sys.argv[1], sys.argv[2]
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    os.chmod(path, 0o666)
    with open(out, 'ab', buffering=0) as f:
        while True:
            msg = s.recv(8192)
            line = bytes(c if c >= 0x20 or c == 0x09 else 0x3f for c in msg.rstrip(b'\n\0'))
            f.write(line + b'\n')


if __name__ == '__main__':
    main()
