#!/usr/bin/python3
"""Facts of one `autoenroll run --json` answer for bench/cycle, one
KEY=VALUE a line.

usage: facts.py RUN_JSON [PREFIX]

store, counts (the JSON's counts as text), requests, rpc_binds,
ldap_searches, smb_reads; summary (the templates acted on, with action and
result, and how many were skipped); acted (items not skipped), enrolled
(action enroll), done (result done), polled (retrieves still pending),
prefix_done (items whose template starts with PREFIX, default CycleTpl,
that are done); pending_ids (request ids left pending, space separated),
and pending_id, pending_tpl, pending_ca of the first one.
"""
import json
import sys


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    prefix = sys.argv[2] if len(sys.argv) == 3 else 'CycleTpl'
    with open(sys.argv[1]) as f:
        d = json.load(f)
    items = d.get('items', [])
    c = d.get('counts', {})
    acted = [x for x in items if x.get('action') != 'skip']
    pending = [x for x in acted if x.get('result') == 'pending']
    keys = ('requests', 'rpc_binds', 'ldap_searches', 'smb_reads')
    out = {
        'store': d.get('store'),
        'noop': 'true' if d.get('noop') else 'false',
        'counts': ', '.join('%s %s' % (k, c.get(k)) for k in keys),
        'acted': len(acted),
        'enrolled': sum(1 for x in acted if x.get('action') == 'enroll'),
        'done': sum(1 for x in acted if x.get('result') == 'done'),
        'polled': sum(1 for x in pending if x.get('action') == 'retrieve'),
        'prefix_done': sum(1 for x in acted if x.get('result') == 'done' and
                           str(x.get('template', '')).startswith(prefix)),
        'pending_ids': ' '.join(str(x.get('request_id')) for x in pending),
        'pending_id': pending[0].get('request_id') if pending else '',
        'pending_tpl': pending[0].get('template') if pending else '',
        'pending_ca': pending[0].get('ca') if pending else '',
    }
    for k in keys:
        out[k] = c.get(k)
    # the templates acted on, PREFIX* ones folded into one group
    groups = {}
    names = []
    for x in acted:
        t = str(x.get('template'))
        key = (prefix + '*' if t.startswith(prefix) else t, x.get('action'), x.get('result'))
        if key not in groups:
            groups[key] = 0
            names.append(key)
        groups[key] += 1
    parts = ['%s%s %s -> %s' % ('%d x ' % groups[k] if k[0].endswith('*') else '', k[0], k[1], k[2])
             for k in names]
    parts.append('%d skipped' % (len(items) - len(acted)))
    out['summary'] = ', '.join(parts)
    for k, v in out.items():
        print('%s=%s' % (k, '' if v is None else v))


if __name__ == '__main__':
    main()
