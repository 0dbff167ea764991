# meson_decl.py: reads the targets meson.build declares, for the waf build
# (wscript). meson stays the one place where the source list, the layer
# dependencies and the compile flags are written; this evaluates the small
# part of meson's language those declarations use (strings, lists, +, /,
# ?:, identifiers, a few functions and methods) and refuses anything else,
# so a construct it does not know stops `waf configure` instead of being
# silently dropped. Statements inside the top-level meson.build's if/endif
# blocks are skipped (the sanitizer and test-only settings, which the
# product build does not use); an if or foreach in a layer's meson.build is
# an error. Only the subdir()s under source/ (the code) are read.
import os
import re

_TOKEN = re.compile(r"""
    (?P<ws>[ \t]+|\\\n)
  | (?P<comment>\#[^\n]*)
  | (?P<nl>\n)
  | (?P<str>'(?:[^'\\\n]|\\.)*')
  | (?P<num>\d+)
  | (?P<name>[A-Za-z_]\w*)
  | (?P<op>==|!=|[-+/*()\[\]{},:.?=])
""", re.X)


class MesonError(Exception):
    pass


class TargetError(Exception):
    """A target the build needs could not be read: always fatal."""


def _tokens(text, fname):
    pos, out = 0, []
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise MesonError('%s: cannot read %r' % (fname, text[pos:pos + 20]))
        pos = m.end()
        kind = m.lastgroup
        if kind in ('ws', 'comment'):
            continue
        val = m.group(kind)
        if kind == 'str':
            val = re.sub(r"\\(.)", r"\1", val[1:-1])
        out.append((kind, val))
    out.append(('nl', '\n'))
    return out


def _statements(toks):
    """Split into statements: newline at bracket depth 0 ends one."""
    depth, cur = 0, []
    for t in toks:
        if t[0] == 'op' and t[1] in '([{':
            depth += 1
        elif t[0] == 'op' and t[1] in ')]}':
            depth -= 1
        if t[0] == 'nl':
            if depth == 0:
                if cur:
                    yield cur
                cur = []
            continue
        cur.append(t)
    if cur:
        yield cur


class _Parser(object):
    """Expressions: ternary > or-less binary (+, /) > postfix (call, method)."""

    def __init__(self, toks, fname):
        self.t, self.i, self.fname = toks, 0, fname

    def peek(self, val=None):
        if self.i >= len(self.t):
            return None
        tok = self.t[self.i]
        if val is not None:
            return tok if tok[1] == val and tok[0] in ('op', 'name') else None
        return tok

    def take(self, val=None):
        tok = self.peek(val)
        if tok is None:
            raise MesonError('%s: expected %r at %r' % (self.fname, val, self.t[self.i:self.i + 4]))
        self.i += 1
        return tok

    def expr(self):
        e = self.binary()
        if self.peek('?'):
            self.take('?')
            a = self.expr()
            self.take(':')
            b = self.expr()
            return ('?', e, a, b)
        return e

    def binary(self):
        e = self.sum()
        while self.peek('==') or self.peek('!='):
            op = self.take()[1]
            e = (op, e, self.sum())
        return e

    def sum(self):
        e = self.postfix()
        while self.peek('+') or self.peek('/'):
            op = self.take()[1]
            e = (op, e, self.postfix())
        return e

    def postfix(self):
        e = self.atom()
        while True:
            if self.peek('('):
                e = ('call', e, self.args())
            elif self.peek('.'):
                self.take('.')
                e = ('attr', e, self.take()[1])
            else:
                return e

    def args(self):
        self.take('(')
        pos, kw = [], {}
        while not self.peek(')'):
            if self.peek()[0] == 'name' and self.t[self.i + 1] == ('op', ':'):
                k = self.take()[1]
                self.take(':')
                kw[k] = self.expr()
            else:
                pos.append(self.expr())
            if not self.peek(')'):
                self.take(',')
        self.take(')')
        return pos, kw

    def atom(self):
        tok = self.take()
        if tok[0] == 'str':
            return ('lit', tok[1])
        if tok[0] == 'num':
            return ('lit', int(tok[1]))
        if tok == ('name', 'true') or tok == ('name', 'false'):
            return ('lit', tok[1] == 'true')
        if tok[0] == 'name':
            return ('id', tok[1])
        if tok == ('op', '('):
            e = self.expr()
            self.take(')')
            return e
        if tok == ('op', '['):
            items = []
            while not self.peek(']'):
                items.append(self.expr())
                if not self.peek(']'):
                    self.take(',')
            self.take(']')
            return ('list', items)
        raise MesonError('%s: unexpected %r' % (self.fname, tok))


class Dep(object):
    """A dependency: external (pkg-config / library) or one of our layers."""

    def __init__(self, kind, name, optional=False, target=None, deps=(), incdirs=()):
        self.kind, self.name, self.optional = kind, name, optional
        self.target, self.deps, self.incdirs = target, list(deps), list(incdirs)
        self.required, self.version, self.is_found = True, None, False


class Target(object):
    def __init__(self, kind, name, subdir, sources, deps, c_args, link_args, incdirs):
        self.kind, self.name, self.subdir = kind, name, subdir
        self.sources, self.deps = sources, deps
        self.c_args, self.link_args, self.incdirs = c_args, link_args, incdirs


class Project(object):
    """Evaluates meson.build and the subdir()s it names (outside if blocks).

    options: meson option name -> value (prefix, sbindir, ...);
    host: found(Dep) -> bool, whether waf found an external dependency;
    pkgvar(pkg, var) -> str, a pkg-config variable.
    """

    def __init__(self, srcdir, options, host):
        self.srcdir, self.options, self.host = srcdir, options, host
        self.vars, self.targets, self.project_args = {}, [], []
        self.version, self.configs, self.subdirs = None, {}, []
        self._file('')

    # -- statements
    def _file(self, subdir):
        fname = os.path.join(subdir, 'meson.build')
        with open(os.path.join(self.srcdir, fname)) as f:
            toks = _tokens(f.read(), fname)
        depth = 0
        for st in _statements(toks):
            head = st[0]
            if head == ('name', 'if') or head == ('name', 'foreach'):
                if subdir:
                    # a conditional source or dependency would be dropped
                    raise TargetError('%s: if/foreach is only read in the top-level '
                                      'meson.build (its sanitizer and test blocks)' % fname)
                depth += 1
                continue
            if head in (('name', 'endif'), ('name', 'endforeach')):
                depth -= 1
                continue
            if depth or head in (('name', 'else'), ('name', 'elif')):
                continue
            self.subdir_now = subdir
            try:
                p = _Parser(st, fname)
                name = None
                if len(st) > 1 and st[0][0] == 'name' and st[1] == ('op', '='):
                    name = p.take()[1]
                    p.take('=')
                elif len(st) > 2 and st[0][0] == 'name' and st[1:3] == [('op', '+'), ('op', '=')]:
                    name = st[0][1]     # x += e is x = x + e
                    p.take()
                    p.take('+')
                    p.take('=')
                    p.t = p.t[:p.i] + [('name', name), ('op', '+')] + p.t[p.i:]
                    st = p.t
                e = p.expr()
                if p.i != len(st):
                    raise MesonError('%s: trailing %r' % (fname, st[p.i:]))
            except MesonError as err:
                raise TargetError(str(err))     # cannot parse: fatal
            v = self._lazy(e)
            if name:
                self.vars[name] = v

    def _lazy(self, e):
        """Evaluate now; what cannot be evaluated stays an error value
        that fails only if something the product build needs uses it."""
        try:
            return self.ev(e)
        except (MesonError, TypeError, KeyError) as err:
            return ('error', str(err))

    # -- expressions
    def ev(self, e):
        k = e[0]
        if k == 'lit':
            return e[1]
        if k == 'list':
            return [self.ev(x) for x in e[1]]
        if k == 'id':
            if e[1] not in self.vars:
                raise MesonError('unknown variable %s' % e[1])
            v = self.vars[e[1]]
            if isinstance(v, tuple) and v and v[0] == 'error':
                raise MesonError('%s: %s' % (e[1], v[1]))
            return v
        if k == '?':
            return self.ev(e[2]) if self.ev(e[1]) else self.ev(e[3])
        if k == '+':
            a, b = self.ev(e[1]), self.ev(e[2])
            if isinstance(a, list) and not isinstance(b, list):
                b = [b]
            return a + b
        if k in ('==', '!='):
            return (self.ev(e[1]) == self.ev(e[2])) == (k == '==')
        if k == '/':
            a, b = self.ev(e[1]), self.ev(e[2])
            return os.path.join(a, b)   # like meson: an absolute b wins
        if k == 'call':
            return self.call(e[1], e[2])
        raise MesonError('cannot evaluate %r' % (e,))

    def call(self, fn, args):
        pos, kw = args
        if fn[0] == 'attr':
            return self.method(fn[1], fn[2], pos, kw)
        if fn[0] != 'id':
            raise MesonError('cannot call %r' % (fn,))
        name = fn[1]
        sub = self.subdir_now
        if name == 'project':
            self.version = self.ev(kw['version'])
            return None
        if name == 'add_project_arguments':
            for a in pos:
                v = self.ev(a)
                self.project_args += v if isinstance(v, list) else [v]
            return None
        if name == 'get_option':
            o = self.ev(pos[0])
            if o not in self.options:
                raise MesonError('option %s not known to the waf build' % o)
            return self.options[o]
        if name == 'subdir':
            d = os.path.join(sub, self.ev(pos[0]))
            if not d.startswith('source' + os.sep):
                return None     # data, man pages, gpo scripts: meson's
            self.subdirs.append(d)
            self._file(d)
            self.subdir_now = sub
            return None
        if name == 'dependency':
            pkg = self.ev(pos[0])
            d = Dep('threads' if pkg == 'threads' else 'pkg', pkg)
            # True, False, or a feature option's 'enabled'/'auto'/'disabled'
            d.required = self.ev(kw['required']) if 'required' in kw else True
            d.version = self.ev(kw['version']) if 'version' in kw else None
            d.is_found = self.host.found(d)
            return d
        if name == 'include_directories':
            return [os.path.normpath(os.path.join(sub, self.ev(x))) for x in pos]
        if name == 'files':
            return [os.path.join(sub, self.ev(x)) for x in pos]
        if name == 'declare_dependency':
            lw = self.ev(kw['link_with']) if 'link_with' in kw else None
            return Dep('layer', lw.name if lw else '', target=lw,
                       deps=self._flat(kw.get('dependencies')),
                       incdirs=self._flat(kw.get('include_directories')))
        if name == 'configuration_data':
            cfg = {}
            return ('config', cfg)
        if name == 'configure_file':
            cfg = self.ev(kw['configuration'])[1]
            self.configs[os.path.join(sub, self.ev(kw['output']))] = cfg
            return None
        if name in ('static_library', 'executable', 'shared_module'):
            return self.target(name, pos, kw)
        raise MesonError('function %s() not known to the waf build' % name)

    def _flat(self, e):
        if e is None:
            return []
        v = self.ev(e)
        out = []
        for x in (v if isinstance(v, list) else [v]):
            out += x if isinstance(x, list) else [x]
        return out

    def method(self, obj, meth, pos, kw):
        if obj == ('id', 'meson'):
            if meth == 'project_version':
                return self.version
            if meth == 'current_source_dir':
                return os.path.join(self.srcdir, self.subdir_now)
            if meth == 'project_source_root':
                return self.srcdir
            if meth == 'project_build_root':
                if 'build_root' not in self.options:
                    raise MesonError('meson.project_build_root(): no build_root given')
                return self.options['build_root']
            if meth == 'get_compiler':
                return None
            raise MesonError('meson.%s() not known to the waf build' % meth)
        if obj == ('id', 'cc') and meth == 'find_library':
            d = Dep('lib', self.ev(pos[0]))
            self.host.find_library(d, self._flat(kw.get('dirs')))
            d.is_found = True
            return d
        o = self.ev(obj)
        if isinstance(o, Dep) and meth == 'partial_dependency':
            return self._partial(o, kw)
        if isinstance(o, Target) and meth == 'full_path':
            return self.method(('id', 'meson'), 'project_build_root', [], {}) and \
                os.path.join(self.options['build_root'], o.subdir,
                             o.name + ('.so' if o.kind == 'shared_module' else ''))
        if isinstance(o, Dep) and meth == 'found':
            return o.is_found
        if isinstance(o, Dep) and meth == 'get_variable':
            return self.host.pkgvar(o.name, self.ev(kw['pkgconfig']))
        if isinstance(o, tuple) and o[0] == 'config' and meth in ('set_quoted', 'set'):
            o[1][self.ev(pos[0])] = (meth, self.ev(pos[1]))
            return None
        raise MesonError('method %s() not known to the waf build' % meth)

    def _partial(self, d, kw):
        """dep.partial_dependency(compile_args: true, includes: true): its
        headers and compile flags, nothing linked (waf: the uselib's CFLAGS
        only, under <uselib>_HDR)."""
        for k in kw:
            if k not in ('compile_args', 'includes') or not self.ev(kw[k]):
                raise MesonError('partial_dependency(%s: ...) not known to the waf build' % k)
        if d.kind == 'layer':
            return Dep('layer', '', deps=[self._partial(x, kw) for x in d.deps],
                       incdirs=d.incdirs)
        h = Dep('hdr' if d.kind == 'pkg' else 'none', d.name)
        h.is_found = d.is_found
        return h

    def target(self, kind, pos, kw):
        try:
            return self._target(kind, pos, kw)
        except (MesonError, TypeError, KeyError) as err:
            raise TargetError('%s/meson.build: %s(): %s' % (self.subdir_now, kind, err))

    def _target(self, kind, pos, kw):
        sub = self.subdir_now
        name = self.ev(pos[0])
        srcs = []
        for p in pos[1:]:
            v = self.ev(p)
            srcs += v if isinstance(v, list) else [v]
        for s in srcs:
            if not isinstance(s, str) or not s.endswith('.c'):
                raise MesonError('%s: source %r is not a .c file' % (name, s))
        t = Target(kind, name, sub, [os.path.join(sub, s) for s in srcs],
                   self._flat(kw.get('dependencies')),
                   self._flat(kw.get('c_args')), self._flat(kw.get('link_args')),
                   self._flat(kw.get('include_directories')))
        t.export_dynamic = 'export_dynamic' in kw and bool(self.ev(kw['export_dynamic']))
        t.link_whole = self._flat(kw.get('link_whole'))
        t.install_dir = None
        if 'install' in kw and self.ev(kw['install']) and 'install_dir' in kw:
            t.install_dir = self.ev(kw['install_dir'])
        self.targets.append(t)
        return t
