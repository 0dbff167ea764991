#!/usr/bin/python3
"""Write a GPO Machine/Registry.pol (PReg v1) holding the certificate
AutoEnrollment policy.

usage: make-registry-pol.py OUT [AEPOLICY] [--policy-servers POLICYID]
                              [--server URL,POLICYID,AUTHFLAGS,COST[,FLAGS[,NAME]]]...
                              [--ps-flags N]
                                                (AEPOLICY default 7)

Used by tests/lab/adlab.sh for the lab GPO (AEPolicy 7: all three policy
bits set) and by adlab.sh admin gpo-create for the scenarios' GPOs.

--policy-servers POLICYID writes instead the Windows-made policy of Samba's
advanced_enroll_reg_pol fixture (python/samba/tests/gpo.py: **DeleteKeys
of PolicyServers, AEPolicy, OfflineExpirationPercent 25, store MY, the
PolicyServers default and Flags 0, and four end points: "LDAP:" cost
2147483645, two Kerberos https end points cost 1, a Certificate one cost
10), every end point's PolicyID set to POLICYID (e.g. "{<forest root
objectGUID>}").

--server (repeatable) writes the AutoEnrollment values of the lab GPO and a
PolicyServers key holding exactly the end points given: URL ("LDAP:" or
https), PolicyID, AuthFlags (2 Kerberos, 4 password, 8 certificate), Cost,
Flags (default 16: AutoEnrollmentEnabled) and FriendlyName (default the
URL's host). --ps-flags sets PolicyServers\Flags (EnrollmentPolicyFlags:
2 ignores the GPO's servers, 4 ignores locally configured ones; default 0).

Uses Samba's NDR marshalling (samba.dcerpc.preg) when /usr/bin/python3 has
python3-samba, and checks it against a plain writer of the same format:
  "PReg" + u32le 1, then per entry:
  "[" key ";" value ";" u32le type ";" u32le size ";" data "]"
  where [ ; ] and key/value are UTF-16LE, key/value NUL-terminated.
"""
import struct
import sys

KEY = 'Software\\Policies\\Microsoft\\Cryptography\\AutoEnrollment'
CRYPTO = 'Software\\Policies\\Microsoft\\Cryptography'
PS = CRYPTO + '\\PolicyServers'
DEFAULT_ID = '{5AD0BE6D-3393-4940-BFC3-6E19555A8919}'
SERVERS = [
    ('37c9dc30f207f27f61a2f7c3aed598a6e2920b54', 'LDAP:', 'Example', 2, 2147483645),
    ('144bdbb8e4717c26e408f3c9a0cb8d6cfacbcbbe',
     'https://example2.com/ADPolicyProvider_CEP_Certificate/service.svc/CEP', 'Example2', 8, 10),
    ('20d46e856e9b9746c0b1265c328f126a7b3283a9',
     'https://example0.com/ADPolicyProvider_CEP_Kerberos/service.svc/CEP', 'Example0', 2, 1),
    ('855b5246433a48402ac4f5c3427566df26ccc9ac',
     'https://example1.com/ADPolicyProvider_CEP_Kerberos/service.svc/CEP', 'Example1', 2, 1),
]
REG_SZ, REG_DWORD = 1, 4


def entries(aepolicy):
    return [
        (KEY, 'AEPolicy', REG_DWORD, aepolicy),
        (KEY, 'OfflineExpirationPercent', REG_DWORD, 10),
        (KEY, 'OfflineExpirationStoreNames', REG_SZ, 'MY'),
    ]


def policy_servers(aepolicy, policy_id):
    ents = [(CRYPTO, '**DeleteKeys', REG_SZ, PS),
            (KEY, 'AEPolicy', REG_DWORD, aepolicy),
            (KEY, 'OfflineExpirationPercent', REG_DWORD, 25),
            (KEY, 'OfflineExpirationStoreNames', REG_SZ, 'MY'),
            (PS, '', REG_SZ, DEFAULT_ID),
            (PS, 'Flags', REG_DWORD, 0)]
    for sub, url, name, auth, cost in SERVERS:
        k = PS + '\\' + sub
        ents += [(k, 'URL', REG_SZ, url), (k, 'PolicyID', REG_SZ, policy_id),
                 (k, 'FriendlyName', REG_SZ, name), (k, 'Flags', REG_DWORD, 16),
                 (k, 'AuthFlags', REG_DWORD, auth), (k, 'Cost', REG_DWORD, cost)]
    return ents


def custom_servers(aepolicy, servers, ps_flags):
    ents = [(CRYPTO, '**DeleteKeys', REG_SZ, PS)] + entries(aepolicy)
    ents += [(PS, 'Flags', REG_DWORD, ps_flags)]
    for n, spec in enumerate(servers):
        f = spec.split(',')
        if len(f) < 4 or len(f) > 6:
            sys.exit('--server URL,POLICYID,AUTHFLAGS,COST[,FLAGS[,NAME]]: %r' % spec)
        url, pid, auth, cost = f[0], f[1], int(f[2], 0), int(f[3], 0)
        flags = int(f[4], 0) if len(f) > 4 else 16
        name = f[5] if len(f) > 5 else (url.split('/')[2] if '//' in url else url)
        k = PS + '\\' + 'lab%02d' % n
        ents += [(k, 'URL', REG_SZ, url), (k, 'PolicyID', REG_SZ, pid),
                 (k, 'FriendlyName', REG_SZ, name), (k, 'Flags', REG_DWORD, flags),
                 (k, 'AuthFlags', REG_DWORD, auth), (k, 'Cost', REG_DWORD, cost)]
    return ents


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
    args = sys.argv[1:]
    pid = None
    if '--policy-servers' in args:
        i = args.index('--policy-servers')
        if i + 1 >= len(args):
            sys.exit('usage: make-registry-pol.py OUT [AEPOLICY] [--policy-servers POLICYID]')
        pid = args[i + 1]
        del args[i:i + 2]
    servers = []
    while '--server' in args:
        i = args.index('--server')
        if i + 1 >= len(args):
            sys.exit('--server needs URL,POLICYID,AUTHFLAGS,COST[,FLAGS[,NAME]]')
        servers.append(args[i + 1])
        del args[i:i + 2]
    ps_flags = 0
    if '--ps-flags' in args:
        i = args.index('--ps-flags')
        if i + 1 >= len(args):
            sys.exit('--ps-flags needs a number')
        ps_flags = int(args[i + 1], 0)
        del args[i:i + 2]
    if not args or len(args) > 2:
        sys.exit('usage: make-registry-pol.py OUT [AEPOLICY] [--policy-servers POLICYID] '
                 '[--server URL,POLICYID,AUTHFLAGS,COST[,FLAGS[,NAME]]]... [--ps-flags N]')
    out = args[0]
    aep = int(args[1], 0) if len(args) > 1 else 7
    if servers:
        ents = custom_servers(aep, servers, ps_flags)
    else:
        ents = entries(aep) if pid is None else policy_servers(aep, pid)
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
