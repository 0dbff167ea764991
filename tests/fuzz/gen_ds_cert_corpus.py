#!/usr/bin/python3
"""Seeds of fuzz_ds_cert (tests/fuzz/corpus/ds_cert/) from corpus/cert/:
chunks of u16le length + bytes, the CA's cACertificate first."""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
CERT = os.path.join(HERE, 'corpus', 'cert')
OUT = os.path.join(HERE, 'corpus', 'ds_cert')


def read(name):
    with open(os.path.join(CERT, name), 'rb') as f:
        return f.read()


def chunks(*parts):
    return b''.join(struct.pack('<H', len(p)) + p for p in parts)


ca = read('ca_root.der')
seeds = {
    'v2_chains': chunks(ca, read('leaf_v2_template.der')),
    'v1_name': chunks(ca, read('leaf_v1_bmpstring.der')),
    'garbage_then_v2': chunks(ca, b'\x30\x03\x02\x01\x01', read('leaf_v2_template.der')),
    'truncated_and_trailing': chunks(ca, read('leaf_truncated.der'),
                                     read('leaf_trailing_byte.der')),
    'ca_is_garbage': chunks(b'not a certificate', read('leaf_v2_template.der')),
}
os.makedirs(OUT, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(OUT, name), 'wb') as f:
        f.write(data)
