#!/usr/bin/env python3
"""The network module (source/transport/ae_netmod.h) as the programs load it.

check_netmod.py MODULE PROGRAM...:
1. No program links libsmbclient, libdcerpc, libdcerpc-binding or
   libsamba-credentials itself (readelf -d: NEEDED): they come with the
   module, when a run needs it.
2. Every symbol of ours the module leaves undefined (nm -D: ae_*, icpr_*)
   is one each program exports (linked with export_dynamic): else dlopen
   fails at run time with "undefined symbol" the first time a run needs SMB
   or RPC.
3. The module exports its table (ae_netmod_ops_v1) and nothing else of ours.
Exit 0 when all hold, 1 with one line per violation.
"""
import re
import subprocess
import sys

HEAVY = ('libsmbclient.so', 'libdcerpc.so', 'libdcerpc-binding.so', 'libsamba-credentials.so')
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
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    module, programs = sys.argv[1], sys.argv[2:]
    bad = []
    wanted = {s for s in nm(module, '--undefined-only') if OURS.match(s)}
    exported = {s for s in nm(module, '--defined-only') if OURS.match(s)}
    if exported != {'ae_netmod_ops_v1'}:
        bad.append('%s exports %s, not only ae_netmod_ops_v1' % (module, sorted(exported)))
    for p in programs:
        for lib in needed(p):
            if lib.startswith(HEAVY):
                bad.append('%s links %s itself (it belongs to the network module)' % (p, lib))
        missing = wanted - nm(p, '--defined-only')
        if missing:
            bad.append('%s does not export %s, which %s needs' % (p, sorted(missing), module))
    for b in bad:
        print(b)
    print('check_netmod: %d programs, %d symbols the module takes from them, %d problems' %
          (len(programs), len(wanted), len(bad)))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
