#!/usr/bin/python3
"""Writes the seed corpus of fuzz_srv (tests/fuzz/corpus/srv/).

Each seed is the call site's contract (see fuzz_srv.c): 2 bytes buffer size,
2 bytes the length the resolver reported (0xffff: -1), then the answer as
sent (RFC 1035 §4.1 message, SRV rdata as RFC 2782)."""
import os
import struct
import sys

QNAME = b"\x05_ldap\x04_tcp\x02dc\x06_msdcs\x03lab\x07example\x03com\x00"


def labels(name):
    out = b""
    for part in name.split("."):
        if part:
            out += bytes([len(part)]) + part.encode()
    return out + b"\x00"


def rr(prio, weight, target, rtype=33, raw_target=None):
    t = raw_target if raw_target is not None else labels(target)
    rdata = struct.pack(">HHH", prio, weight, 389) + t
    return b"\xc0\x0c" + struct.pack(">HHIH", rtype, 1, 600, len(rdata)) + rdata


def answer(records, flags=0x8180):
    head = struct.pack(">HHHHHH", 0x1234, flags, 1, len(records), 0, 0)
    return head + QNAME + struct.pack(">HH", 33, 1) + b"".join(records)


def seed(buf_size, reported, msg):
    rep = 0xFFFF if reported < 0 else reported
    return struct.pack(">HH", buf_size, rep) + msg


def main(outdir):
    two = answer([rr(10, 50, "dc2.lab.example.com"), rr(0, 100, "dc1.lab.example.com")])
    big = answer([rr(10, 0, "dc%d.lab.example.com" % i) for i in range(599)] +
                 [rr(0, 0, "dc1.lab.example.com")])
    seeds = {
        "two_dcs": seed(4096, len(two), two),
        "no_answer": seed(4096, len(answer([])), answer([])),
        "no_reply": seed(4096, -1, b""),
        "truncated": seed(4096, len(two) - 5, two[:-5]),
        # res_query reports 24 KiB, 4 KiB were written (the E2 crash)
        "oversized_answer": seed(4096, len(big), big),
        # the same answer asked for again with a buffer of its size
        "oversized_answer_refetched": seed(len(big), len(big), big),
        # reported length within the buffer but more than was sent
        "reported_beyond_sent": seed(4096, 3000, two),
        "tc_bit": seed(4096, len(two), answer([rr(0, 0, "dc1.lab.example.com")], 0x8380)),
        "nxdomain": seed(4096, len(answer([], 0x8183)), answer([], 0x8183)),
    }
    # a target that points at itself, one that points forward, an owner loop
    loop = answer([rr(0, 0, None, raw_target=b"\x01x\xc0\x00")])
    off = len(loop) - 4
    loop = loop[:-2] + struct.pack(">H", 0xC000 | off)
    seeds["compression_loop_target"] = seed(4096, len(loop), loop)
    fwd = answer([rr(0, 0, None, raw_target=b"\xc0\x00")])
    fwd = fwd[:-2] + struct.pack(">H", 0xC000 | (len(fwd) + 10))
    seeds["compression_pointer_past_end"] = seed(4096, len(fwd), fwd)
    own = bytearray(answer([rr(0, 0, "dc1.lab.example.com")]))
    at = 12 + len(QNAME) + 4
    own[at:at + 2] = struct.pack(">H", 0xC000 | at)
    seeds["compression_loop_owner"] = seed(4096, len(own), bytes(own))
    many = answer([rr(0, 0, "d.x") for _ in range(1100)])
    seeds["too_many_records"] = seed(len(many), len(many), many)
    for name, data in seeds.items():
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else
         os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "srv"))
