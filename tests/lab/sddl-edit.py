#!/usr/bin/python3
"""Edit the DACL of an SDDL security descriptor, ACE by ACE.

usage: sddl-edit.py DOMAIN_SID (add|del) ACE [(add|del) ACE]... < SDDL > SDDL

The input is a DACL-only descriptor as Samba's ldbsearch prints it with the
control sd_flags:1:4 ("D:PAI(A;;...;;;DA)(...)"); the output has the same
shape, for ldbmodify with the same control (tests/lab/adlab-admin.sh).

ACEs are compared in Samba's canonical form (samba.dcerpc.security: SDDL ->
descriptor -> SDDL against DOMAIN_SID), so "(OA;;CR;...;;S-1-5-21-...-515)"
and "(OA;;CR;...;;DC)" are the same ACE.
  add  an ACE already present is left alone; a deny ACE (D, OD) goes before
       the first allow ACE (the canonical order: explicit deny first), an
       allow ACE at the end
  del  every copy of the ACE is removed; absent is not an error ("not
       present" on stderr)
"""
import re
import sys

from samba.dcerpc import security

DACL_RE = re.compile(r'^D:([A-Z]*)((?:\([^()]*\))*)$')


def canon_ace(ace, domsid):
    text = security.descriptor.from_sddl('D:' + ace, domsid).as_sddl(domsid)
    m = DACL_RE.match(text)
    aces = re.findall(r'\([^()]*\)', m.group(2)) if m else []
    if len(aces) != 1:
        raise ValueError('not one ACE: %r' % ace)
    return aces[0]


def is_deny(ace):
    return ace.startswith('(D;') or ace.startswith('(OD;')


def main(argv):
    if len(argv) < 4 or (len(argv) - 2) % 2:
        sys.stderr.write(__doc__)
        return 2
    domsid = security.dom_sid(argv[1])
    text = sys.stdin.read().strip()
    text = security.descriptor.from_sddl(text, domsid).as_sddl(domsid)
    m = DACL_RE.match(text)
    if not m:
        sys.stderr.write('sddl-edit: not a DACL-only descriptor: %s\n' % text)
        return 1
    flags = m.group(1)
    aces = re.findall(r'\([^()]*\)', m.group(2))
    ops = argv[2:]
    for op, ace in zip(ops[0::2], ops[1::2]):
        c = canon_ace(ace, domsid)
        if op == 'add':
            if c in aces:
                continue
            if is_deny(c):
                i = next((k for k, a in enumerate(aces) if not is_deny(a)), len(aces))
                aces.insert(i, c)
            else:
                aces.append(c)
        elif op == 'del':
            if c not in aces:
                sys.stderr.write('sddl-edit: not present: %s\n' % c)
            aces = [a for a in aces if a != c]
        else:
            sys.stderr.write('sddl-edit: unknown operation %r\n' % op)
            return 2
    out = 'D:' + flags + ''.join(aces)
    security.descriptor.from_sddl(out, domsid)  # must still parse
    print(out)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
