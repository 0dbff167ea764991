#!/usr/bin/python3
"""A small DNS server for t_security_dns_oversized_answer.sh (stdlib only).

    fake_dns.py LISTEN_ADDR UPSTREAM_ADDR QNAME COUNT DC [MAX_SECONDS]

Listens on LISTEN_ADDR:53 over UDP and TCP. A query for QNAME type SRV is
answered with COUNT SRV records (RFC 2782): COUNT-1 at priority 10 naming
hosts that do not exist, and the LAST one, DC, at priority 0, so only a
client that parses the whole answer picks DC. Over UDP that answer is sent
truncated (header + question, TC set; RFC 1035 §4.2.1), so the client asks
again over TCP (RFC 1035 §4.2.2), where it gets all of it. Every other
query is relayed to UPSTREAM_ADDR:53 (the lab DC's DNS) over the same
transport. Writes one line per query to stdout; exits by itself after
MAX_SECONDS (default 300)."""
import socket
import struct
import sys
import threading
import time


def qname_of(msg):
    """The question's name (lower case) and the offset after QTYPE/QCLASS."""
    labels, i = [], 12
    while True:
        n = msg[i]
        if n == 0:
            break
        if n & 0xC0:
            raise ValueError("compressed question")
        labels.append(msg[i + 1:i + 1 + n].decode("ascii", "replace"))
        i += 1 + n
    qtype = struct.unpack(">H", msg[i + 1:i + 3])[0]
    return ".".join(labels).lower(), qtype, i + 5


def encode(name):
    return b"".join(bytes([len(p)]) + p.encode() for p in name.split(".") if p) + b"\x00"


class Server:
    def __init__(self, listen, upstream, qname, count, dc):
        self.listen, self.upstream = listen, upstream
        self.qname, self.count, self.dc = qname.lower(), count, dc

    def answer(self, query, truncated):
        _, _, end = qname_of(query)
        question = query[12:end]
        flags = 0x8400 | (query[2] & 0x01) << 8 | 0x0080  # QR AA, RD copied, RA
        if truncated:
            return query[:2] + struct.pack(">HHHHH", flags | 0x0200, 1, 0, 0, 0) + question
        recs = []
        for i in range(self.count):
            last = i == self.count - 1
            target = self.dc if last else "no-such-dc-%04d.invalid.example" % i
            rdata = struct.pack(">HHH", 0 if last else 10, 100, 389) + encode(target)
            recs.append(b"\xc0\x0c" + struct.pack(">HHIH", 33, 1, 600, len(rdata)) + rdata)
        return (query[:2] + struct.pack(">HHHHH", flags, 1, len(recs), 0, 0) + question +
                b"".join(recs))

    def ours(self, query):
        try:
            name, qtype, _ = qname_of(query)
        except (ValueError, IndexError, struct.error):
            return False
        return name == self.qname and qtype == 33

    def udp(self, s):
        while True:
            query, peer = s.recvfrom(4096)
            if self.ours(query):
                print("udp %s SRV -> truncated (TC)" % self.qname, flush=True)
                s.sendto(self.answer(query, True), peer)
                continue
            u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            u.settimeout(5)
            try:
                u.sendto(query, (self.upstream, 53))
                s.sendto(u.recvfrom(65535)[0], peer)
            except OSError:
                pass
            finally:
                u.close()

    @staticmethod
    def read_msg(c):
        head = b""
        while len(head) < 2:
            b = c.recv(2 - len(head))
            if not b:
                return None
            head += b
        n, body = struct.unpack(">H", head)[0], b""
        while len(body) < n:
            b = c.recv(n - len(body))
            if not b:
                return None
            body += b
        return body

    def tcp_one(self, c):
        with c:
            c.settimeout(10)
            try:
                query = self.read_msg(c)
                if query is None:
                    return
                if self.ours(query):
                    reply = self.answer(query, False)
                    print("tcp %s SRV -> %d records, %d bytes" %
                          (self.qname, self.count, len(reply)), flush=True)
                else:
                    with socket.create_connection((self.upstream, 53), timeout=5) as u:
                        u.sendall(struct.pack(">H", len(query)) + query)
                        reply = self.read_msg(u)
                    if reply is None:
                        return
                c.sendall(struct.pack(">H", len(reply)) + reply)
            except OSError:
                pass

    def tcp(self, s):
        while True:
            c, _ = s.accept()
            threading.Thread(target=self.tcp_one, args=(c,), daemon=True).start()


def main():
    listen, upstream, qname, count, dc = sys.argv[1:6]
    limit = float(sys.argv[6]) if len(sys.argv) > 6 else 300.0
    srv = Server(listen, upstream, qname, int(count), dc)
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind((listen, 53))
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    t.bind((listen, 53))
    t.listen(16)
    threading.Thread(target=srv.udp, args=(u,), daemon=True).start()
    threading.Thread(target=srv.tcp, args=(t,), daemon=True).start()
    print("listening on %s:53 (udp, tcp)" % listen, flush=True)
    time.sleep(limit)


if __name__ == "__main__":
    main()
