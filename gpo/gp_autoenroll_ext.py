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
#   User target:              nothing yet (logged at debug level)
#   --unapply (-X):           nothing (certificates are not removed when the
#                             policy goes away, as on Windows)
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
import signal
import subprocess
import sys

from samba.gp.gpclass import gp_pol_ext
from samba.gp.util.logging import log

AE_KEY = 'Software\\Policies\\Microsoft\\Cryptography\\AutoEnrollment'
DEFAULT_COMMAND = '/usr/sbin/autoenroll'
DEFAULT_TIMEOUT = 600
OUTPUT_MAX = 4000          # characters of stderr/stdout kept in a log entry
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

    def _run(self, verb):
        """Run `<command> -s <smb.conf> <verb>`. Returns (rc, stdout,
        stderr); rc is None when it could not be run or was killed (the
        reason is in stderr). Never raises."""
        argv = [self._command()]
        conf = self._configfile()
        if conf:
            argv += ['-s', conf]
        argv.append(verb)
        timeout = _lp_int(self.lp, 'autoenroll:command timeout',
                          DEFAULT_TIMEOUT, 1)
        try:
            # its own process group: on timeout the whole group is killed,
            # so no child of it keeps the pipes (and us) waiting
            p = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE,
                                 start_new_session=True)
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

    def _gpo_values(self, gpo):
        """The AutoEnrollment values a GPO's MACHINE/Registry.pol sets (from
        samba-gpupdate's gpo_cache), as {value name: text}; {} when none or
        unreadable."""
        if not gpo.file_sys_path:
            return {}
        try:
            pol = self.parse(os.path.join(gpo.file_sys_path,
                                          'MACHINE/Registry.pol'))
        except Exception as e:
            log.warning('%s: cannot read MACHINE/Registry.pol of %s: %s'
                        % (CSE_NAME, gpo.name, e))
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
            self._process(deleted_gpo_list, changed_gpo_list)
        except Exception as e:  # never break samba-gpupdate's run
            log.error('%s: unexpected error' % CSE_NAME,
                      {'error': '%s: %s' % (type(e).__name__, e)})

    def _process(self, deleted_gpo_list, changed_gpo_list):
        phase, target = _gpupdate_context(self.username)
        if target != 'Computer':
            log.debug('%s: nothing to do for the User target yet' % CSE_NAME,
                      {'user': self.username})
            return
        if phase == 'unapply':
            log.debug('%s: unapply leaves certificates in place' % CSE_NAME)
            return
        setters = [g.name for g in changed_gpo_list if self._gpo_values(g)]
        log.debug('%s: running autoenroll' % CSE_NAME,
                  {'changed GPOs': len(changed_gpo_list),
                   'changed GPOs with AutoEnrollment values': setters,
                   'deleted GPOs': len(deleted_gpo_list)})
        rc, out, err = self._run('run')
        data = {'command': '%s -s %s run' % (self._command(),
                                             self._configfile()),
                'exit code': rc,
                'meaning': _meaning(rc)}
        if rc == 0:
            data['summary'] = out
            if err:
                data['stderr'] = err
            log.info('%s: autoenroll run done' % CSE_NAME, data)
        elif rc == 3:
            data['summary'] = out
            data['stderr'] = err
            log.warning('%s: autoenroll run: a request is pending' % CSE_NAME,
                        data)
        else:
            data['stderr'] = err
            if out:
                data['stdout'] = out
            log.error('%s: autoenroll run failed' % CSE_NAME, data)

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
        if target != 'Computer':
            return {}
        values = self._gpo_values(gpo)
        if not values:
            return {}
        output = {'AutoEnrollment values in this GPO': values}
        key = (self._command(), self._configfile())
        if key in gp_autoenroll_ext._policy_shown:
            return output
        gp_autoenroll_ext._policy_shown.add(key)
        rc, out, err = self._run('policy')
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
