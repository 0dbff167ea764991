#!/usr/bin/env python3
"""subst.py: copy a Python script of gpo/ with its install paths set.

    subst.py IN OUT NAME=VALUE...

Each NAME must be assigned exactly once in IN, on a line of its own of the
form `NAME = '<text>'`; that text becomes VALUE (an absolute path with no
quote, backslash or control character). Anything else, or a NAME not found
exactly once, fails the build: the installed script never keeps a path
that the prefix contradicts. OUT keeps IN's mode.
"""
import os
import re
import sys


def main(argv):
    if len(argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    src, dst, pairs = argv[1], argv[2], argv[3:]
    with open(src, encoding='utf-8') as f:
        text = f.read()
    for pair in pairs:
        name, sep, value = pair.partition('=')
        if not sep or not re.fullmatch(r'[A-Z_][A-Z0-9_]*', name):
            print('subst.py: %r is not NAME=VALUE' % pair, file=sys.stderr)
            return 2
        if not value.startswith('/') or re.search(r"['\\\x00-\x1f\x7f]", value):
            print('subst.py: %s: %r is not a plain absolute path' % (name, value),
                  file=sys.stderr)
            return 2
        line = re.compile(r"^%s = '[^'\\\n]*'$" % name, re.M)
        n = len(line.findall(text))
        if n != 1:
            print("subst.py: %s: %d lines \"%s = '...'\" (need exactly 1)"
                  % (src, n, name), file=sys.stderr)
            return 1
        text = line.sub(lambda m: "%s = '%s'" % (name, value), text)
    tmp = dst + '.tmp'
    with open(tmp, 'w', encoding='utf-8') as f:
        f.write(text)
    os.chmod(tmp, os.stat(src).st_mode & 0o7777)
    os.replace(tmp, dst)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
