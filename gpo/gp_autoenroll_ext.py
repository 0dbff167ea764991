# gp_autoenroll_ext.py: samba-autoenroll's client-side extension for
# samba-gpupdate (Samba 4.17's samba.gp.gpclass interface).
#
# samba-gpupdate loads this file through <state directory>/gpext.conf (see
# gpo/register) and calls process_group_policy() on every policy refresh
# (winbindd's 'apply group policies' timer, or by hand), and rsop() for
# --rsop. The work is done by the autoenroll program:
#
#   Computer target, apply:   <autoenroll:command> -s <smb.conf> run
#   Computer target, --rsop:  <autoenroll:command> -s <smb.conf> policy
#   User target, apply:       <autoenroll:command> -s <smb.conf> run
#                               --user DOMAIN\NAME [--ccache FILE:PATH]
#   User target, --rsop:      <autoenroll:command> -s <smb.conf> policy
#                               --user DOMAIN\NAME
#   --unapply (-X):           nothing (certificates are not removed when the
#                             policy goes away, as on Windows)
#
# The User target (samba-gpupdate --target=User -U NAME; Samba >= 4.18's
# winbindd runs it after each pam_winbind authentication when 'apply group
# policies' is on): samba-gpupdate hands extensions the machine account's
# credentials (self.creds: it fetches the GPO list as the machine) and
# 'DOMAIN\NAME' as self.username; the user's own credentials are not in
# the process. So the command runs as root with --user DOMAIN\NAME and
# autoenroll resolves the user (NSS + winbind), drops to the user's uid,
# gid and groups, and uses the user's ccache: with 'autoenroll:user ccache'
# (a template like pam_winbind's krb5_ccache_type, %u the uid, e.g.
# FILE:/run/user/%u/krb5cc) it is passed as --ccache when it exists and is
# the user's own; without it autoenroll takes krb5's default ccache for the
# uid, where pam_winbind puts the ticket with krb5_ccache_type=FILE
# (FILE:/tmp/krb5cc_<uid>). Samba 4.17's apply_gp() calls a User-target
# extension under drop_privileges() (effective uid and gid changed, real
# uid still 0): the command is started with real and effective ids 0 again
# (Popen user=0, group=0), never with the ids samba-gpupdate dropped to.
# KRB5CCNAME in samba-gpupdate's environment is no way to hand over the
# user's ticket: 4.17's credentials code writes the machine account's TGT
# into the ccache KRB5CCNAME names (as root), so it is not read here.
#
# When it runs: on every refresh of the Computer target, whether or not a
# GPO changed and whether or not samba-gpupdate's GPO list sets AEPolicy.
# Windows runs autoenrollment at every policy refresh too: renewal and
# pending retrieval depend on time, not on GPO changes, and autoenroll
# itself reads the AutoEnrollment policy ([MS-GPOL] GPO list, security
# filtering, Registry.pol per GPO version) and does nothing when AEPolicy
# does not enable it.
#
# Interest: Software\Policies\Microsoft\Cryptography\AutoEnrollment in a
# GPO's MACHINE/Registry.pol (the key Samba's gp_cert_auto_enroll_ext
# reads). It selects the GPOs --rsop shows our section under, and the
# changed GPOs that set it are logged at debug level; it does not gate the
# run (see above).
#
# Logging: samba.gp.util.logging's `log` writes to the root logger, while
# 4.17's samba-gpupdate sets up a logger of its own name, so -d has no
# effect on it: only warnings and errors appear (stderr). A successful run
# (info) is silent; pending (warning) and failures (error) are shown.
#
# smb.conf parametric options (read from the smb.conf samba-gpupdate was
# given, including its --option settings):
#   autoenroll:command            the program       [/usr/sbin/autoenroll]
#   autoenroll:command timeout    seconds before it is killed          [600]
#   autoenroll:user ccache        the user's ccache for the User target,
#                                 %u = uid (e.g. FILE:/tmp/krb5cc_%u)
#                                 [none: krb5's default for the uid]
#   autoenroll:samba cert auto enroll
#                                 yes: leave Samba's built-in
#                                 gp_cert_auto_enroll_ext alone; no: turn it
#                                 into a no-op in this samba-gpupdate process
#                                 (see _install_builtin_switch)       [yes]
#
# A failed run is logged (exit code, its meaning, stderr) and never raised:
# samba-gpupdate goes on with the other extensions and records the GPO
# versions as usual.

import os
import pwd
import signal
import stat
import subprocess
import sys

from samba.gp.gpclass import gp_pol_ext
from samba.gp.util.logging import log

AE_KEY = 'Software\\Policies\\Microsoft\\Cryptography\\AutoEnrollment'
DEFAULT_COMMAND = '/usr/sbin/autoenroll'
DEFAULT_TIMEOUT = 600
OUTPUT_MAX = 4000          # characters of stderr/stdout kept in a log entry
USER_MAX = 256             # bytes of a user name passed to the command
CCACHE_MAX = 1024          # bytes of a ccache name passed to the command
CSE_NAME = 'samba-autoenroll'

# autoenroll's exit codes (README "Exit codes")
EXIT_MEANING = {
    0: 'success',
    1: 'internal error',
    2: 'usage error',
    3: 'pending',
    4: 'denied by the CA',
    5: 'DC, KDC or CA unreachable',
    6: 'misconfigured',
    7: "the CA's answer failed verification",
    8: 'local store error',
}

_TRUE = ('yes', 'true', 'on', '1')
_FALSE = ('no', 'false', 'off', '0')


def _meaning(rc):
    if rc is None:
        return 'no exit code: not run, or killed'
    return EXIT_MEANING.get(rc, 'unknown exit code')


def _lp_bool(lp, name, default):
    """A boolean smb.conf option; an unparsable value gives the default."""
    v = lp.get(name)
    if v is None:
        return default
    s = str(v).strip().lower()
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    log.warning('%s: ignoring %s = %s (not a boolean)' % (CSE_NAME, name, v))
    return default


def _lp_int(lp, name, default, minimum):
    v = lp.get(name)
    if v is None:
        return default
    try:
        n = int(str(v).strip())
    except ValueError:
        n = None
    if n is None or n < minimum:
        log.warning('%s: ignoring %s = %s (want an integer >= %d)'
                    % (CSE_NAME, name, v, minimum))
        return default
    return n


def _tail(data):
    """Decoded process output, stripped, at most OUTPUT_MAX characters
    (the end is kept: that is where the summary and the error are)."""
    if data is None:
        return ''
    if isinstance(data, bytes):
        data = data.decode('utf-8', 'replace')
    data = data.strip()
    if len(data) > OUTPUT_MAX:
        data = '...' + data[-OUTPUT_MAX:]
    return data


def _user_ok(name):
    """A user name fit for the command line: 1..USER_MAX bytes, no leading
    '-', no control character, no '/' or ':' (as pam_autoenroll.so)."""
    if not isinstance(name, str) or not name:
        return False
    if len(name.encode('utf-8', 'replace')) > USER_MAX or name[0] == '-':
        return False
    return not any(ord(c) < 0x20 or ord(c) == 0x7f or c in '/:' for c in name)


def _user_ccache(template, username):
    """The user's ccache from the 'autoenroll:user ccache' template (%u: the
    user's uid, as pam_winbind's krb5_ccache_type), or None: no template,
    an unknown user, a name unfit for a command line, or a FILE/DIR ccache
    that is missing or not the user's own (regular file / directory owned
    by the uid, no symbolic link). Other types (KEYRING:, KCM:) are passed
    as they are: the user's own session reaches them."""
    if not template:
        return None
    try:
        uid = pwd.getpwnam(username).pw_uid
    except KeyError:
        return None
    cc = template.replace('%u', str(uid))
    if len(cc) > CCACHE_MAX or cc.startswith('-') or \
            any(ord(c) < 0x20 or ord(c) == 0x7f for c in cc):
        return None
    kind, sep, rest = cc.partition(':')
    if not sep and cc.startswith('/'):
        kind, rest = 'FILE', cc
    if kind not in ('FILE', 'DIR'):
        return cc if sep else None
    if not rest.startswith('/'):
        return None
    try:
        st = os.lstat(rest)
    except OSError:
        return None
    ok = stat.S_ISREG(st.st_mode) if kind == 'FILE' else \
        stat.S_ISDIR(st.st_mode)
    if not ok or st.st_uid != uid:
        return None
    return '%s:%s' % (kind, rest)


class _as_root(object):
    """Effective uid and gid 0 for the block, then back to what they were:
    Samba 4.17's apply_gp() runs User-target extensions under
    drop_privileges() (real uid 0, effective ids of another account), and
    the user's ccache is checked and the command started as root. A
    process whose real uid is not 0 is left as it is (the command then
    fails with its own message)."""

    def __enter__(self):
        self.ids = (os.geteuid(), os.getegid())
        if os.getuid() == 0 and self.ids != (0, 0):
            os.seteuid(0)
            os.setegid(0)
        return self

    def __exit__(self, *exc):
        if (os.geteuid(), os.getegid()) != self.ids:
            os.setegid(self.ids[1])
            os.seteuid(self.ids[0])
        return False


def _format_value(name, data):
    """A Registry.pol value as text; AEPolicy with its flags ([MS-CAESO]
    4.4.5.1: 0x1 enroll, 0x2 manage, 0x4 pending, 0x8000 disabled)."""
    if name == 'AEPolicy' and isinstance(data, int):
        flags = [n for bit, n in ((0x1, 'enroll'), (0x2, 'manage'),
                                  (0x4, 'pending'), (0x8000, 'disabled'))
                 if data & bit]
        return '%d (0x%x: %s)' % (data, data, '|'.join(flags) or 'none')
    if isinstance(data, (bytes, bytearray)):
        return data.hex()
    if isinstance(data, (list, tuple)):
        return ', '.join(str(d) for d in data)
    return str(data)


def _gpupdate_context(username):
    """(phase, target) of the samba-gpupdate call we are in: phase is
    'apply', 'unapply' or 'rsop', target 'Computer' or 'User'.

    samba.gp.gpclass does not tell an extension which target or phase it is
    called for (gp_log's state is not shared with the extension's own
    gp_log), so read them from the calling frame of apply_gp(), unapply_gp()
    or rsop(), whose 'target' argument is the --target option. Without such
    a frame (another caller): apply, and Computer for a machine account
    name (NAME$)."""
    phases = {'apply_gp': 'apply', 'unapply_gp': 'unapply', 'rsop': 'rsop'}
    f = sys._getframe(1)
    while f is not None:
        if f.f_globals.get('__name__') == 'samba.gp.gpclass' and \
                f.f_code.co_name in phases:
            target = f.f_locals.get('target')
            if target in ('Computer', 'User'):
                return phases[f.f_code.co_name], target
        f = f.f_back
    machine = str(username or '').endswith('$')
    return 'apply', 'Computer' if machine else 'User'


class gp_autoenroll_ext(gp_pol_ext):
    # --rsop calls rsop() once per GPO, on a new instance each time: the
    # resultant policy is machine-wide, so `autoenroll policy` runs once per
    # process and is shown under the first GPO that sets AutoEnrollment
    # values. Keyed by (command, smb.conf).
    _policy_shown = set()

    def __str__(self):
        return CSE_NAME

    # ---------------------------------------------------------- helpers --
    def _command(self):
        return self.lp.get('autoenroll:command') or DEFAULT_COMMAND

    def _configfile(self):
        return self.lp.configfile

    def _argv(self, args):
        argv = [self._command()]
        conf = self._configfile()
        if conf:
            argv += ['-s', conf]
        return argv + list(args)

    def _run(self, *args):
        """Run `<command> -s <smb.conf> ARGS...` as root. Returns (rc,
        stdout, stderr); rc is None when it could not be run or was killed
        (the reason is in stderr). Never raises."""
        argv = self._argv(args)
        # as root even under samba-gpupdate's drop_privileges() (User
        # target): real uid 0, effective ids those of another account
        ids = {}
        if os.geteuid() != 0 or os.getegid() != 0:
            if os.getuid() != 0:
                return None, '', 'cannot run %s: not running as root' % argv[0]
            ids = {'user': 0, 'group': 0}
        timeout = _lp_int(self.lp, 'autoenroll:command timeout',
                          DEFAULT_TIMEOUT, 1)
        try:
            # its own process group: on timeout the whole group is killed,
            # so no child of it keeps the pipes (and us) waiting
            p = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE,
                                 start_new_session=True, **ids)
        except OSError as e:
            hint = '' if self.lp.get('autoenroll:command') else \
                ' (set autoenroll:command in smb.conf)'
            return None, '', 'cannot run %s: %s%s' % (
                argv[0], e.strerror or e, hint)
        try:
            out, err = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except OSError:
                pass
            out, err = p.communicate()
            return None, _tail(out), \
                'killed after %d s (autoenroll:command timeout)%s' % (
                    timeout, ('; stderr: ' + _tail(err)) if err else '')
        return p.returncode, _tail(out), _tail(err)

    def _gpo_values(self, gpo, target='Computer'):
        """The AutoEnrollment values a GPO's MACHINE/Registry.pol (USER/ for
        the User target) sets (from samba-gpupdate's gpo_cache), as {value
        name: text}; {} when none or unreadable."""
        if not gpo.file_sys_path:
            return {}
        pol_name = 'USER/Registry.pol' if target == 'User' else \
            'MACHINE/Registry.pol'
        try:
            pol = self.parse(os.path.join(gpo.file_sys_path, pol_name))
        except Exception as e:
            log.warning('%s: cannot read %s of %s: %s'
                        % (CSE_NAME, pol_name, gpo.name, e))
            return {}
        if not pol:
            return {}
        values = {}
        for e in pol.entries:
            if e.keyname.lower() != AE_KEY.lower() or not e.valuename:
                continue
            values[e.valuename] = _format_value(e.valuename, e.data)
        return values

    # ------------------------------------------------------------ apply --
    def process_group_policy(self, deleted_gpo_list, changed_gpo_list):
        try:
            with _as_root():
                self._process(deleted_gpo_list, changed_gpo_list)
        except Exception as e:  # never break samba-gpupdate's run
            log.error('%s: unexpected error' % CSE_NAME,
                      {'error': '%s: %s' % (type(e).__name__, e)})

    def _process(self, deleted_gpo_list, changed_gpo_list):
        phase, target = _gpupdate_context(self.username)
        if phase == 'unapply':
            log.debug('%s: unapply leaves certificates in place' % CSE_NAME)
            return
        setters = [g.name for g in changed_gpo_list
                   if self._gpo_values(g, target)]
        log.debug('%s: running autoenroll' % CSE_NAME,
                  {'target': target,
                   'changed GPOs': len(changed_gpo_list),
                   'changed GPOs with AutoEnrollment values': setters,
                   'deleted GPOs': len(deleted_gpo_list)})
        if target == 'User':
            args = self._user_args('run')
            if args is None:
                return
            what = 'autoenroll run --user %s' % self.username
        else:
            args = ['run']
            what = 'autoenroll run'
        rc, out, err = self._run(*args)
        data = {'command': ' '.join(self._argv(args)),
                'exit code': rc,
                'meaning': _meaning(rc)}
        if rc == 0:
            data['summary'] = out
            if err:
                data['stderr'] = err
            log.info('%s: %s done' % (CSE_NAME, what), data)
        elif rc == 3:
            data['summary'] = out
            data['stderr'] = err
            log.warning('%s: %s: a request is pending' % (CSE_NAME, what),
                        data)
        else:
            data['stderr'] = err
            if out:
                data['stdout'] = out
            log.error('%s: %s failed' % (CSE_NAME, what), data)

    def _user_args(self, verb):
        """[verb, '--user', NAME(, '--ccache', CC)] for the User target's
        self.username ('DOMAIN\\NAME'), or None (logged) when the name is
        not fit for a command line."""
        name = self.username
        if not _user_ok(name):
            log.error('%s: user name %r not passed to autoenroll (empty, '
                      'too long, a leading "-" or a control character)'
                      % (CSE_NAME, name))
            return None
        args = [verb, '--user', name]
        if verb == 'run':
            template = self.lp.get('autoenroll:user ccache')
            cc = _user_ccache(template, name)
            if cc:
                args += ['--ccache', cc]
            elif template:
                log.warning('%s: no ccache of %s at %s; autoenroll uses '
                            "krb5's default for the user"
                            % (CSE_NAME, name, template))
        return args

    # ------------------------------------------------------------- rsop --
    def rsop(self, gpo):
        try:
            return self._rsop(gpo)
        except Exception as e:
            log.error('%s: unexpected error in rsop' % CSE_NAME,
                      {'error': '%s: %s' % (type(e).__name__, e)})
            return {}

    def _rsop(self, gpo):
        phase, target = _gpupdate_context(self.username)
        values = self._gpo_values(gpo, target)
        if not values:
            return {}
        output = {'AutoEnrollment values in this GPO': values}
        args = ['policy'] if target != 'User' else self._user_args('policy')
        if args is None:
            return output
        key = (self._command(), self._configfile(), target,
               self.username if target == 'User' else None)
        if key in gp_autoenroll_ext._policy_shown:
            return output
        gp_autoenroll_ext._policy_shown.add(key)
        rc, out, err = self._run(*args)
        if rc == 0:
            text = out
        else:
            text = 'autoenroll policy failed: exit %s (%s)%s' % (
                rc, _meaning(rc),
                (': ' + err) if err else '')
        # __rsop_vals prints a string as it is: indent it under the section
        output['autoenroll policy (resultant, all GPOs)'] = \
            '\n'.join('      ' + line for line in text.splitlines())
        return output


def _install_builtin_switch():
    """Samba's built-in gp_cert_auto_enroll_ext is hard-wired into
    samba-gpupdate's Computer list (not in gpext.conf), and 4.17 has no way to
    turn it off. It enrolls through certmonger + cepces; without them it
    copies the CA certificates into <cache>/certs and logs a warning, and with
    certmonger but no cepces-submit (and in --rsop whenever cepces-submit is
    missing) it raises TypeError, which ends samba-gpupdate --rsop.

    With 'autoenroll:samba cert auto enroll = no' its process_group_policy()
    and rsop() do nothing in this process. The switch is read per call from
    the extension's own lp, so the default (yes) changes nothing. The module
    object is the one samba-gpupdate imported (sys.modules), so the class
    patched here is the class samba-gpupdate instantiates. It takes effect
    only while this extension is registered (gpext.conf is what loads this
    file)."""
    try:
        from samba.gp import gp_cert_auto_enroll_ext as builtin
    except Exception:
        return
    cls = getattr(builtin, 'gp_cert_auto_enroll_ext', None)
    if cls is None or getattr(cls, '_samba_autoenroll_switch', False):
        return
    orig_process = cls.process_group_policy
    orig_rsop = cls.rsop

    def enabled(ext):
        return _lp_bool(ext.lp, 'autoenroll:samba cert auto enroll', True)

    def process_group_policy(self, *args, **kwargs):
        if not enabled(self):
            log.debug('%s: Samba\'s %s is turned off by '
                      'autoenroll:samba cert auto enroll = no'
                      % (CSE_NAME, str(self)))
            return None
        return orig_process(self, *args, **kwargs)

    def rsop(self, gpo):
        if not enabled(self):
            return {}
        return orig_rsop(self, gpo)

    cls.process_group_policy = process_group_policy
    cls.rsop = rsop
    cls._samba_autoenroll_switch = True


_install_builtin_switch()
