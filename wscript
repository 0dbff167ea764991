#!/usr/bin/env python3
# wscript: the waf build of samba-autoenroll, beside meson (the primary
# build). Samba builds with waf; a component that may one day live in
# Samba's tree needs one. It builds the product (the layer libraries under
# source/, autoenroll, certmonger-submit, pam_autoenroll.so) from the targets
# meson.build declares: tools/meson_decl.py reads meson's source lists,
# layer dependencies, per-target flags and ae_paths.h, so nothing is written
# twice. Test-only targets (unit tests, fuzz drivers, the test CA) and data
# (man pages, systemd units, the gpupdate extension) are meson's only.
#
#   waf configure [--prefix=/usr] [--out=DIR] && waf build [&& waf install]
#
# waf itself: tests/waf/get-waf.sh DIR (from Debian's samba source package).
import os
import subprocess
import sys

from waflib import Errors

top = '.'
out = 'build-waf'

# the meson options the product's declarations read, with meson's defaults
MESON_DIRS = ('sbindir', 'libexecdir', 'datadir', 'sysconfdir', 'localstatedir', 'libdir')
MESON_DEFAULT = {'sbindir': 'sbin', 'libexecdir': 'libexec', 'datadir': 'share',
                 'sysconfdir': 'etc', 'localstatedir': 'var', 'libdir': 'lib'}
# meson's special cases (its builtin-options documentation)
MESON_DEFAULT_BY_PREFIX = {'/usr': {'sysconfdir': '/etc', 'localstatedir': '/var'},
                           '/usr/local': {'localstatedir': '/var/local'}}


def _decl(srcdir):
    aux = os.path.join(srcdir, 'tools')
    if aux not in sys.path:
        sys.path.insert(0, aux)
    import meson_decl
    return meson_decl


def options(opt):
    opt.load('compiler_c')
    g = opt.add_option_group('samba-autoenroll (meson\'s options of the same names)')
    for d in MESON_DIRS:
        g.add_option('--' + d, dest=d, default=None,
                     help='like meson -D%s (default: meson\'s)' % d)
    g.add_option('--pam-moduledir', dest='pam_moduledir', default='',
                 help='where pam_autoenroll.so is installed (default: <libpam libdir>/security)')
    g.add_option('--journal', dest='journal', default='auto',
                 choices=('auto', 'enabled', 'disabled'),
                 help='structured journal entries through libsystemd (default: auto)')


def _uselib(dep):
    u = 'X_' + ''.join(c if c.isalnum() else '_' for c in dep.name).upper()
    return u + '_HDR' if dep.kind == 'hdr' else u   # partial_dependency: CFLAGS only


class _ConfHost(object):
    """Answers meson_decl's questions at configure time by looking."""

    def __init__(self, conf):
        self.conf = conf

    def found(self, dep):
        conf, u = self.conf, _uselib(dep)
        req = dep.required
        if req == 'disabled':
            return False
        mandatory = req is True or req == 'enabled'
        if dep.kind == 'threads':
            conf.env['CFLAGS_' + u] = ['-pthread']
            conf.env['LINKFLAGS_' + u] = ['-pthread']
            ok = True
        elif dep.kind == 'pkg':
            ver = {}
            if dep.version:
                op, _, v = dep.version.partition(' ')
                if op != '>=':
                    raise Errors.ConfigurationError('%s: version %r: only >= is read'
                                                    % (dep.name, dep.version))
                ver['atleast_version'] = v.strip()
            ok = bool(conf.check_cfg(package=dep.name, args=['--cflags', '--libs'],
                                     uselib_store=u, mandatory=mandatory, **ver))
            # pkg-config headers as system headers, like meson's
            # include_type: 'system' (Samba's headers warn under -Wextra)
            for inc in conf.env['INCLUDES_' + u]:
                conf.env.append_value('CFLAGS_' + u, ['-isystem', inc])
            conf.env['INCLUDES_' + u] = []
            conf.env['CFLAGS_' + u + '_HDR'] = conf.env['CFLAGS_' + u]
            conf.env['FOUND_' + u + '_HDR'] = ok
        else:
            raise Errors.ConfigurationError('unexpected dependency kind %s' % dep.kind)
        conf.env['FOUND_' + u] = ok
        return ok

    def find_library(self, dep, dirs):
        u = _uselib(dep)
        self.conf.check_cc(lib=dep.name, libpath=dirs, uselib_store=u,
                           msg='Checking for library ' + dep.name)
        self.conf.env['FOUND_' + u] = True

    def pkgvar(self, pkg, var):
        key = 'PKGVAR_%s_%s' % (_uselib_name(pkg), var)
        if not self.conf.env[key]:
            self.conf.env[key] = subprocess.check_output(
                ['pkg-config', '--variable=' + var, pkg], text=True).strip()
        return self.conf.env[key]


class _BuildHost(object):
    """Answers from what configure recorded."""

    def __init__(self, env):
        self.env = env

    def found(self, dep):
        return bool(self.env['FOUND_' + _uselib(dep)])

    def find_library(self, dep, dirs):
        pass

    def pkgvar(self, pkg, var):
        return self.env['PKGVAR_%s_%s' % (_uselib_name(pkg), var)]


def _uselib_name(name):
    return ''.join(c if c.isalnum() else '_' for c in name).upper()


def _meson_options(env):
    o = {'prefix': env.PREFIX, 'build_root': env.AE_BUILD_ROOT, 'sanitize': False, 'test_seams': False, 'tests': False,
         'libfuzzer': False, 'journal': env.AE_JOURNAL, 'pam_moduledir': env.AE_PAM_MODULEDIR}
    for d in MESON_DIRS:
        o[d] = env['AE_' + d.upper()]
    return o


def _project(ctx, host):
    try:
        return _decl(ctx.path.abspath()).Project(ctx.path.abspath(), _meson_options(ctx.env), host)
    except Exception as err:
        ctx.fatal('reading meson.build: %s' % err)


def configure(conf):
    conf.load('compiler_c')
    o = conf.options
    conf.env.AE_JOURNAL = o.journal
    conf.env.AE_PAM_MODULEDIR = o.pam_moduledir
    by_prefix = dict(MESON_DEFAULT_BY_PREFIX.get(conf.env.PREFIX.rstrip('/'), {}))
    if conf.env.PREFIX.rstrip('/') == '/usr' and os.path.exists('/etc/debian_version'):
        # meson's libdir on Debian: lib/<multiarch>
        arch = subprocess.run(['gcc', '-print-multiarch'], capture_output=True,
                              text=True).stdout.strip()
        by_prefix['libdir'] = 'lib/' + arch if arch else 'lib'
    conf.env.AE_BUILD_ROOT = conf.bldnode.abspath()
    for d in MESON_DIRS:
        v = getattr(o, d) or by_prefix.get(d) or MESON_DEFAULT[d]
        conf.env['AE_' + d.upper()] = v
    p = _project(conf, _ConfHost(conf))
    # meson's default_options: c_std=c11, warning_level=2, buildtype
    # debugoptimized; werror as tests/run builds; then add_project_arguments
    conf.env.append_value('CFLAGS', ['-std=c11', '-Wall', '-Wextra', '-Werror',
                                     '-O2', '-g'] + p.project_args)
    conf.env.AE_VERSION = p.version
    # no HAVE_* defines from the checks: meson's build has none either
    conf.env.DEFINES = []
    for k in list(conf.env.keys()):
        if k.startswith('DEFINES_X_'):
            del conf.env[k]
    conf.msg('Layer targets read from meson.build', str(len(p.targets)))


def _closure(t):
    """Internal libraries, external uselibs and include dirs a target sees:
    its declared dependencies and, transitively, theirs (meson's
    declare_dependency semantics). Nothing else is on its include path."""
    libs, ext, inc = [], [], [t.subdir] + list(t.incdirs)

    def walk(d):
        if d.kind == 'layer':
            for i in d.incdirs:
                if i not in inc:
                    inc.append(i)
            if d.target is not None and d.target.name not in libs:
                libs.append(d.target.name)
            for x in d.deps:
                walk(x)
        elif d.kind == 'none':
            pass    # partial_dependency of a plain library: nothing to compile with
        elif d.kind == 'lib' or d.is_found:
            if _uselib(d) not in ext:
                ext.append(_uselib(d))

    for d in t.deps:
        walk(d)
    return libs, ext, inc


def _paths_header(task):
    """ae_paths.h, the same #defines (and order) as meson's configure_file."""
    cfg = task.generator.ae_cfg
    lines = ['/*', ' * Autogenerated by the Meson build system.',
             ' * Do not edit, your changes will be lost.', ' */', '', '#pragma once', '']
    for k in sorted(cfg):
        meth, v = cfg[k]
        v = '"%s"' % v if meth == 'set_quoted' else str(v)
        lines += ['#define %s %s' % (k, v), '']
    task.outputs[0].write('\n'.join(lines) + '\n')


def build(bld):
    p = _project(bld, _BuildHost(bld.env))
    for out_name, cfg in sorted(p.configs.items()):
        bld(rule=_paths_header, target=out_name, ae_cfg=cfg,
            vars=['AE_' + d.upper() for d in MESON_DIRS] + ['PREFIX'])
    bld.add_group()
    for t in p.targets:
        libs, ext, inc = _closure(t)
        # outputs where meson puts them (source/cli/autoenroll, ...)
        kw = dict(source=t.sources, target=os.path.join(t.subdir, t.name), name=t.name,
                  includes=inc, use=libs + ext,
                  cflags=t.c_args, linkflags=t.link_args)
        if t.kind == 'static_library':
            bld.stlib(**kw)
            continue
        kw['install_path'] = _install_dir(bld, t)
        if t.kind == 'executable':
            if t.export_dynamic:
                kw['linkflags'] = list(kw['linkflags']) + ['-rdynamic']
            for w in t.link_whole:     # every object of the library (the modules use them)
                lib = bld.path.get_bld().make_node(os.path.join(w.subdir, 'lib%s.a' % w.name))
                kw['linkflags'] = list(kw['linkflags']) + [
                    '-Wl,--whole-archive', lib.abspath(), '-Wl,--no-whole-archive']
            bld.program(**kw)
        else:   # shared_module: a dlopen()ed module, no lib prefix
            env = bld.env.derive()
            env.cshlib_PATTERN = '%s.so'
            bld.shlib(env=env, **kw)


def _install_dir(bld, t):
    d = t.install_dir
    if not d:
        return None
    return d if os.path.isabs(d) else os.path.join(bld.env.PREFIX, d)
