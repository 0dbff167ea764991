"""Shared helpers of tests/fuzz/fuzz-for, fuzz-merge and fuzz-report.

The targets: tests/fuzz/fuzz_<name>.c (corpus tests/fuzz/corpus/<name>/) and
tests/ca/fuzz_<name>.c (corpus tests/ca/corpus/<name>/). The libFuzzer tree
is $FUZZ_BUILD (default <repo>/build-libfuzzer), configured with
  CC=clang meson setup $FUZZ_BUILD -Dlibfuzzer=true -Dsanitize=true -Dtest_seams=true
The work area ($FUZZ_WORK, default $FUZZ_BUILD/fuzz-work) holds, per target,
corpus/ (the inputs found by the runs, kept between runs) and crashes/.
"""
import glob
import os
import re
import subprocess
import sys

FUZZ_DIR = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(FUZZ_DIR))
BUILD = os.path.abspath(os.environ.get('FUZZ_BUILD', os.path.join(REPO, 'build-libfuzzer')))
WORK = os.path.abspath(os.environ.get('FUZZ_WORK', os.path.join(BUILD, 'fuzz-work')))
LOG = os.path.abspath(os.environ.get('FUZZ_LOG', os.path.join(FUZZ_DIR, 'fuzz-log.jsonl')))
# a committed corpus file named like this was written by libFuzzer (merge);
# any other name is a hand-made seed or a regression input: kept as it is
SHA1_NAME = re.compile(r'^[0-9a-f]{40}$')


def targets():
    """{name: (source dir relative to the build tree, committed corpus dir)}"""
    found = {}
    for sub in ('tests/fuzz', 'tests/ca'):
        for src in sorted(glob.glob(os.path.join(REPO, sub, 'fuzz_*.c'))):
            name = os.path.basename(src)[len('fuzz_'):-len('.c')]
            found[name] = (sub, os.path.join(REPO, sub, 'corpus', name))
    return found


def pick(names):
    all_t = targets()
    if not names:
        return all_t
    bad = [n for n in names if n not in all_t]
    if bad:
        sys.exit('unknown fuzz target(s): %s (known: %s)' % (' '.join(bad), ' '.join(all_t)))
    return {n: all_t[n] for n in names}


def binary(name, sub):
    return os.path.join(BUILD, sub, 'fuzz_' + name)


def ensure_build(chosen):
    """Configure the libFuzzer tree when missing, then build the chosen targets."""
    if not os.path.exists(os.path.join(BUILD, 'build.ninja')):
        env = dict(os.environ, CC=os.environ.get('FUZZ_CC', 'clang'))
        subprocess.run(['meson', 'setup', BUILD, '-Dlibfuzzer=true', '-Dsanitize=true',
                        '-Dtest_seams=true'], cwd=REPO, env=env, check=True)
    ninja_targets = [os.path.join(sub, 'fuzz_' + n) for n, (sub, _) in chosen.items()]
    subprocess.run(['nice', '-n', os.environ.get('FUZZ_NICE', '19'), 'ninja', '-C', BUILD]
                   + ninja_targets, check=True)
    probe = binary(*next(iter((n, s) for n, (s, _) in chosen.items())))
    out = subprocess.run([probe, '-help=1'], capture_output=True, text=True)
    if 'max_total_time' not in out.stderr + out.stdout:
        sys.exit('%s is not a libFuzzer binary: configure %s with -Dlibfuzzer=true' %
                 (probe, BUILD))


def files_in(d):
    if not os.path.isdir(d):
        return []
    return [os.path.join(d, f) for f in sorted(os.listdir(d))
            if os.path.isfile(os.path.join(d, f))]


def git_commit():
    r = subprocess.run(['git', '-C', REPO, 'rev-parse', '--short=12', 'HEAD'],
                       capture_output=True, text=True)
    return r.stdout.strip() or 'unknown'
