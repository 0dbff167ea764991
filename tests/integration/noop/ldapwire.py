"""ldapwire.py STRACE: what the LDAP connection of one `autoenroll run`
looked like on the wire, from `strace -f -e trace=connect,read,write,...`:
the system calls on the socket connected to port 389, as W (a write) and R
(a read), from the connect to the end. Prints the W/R string and exits 0
when it is a no-op's: the SASL bind (each write answered), then exactly
three requests written back to back before any answer is read (the
pipelined searches: one round trip), their answers, and the unbind;
else 1."""
import re
import sys

CALL = re.compile(r'^\d+ +(\w+)\((\d+)[,)].*= (-?\d+)')
CONNECT = re.compile(r'^\d+ +connect\((\d+), .*htons\(389\).*')
WRITES = {'write', 'writev', 'sendmsg', 'sendto'}
READS = {'read', 'readv', 'recvfrom', 'recvmsg'}


def main():
    fd, seq = None, []
    for line in open(sys.argv[1], encoding='utf-8', errors='replace'):
        m = CONNECT.match(line)
        if m:
            fd, seq = m.group(1), []
            continue
        m = CALL.match(line)
        if fd is None or not m or m.group(2) != fd:
            continue
        if m.group(1) == 'close':
            fd = None
        elif m.group(1) in WRITES and int(m.group(3)) > 0:
            seq.append('W')
        elif m.group(1) in READS and int(m.group(3)) >= 0:
            seq.append('R')
    s = re.sub('R+', 'R', ''.join(seq))
    print(s)
    return 0 if re.fullmatch(r'(WR){1,4}WWWRW(R)?', s) else 1


sys.exit(main())
