#!/usr/bin/python3
"""Regenerate the Registry.pol (PReg) fixtures of tests/unit/test_preg.c,
test_aesettings.c and the fuzz corpus seeds.

usage: /usr/bin/python3 tests/gpo-fixtures/make-fixtures.py [OUTDIR]

Every file is written by a plain writer of the format (MS-GPREG 2.2.1:
"PReg" + u32le 1, then "[" key ";" value ";" u32le type ";" u32le size ";"
data "]" with UTF-16LE delimiters and NUL-terminated UTF-16LE names) and,
where Samba's python3-samba can express the entries, checked byte for byte
against Samba's own NDR marshalling (samba.dcerpc.preg + ndr_pack, loaded
from the XML form Samba's tests use). Samba's parser also reads every file
back. The generated files are committed; this script documents them.
"""
import hashlib
import os
import struct
import sys

REG_NONE, REG_SZ, REG_EXPAND_SZ, REG_BINARY, REG_DWORD = 0, 1, 2, 3, 4
REG_DWORD_BE, REG_LINK, REG_MULTI_SZ, REG_QWORD = 5, 6, 7, 11

AE = 'Software\\Policies\\Microsoft\\Cryptography\\AutoEnrollment'
CRYPTO = 'Software\\Policies\\Microsoft\\Cryptography'
PS = 'Software\\Policies\\Microsoft\\Cryptography\\PolicyServers'
# objectGUID bytes 0d 0c 0b 0a 0f 0e 01 00 00 01 02 03 04 05 06 07: leading
# zeros in three fields (Samba bug 15839 dropped them).
FOREST_GUID = '{0A0B0C0D-0E0F-0001-0001-020304050607}'
DEFAULT_ID = '{5AD0BE6D-3393-4940-BFC3-6E19555A8919}'


def u16(s):
    return s.encode('utf-16-le')


def encode(typ, data):
    if isinstance(data, bytes):
        return data
    if typ in (REG_SZ, REG_EXPAND_SZ, REG_LINK):
        return u16(data + '\0')
    if typ == REG_MULTI_SZ:
        return u16('\0'.join(data) + '\0\0')
    if typ == REG_DWORD:
        return struct.pack('<I', data)
    if typ == REG_DWORD_BE:
        return struct.pack('>I', data)
    if typ == REG_QWORD:
        return struct.pack('<Q', data)
    raise ValueError(typ)


def plain(ents):
    out = b'PReg' + struct.pack('<I', 1)
    for key, value, typ, data in ents:
        raw = encode(typ, data)
        out += (u16('[') + u16(key + '\0') + u16(';') + u16(value + '\0') +
                u16(';') + struct.pack('<I', typ) + u16(';') +
                struct.pack('<I', len(raw)) + u16(';') + raw + u16(']'))
    return out


def xml_of(ents):
    """The XML form of Samba's tests (python/samba/tests/gpo.py)."""
    from xml.sax.saxutils import escape
    import base64
    lines = ['<PolFile num_entries="%d" signature="PReg" version="1">' % len(ents)]
    for key, value, typ, data in ents:
        lines.append('<Entry type="%d">' % typ)
        lines.append('<Key>%s</Key>' % escape(key))
        lines.append('<ValueName>%s</ValueName>' % escape(value) if value else '<ValueName/>')
        if typ == REG_MULTI_SZ:
            lines += ['<Value>%s</Value>' % escape(v) for v in data]
        elif typ in (REG_SZ, REG_EXPAND_SZ):
            lines.append('<Value>%s</Value>' % escape(data))
        elif typ in (REG_DWORD, REG_DWORD_BE, REG_QWORD):
            lines.append('<Value>%d</Value>' % data)
        else:
            lines.append('<Value>%s</Value>' % base64.b64encode(encode(typ, data)).decode())
        lines.append('</Entry>')
    lines.append('</PolFile>')
    return '\n'.join(lines)


def with_samba(ents):
    from xml.etree import ElementTree
    from samba.gp_parse.gp_pol import GPPolParser
    from samba.ndr import ndr_pack
    parser = GPPolParser()
    parser.load_xml(ElementTree.fromstring(xml_of(ents)))
    return ndr_pack(parser.pol_file)


def samba_reads(blob):
    from samba.dcerpc import preg
    from samba.ndr import ndr_unpack
    return ndr_unpack(preg.file, blob).num_entries


def auto_enroll(aepolicy):
    return [(AE, 'AEPolicy', REG_DWORD, aepolicy),
            (AE, 'OfflineExpirationPercent', REG_DWORD, 10),
            (AE, 'OfflineExpirationStoreNames', REG_SZ, 'MY')]


def advanced():
    """Samba's advanced_enroll_reg_pol (copied there from a Windows-made GPO)
    with the PolicyID placeholder set to FOREST_GUID."""
    ents = [(CRYPTO, '**DeleteKeys', REG_SZ, PS),
            (AE, 'AEPolicy', REG_DWORD, 7),
            (AE, 'OfflineExpirationPercent', REG_DWORD, 25),
            (AE, 'OfflineExpirationStoreNames', REG_SZ, 'MY'),
            (PS, '', REG_SZ, DEFAULT_ID),
            (PS, 'Flags', REG_DWORD, 0)]
    servers = [
        ('37c9dc30f207f27f61a2f7c3aed598a6e2920b54', 'LDAP:', 'Example', 2, 2147483645),
        ('144bdbb8e4717c26e408f3c9a0cb8d6cfacbcbbe',
         'https://example2.com/ADPolicyProvider_CEP_Certificate/service.svc/CEP', 'Example2', 8, 10),
        ('20d46e856e9b9746c0b1265c328f126a7b3283a9',
         'https://example0.com/ADPolicyProvider_CEP_Kerberos/service.svc/CEP', 'Example0', 2, 1),
        ('855b5246433a48402ac4f5c3427566df26ccc9ac',
         'https://example1.com/ADPolicyProvider_CEP_Kerberos/service.svc/CEP', 'Example1', 2, 1),
    ]
    for sub, url, name, auth, cost in servers:
        k = PS + '\\' + sub
        ents += [(k, 'URL', REG_SZ, url), (k, 'PolicyID', REG_SZ, FOREST_GUID),
                 (k, 'FriendlyName', REG_SZ, name), (k, 'Flags', REG_DWORD, 16),
                 (k, 'AuthFlags', REG_DWORD, auth), (k, 'Cost', REG_DWORD, cost)]
    assert len(ents) == 30
    return ents


def every_type():
    k = 'Software\\Policies\\Test\\Types'
    return [(k, 'None', REG_NONE, b''),
            (k, 'Sz', REG_SZ, 'caf\u00e9 \u20ac'),
            (k, 'Expand', REG_EXPAND_SZ, '%SystemRoot%\\x'),
            (k, 'Binary', REG_BINARY, bytes([0, 1, 0xfe, 0xff])),
            (k, 'Dword', REG_DWORD, 0xdeadbeef),
            (k, 'DwordBE', REG_DWORD_BE, 0x01020304),
            (k, 'Link', REG_LINK, '\\Registry\\Machine\\X'),
            (k, 'Multi', REG_MULTI_SZ, ['MY', 'Root', 'CA']),
            (k, 'MultiEmpty', REG_MULTI_SZ, []),
            (k, 'Qword', REG_QWORD, 0x0102030405060708),
            (k, 'Unknown', 0x1234, bytes([9, 8, 7])),
            (k, '', REG_SZ, 'default value')]


def specials():
    """Every special value name of MS-GPREG 3.2.5.1.2, in a second GPO that
    is applied after every_type() and base()."""
    k = 'Software\\Policies\\Test\\Types'
    b = 'Software\\Policies\\Test\\Base'
    return [(k, '**del.Sz', REG_SZ, ' '),
            (k, '**DeleteValues', REG_SZ, 'Dword;dwordbe;Missing'),
            (b, '**DelVals.', REG_SZ, ' '),
            (b, 'Kept', REG_DWORD, 2),
            (b, '**soft.Kept', REG_DWORD, 99),
            (b, '**SOFT.New', REG_SZ, 'soft'),
            (b, '**SecureKey', REG_DWORD, 1),
            ('Software\\Policies\\Test', '**DeleteKeys', REG_SZ,
             'Gone;Software\\Policies\\Test\\Full;'),
            (k, '**Del.Qword', REG_SZ, ' ')]


def base():
    b = 'Software\\Policies\\Test\\Base'
    return [(b, 'A', REG_DWORD, 1), (b, 'B', REG_SZ, 'b'), (b, 'Kept', REG_DWORD, 1),
            ('Software\\Policies\\Test\\Gone', 'X', REG_DWORD, 1),
            ('Software\\Policies\\Test\\Gone\\Deeper', 'Y', REG_DWORD, 1),
            ('Software\\Policies\\Test\\Full', 'Z', REG_DWORD, 1),
            ('Software\\Policies\\Test\\Fuller', 'W', REG_DWORD, 1)]


def gpreg_fig2():
    k = 'Software\\Policies\\Microsoft\\Windows\\System'
    return [(k, 'LocalProfile', REG_DWORD, 1), (k, 'GroupPolicyMinTransferRate', REG_DWORD, 0)]


def gpreg_fig3():
    k = 'Software\\Microsoft\\Windows\\CurrentVersion\\Policies\\System'
    return [(k, 'HideLogonScripts', REG_DWORD, 1)]


FILES = [
    # name, entries, Samba can write it too, expected size, expected sha256
    ('auto_enroll.pol', auto_enroll(7), True, 542,
     '470fee4f729b19c4fa341a6121216dc3553206647e665a21281a28dbbb253e44'),
    ('auto_enroll_unchecked.pol', auto_enroll(0), True, None, None),
    ('advanced_enroll.pol', advanced(), True, None, None),
    ('every_type.pol', every_type(), False, None, None),
    ('specials.pol', specials(), True, None, None),
    ('base.pol', base(), True, None, None),
    ('gpreg_fig2.pol', gpreg_fig2(), True, 308,
     '972371071d2b1295ac40456d825c86a6c5913d2e7b5b005ee50366e8d48b928a'),
    ('gpreg_fig3.pol', gpreg_fig3(), True, 182,
     '0b0c4078164927296eca2f73234607ec7ae2de81665bee0cfff0bbbb0336478a'),
    ('empty.pol', [], True, 8, None),
]


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    for name, ents, samba_too, size, sha in FILES:
        blob = plain(ents)
        if samba_too:
            try:
                sblob = with_samba(ents)
                if sblob != blob:
                    sys.exit('%s: Samba ndr_pack and the plain writer DIFFER' % name)
            except ImportError:
                print('%s: no python3-samba, plain writer only' % name)
        try:
            if samba_reads(blob) != len(ents):
                sys.exit('%s: Samba reads a different entry count' % name)
        except ImportError:
            pass
        digest = hashlib.sha256(blob).hexdigest()
        if size is not None and len(blob) != size:
            sys.exit('%s: %d bytes, expected %d' % (name, len(blob), size))
        if sha is not None and digest != sha:
            sys.exit('%s: sha256 %s, expected %s' % (name, digest, sha))
        with open(os.path.join(out, name), 'wb') as f:
            f.write(blob)
        print('%-26s %5d bytes  %2d entries  sha256 %s' % (name, len(blob), len(ents), digest))


if __name__ == '__main__':
    main()
