#!/usr/bin/env python3
"""The program's modules (source/util/ae_module.h) as the programs load them:
ae-net.so (SMB, MS-ICPR, Samba's credentials), ae-web.so (HTTPS), ae-nss.so
(NSS databases).

check_netmod.py MODULE... -- PROGRAM...:
1. No program links a library that belongs to a module itself (readelf -d:
   NEEDED): libsmbclient, libdcerpc, libdcerpc-binding,
   libsamba-credentials, libcurl, libssl, libnss3. They come with the
   module, when a run needs it. Nor libsamba-hostconfig or libsamba-util:
   Samba's loadparm is in ae-net.so too (transport/ae_smbconf.h). Nor
   libsystemd: util/ae_log_event.c opens it when the first journal entry
   is sent.
2. Every symbol of ours a module leaves undefined (nm -D: ae_*, icpr_*) is
   one each program exports (linked with export_dynamic): else dlopen fails
   at run time with "undefined symbol" the first time a run needs it.
3. Each module exports its table (ae_*_ops_v1) and nothing else of ours.
Exit 0 when all hold, 1 with one line per violation.
"""
import re
import subprocess
import sys

HEAVY = ('libsmbclient.so', 'libdcerpc.so', 'libdcerpc-binding.so', 'libsamba-credentials.so',
         'libcurl.so', 'libssl.so', 'libnss3.so', 'libsystemd.so', 'libsamba-hostconfig.so',
         'libsamba-util.so')
TABLE = re.compile(r'^ae_[a-z]+mod_ops_v1$')
OURS = re.compile(r'^(ae_|icpr_)')


def nm(path, *flags):
    out = subprocess.run(['nm', '-D'] + list(flags) + [path], capture_output=True, text=True,
                         check=True).stdout
    return {line.split()[-1].split('@')[0] for line in out.splitlines() if line.strip()}


def needed(path):
    out = subprocess.run(['readelf', '-d', path], capture_output=True, text=True,
                         check=True).stdout
    return re.findall(r'\(NEEDED\)\s+Shared library: \[([^\]]+)\]', out)


def main():
    if '--' not in sys.argv:
        sys.exit(__doc__)
    cut = sys.argv.index('--')
    modules, programs = sys.argv[1:cut], sys.argv[cut + 1:]
    if not modules or not programs:
        sys.exit(__doc__)
    bad, wanted = [], set()
    for m in modules:
        need = {s for s in nm(m, '--undefined-only') if OURS.match(s)}
        wanted |= need
        exported = {s for s in nm(m, '--defined-only') if OURS.match(s)}
        if len(exported) != 1 or not TABLE.match(next(iter(exported))):
            bad.append('%s exports %s, not only its table' % (m, sorted(exported)))
        for p in programs:
            missing = need - nm(p, '--defined-only')
            if missing:
                bad.append('%s does not export %s, which %s needs' % (p, sorted(missing), m))
    for p in programs:
        for lib in needed(p):
            if lib.startswith(HEAVY):
                bad.append('%s links %s itself (it belongs to a module)' % (p, lib))
    for b in bad:
        print(b)
    print('check_netmod: %d modules, %d programs, %d symbols the modules take from them, '
          '%d problems' % (len(modules), len(programs), len(wanted), len(bad)))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
