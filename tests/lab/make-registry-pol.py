#!/usr/bin/python3
"""Write a GPO Machine/Registry.pol (PReg v1) holding the certificate
AutoEnrollment policy.

usage: make-registry-pol.py OUT [AEPOLICY]      (AEPOLICY default 7)

Used by tests/lab/adlab.sh for the lab GPO (AEPolicy 7: all three policy
bits set).

Uses Samba's NDR marshalling (samba.dcerpc.preg) when /usr/bin/python3 has
python3-samba, and checks it against a plain writer of the same format:
  "PReg" + u32le 1, then per entry:
  "[" key ";" value ";" u32le type ";" u32le size ";" data "]"
  where [ ; ] and key/value are UTF-16LE, key/value NUL-terminated.
"""
import struct
import sys

KEY = 'Software\\Policies\\Microsoft\\Cryptography\\AutoEnrollment'
REG_SZ, REG_DWORD = 1, 4


def entries(aepolicy):
    return [
        (KEY, 'AEPolicy', REG_DWORD, aepolicy),
        (KEY, 'OfflineExpirationPercent', REG_DWORD, 10),
        (KEY, 'OfflineExpirationStoreNames', REG_SZ, 'MY'),
    ]


def u16(s):
    return s.encode('utf-16-le')


def plain(ents):
    out = b'PReg' + struct.pack('<I', 1)
    for key, value, typ, data in ents:
        if typ == REG_DWORD:
            raw = struct.pack('<I', data)
        else:
            raw = u16(data + '\0')
        out += (u16('[') + u16(key + '\0') + u16(';') + u16(value + '\0') +
                u16(';') + struct.pack('<I', typ) + u16(';') +
                struct.pack('<I', len(raw)) + u16(';') + raw + u16(']'))
    return out


def with_samba(ents):
    from samba.dcerpc import preg
    from samba.ndr import ndr_pack
    f = preg.file()
    lst = []
    for key, value, typ, data in ents:
        e = preg.entry()
        e.keyname = key
        e.valuename = value
        e.type = typ
        e.data = data
        lst.append(e)
    f.num_entries = len(lst)
    f.entries = lst
    return ndr_pack(f)


if __name__ == '__main__':
    out = sys.argv[1]
    aep = int(sys.argv[2], 0) if len(sys.argv) > 2 else 7
    ents = entries(aep)
    blob = plain(ents)
    try:
        sblob = with_samba(ents)
        print('samba ndr_pack and plain writer %s (%d bytes)' %
              ('agree' if sblob == blob else 'DIFFER', len(sblob)))
        if sblob != blob:
            blob = sblob
    except ImportError:
        print('no samba python module: plain writer used')
    with open(out, 'wb') as f:
        f.write(blob)
