#!/usr/bin/python3
"""Unit test of tools/meson_decl.py, the waf build's reader of meson.build
(no waf needed): test_meson_decl.py SRCDIR BUILDDIR

1. On this tree: every product target (defined under source/) of the meson
   build in BUILDDIR (meson introspect) is read with the same name, kind and
   sources, and the ae_paths.h values it computes from BUILDDIR's options
   are the #defines of BUILDDIR/ae_paths.h.
2. On small synthetic trees: `+=` is read; an if block in a layer's
   meson.build, an unknown function or an unknown variable in a target stop
   the reader (never a silently shorter source list).
Prints one line per check; exit 0 only if all pass.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

SRC, BUILD = (os.path.realpath(a) for a in sys.argv[1:3])
sys.path.insert(0, os.path.join(SRC, 'tools'))
import meson_decl  # noqa: E402

failed = 0


def check(ok, what):
    global failed
    print('%s %s' % ('ok  ' if ok else 'FAIL', what))
    failed += 0 if ok else 1


class Host(object):
    def found(self, dep):
        return True

    def pkgvar(self, pkg, var):
        return subprocess.check_output(['pkg-config', '--variable=' + var, pkg],
                                       text=True).strip()

    def find_library(self, dep, dirs):
        pass


def introspect(what):
    return json.loads(subprocess.check_output(['meson', 'introspect', BUILD, '--' + what]))


# -- 1. this tree against the meson build -----------------------------------
opts = {o['name']: o['value'] for o in introspect('buildoptions')}
keys = ('prefix', 'sbindir', 'libexecdir', 'datadir', 'sysconfdir', 'localstatedir',
        'libdir', 'sanitize', 'test_seams', 'tests', 'libfuzzer', 'journal', 'pam_moduledir')
p = meson_decl.Project(SRC, dict({k: opts[k] for k in keys}, build_root=BUILD), Host())
ours = {t.name: t for t in p.targets}
kinds = {'static library': 'static_library', 'executable': 'executable',
         'shared module': 'shared_module'}
theirs = {}
for t in introspect('targets'):
    if not os.path.relpath(t['defined_in'], SRC).startswith('source' + os.sep):
        continue
    srcs = set()
    for s in t['target_sources']:
        srcs.update(os.path.relpath(f, SRC) for f in s.get('sources', []))
    theirs[t['name']] = (kinds.get(t['type'], t['type']), srcs)
check(sorted(ours) == sorted(theirs),
      'the same %d product targets as meson: %s' % (len(theirs), ' '.join(sorted(theirs))))
for name in sorted(theirs):
    t = ours.get(name)
    kind, srcs = theirs[name]
    check(t is not None and t.kind == kind and set(t.sources) == srcs
          and len(t.sources) == len(srcs),
          '%s: %s, %d sources' % (name, kind, len(srcs)))
with open(os.path.join(BUILD, 'ae_paths.h')) as f:
    header = dict(re.findall(r'^#define (\w+) (.*)$', f.read(), re.M))
cfg = p.configs.get('ae_paths.h', {})
mine = {k: '"%s"' % v for k, (m, v) in cfg.items()}
check(header and mine == header, 'ae_paths.h: %d defines as meson wrote them' % len(header))


# -- 2. what the reader must refuse ---------------------------------------------
def tree(layer_text):
    d = tempfile.mkdtemp()
    os.makedirs(os.path.join(d, 'source', 'a'))
    with open(os.path.join(d, 'meson.build'), 'w') as f:
        f.write("project('x', 'c', version: '1')\nif get_option('tests')\nsubdir('nope')\n"
                "endif\nsubdir('source/a')\n")
    with open(os.path.join(d, 'source', 'a', 'meson.build'), 'w') as f:
        f.write(layer_text)
    return d


def read(layer_text):
    try:
        return meson_decl.Project(tree(layer_text), {'tests': True}, Host()).targets
    except meson_decl.TargetError as err:
        return err


r = read("s = ['a.c']\ns += ['b.c']\nl = static_library('ae_a', s, 'c.c')\n")
check(not isinstance(r, Exception) and r[0].sources == ['source/a/a.c', 'source/a/b.c',
                                                         'source/a/c.c'], '+= and positional lists')
for what, text in (('if block in a layer', "if true\nx = 1\nendif\n"),
                   ('unknown function in a target', "l = static_library('a', foo('x.c'))\n"),
                   ('unknown variable in a target', "l = static_library('a', srcs)\n"),
                   ('a source that is not .c', "l = static_library('a', 'x.cc')\n")):
    check(isinstance(read(text), meson_decl.TargetError), 'refused: ' + what)

print('%s: %d failed' % (os.path.basename(sys.argv[0]), failed))
sys.exit(1 if failed else 0)
