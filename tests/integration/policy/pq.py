#!/usr/bin/python3
"""pq.py FILE EXPR: evaluate a Python expression over the JSON object that
`autoenroll ... --json` printed into FILE (text around the object, if any,
is skipped) and print the result: a string as is, None as "null", anything
else as JSON. Exit 3 when FILE holds no JSON object, 4 when EXPR fails.

Names bound for EXPR:
  d            the object
  gpo(name)    the gpos.applied element whose display_name is name (or None)
  gpos()       display names of gpos.applied, in order (lowest precedence first)
  excl(key)    the gpos.excluded element whose display_name is key or whose
               dn contains key (a "{GUID}"; case-insensitive), or None
  tpl(name)    the templates element whose name is name (or None)
  ep(subkey)   the settings.policy_servers.endpoints element with that subkey
  errs(text)   the errors elements one of whose fields contains text
               (case-insensitive)
  aep()        settings.autoenrollment.aepolicy ({"value", "source"} or None)
"""
import json
import sys


def load(path):
    s = open(path, encoding='utf-8', errors='replace').read()
    try:
        return json.loads(s)
    except ValueError:
        return json.loads(s[s.index('{'):s.rindex('}') + 1])


def main():
    try:
        d = load(sys.argv[1])
    except (ValueError, OSError) as e:
        print('pq: no JSON object in %s: %s' % (sys.argv[1], e), file=sys.stderr)
        return 3

    def find(lst, key, val):
        for x in lst or []:
            if isinstance(x, dict) and x.get(key) == val:
                return x
        return None

    g = d.get('gpos') or {}
    st = d.get('settings') or {}
    env = {
        'd': d,
        'gpo': lambda n: find(g.get('applied'), 'display_name', n),
        'gpos': lambda: [a.get('display_name') for a in g.get('applied') or []],
        'excl': lambda k: next((x for x in g.get('excluded') or []
                                if x.get('display_name') == k
                                or k.lower() in str(x.get('dn')).lower()), None),
        'tpl': lambda n: find(d.get('templates'), 'name', n),
        'ep': lambda k: find((st.get('policy_servers') or {}).get('endpoints'), 'subkey', k),
        'errs': lambda t: [e for e in d.get('errors') or []
                           if any(t.lower() in str(v).lower() for v in e.values())],
        'aep': lambda: (st.get('autoenrollment') or {}).get('aepolicy'),
    }
    try:
        r = eval(sys.argv[2], env)  # test helper: EXPR comes from our scenarios
    except Exception as e:  # noqa: BLE001 - report any failure of EXPR
        print('pq: %s: %s: %s' % (sys.argv[2], type(e).__name__, e), file=sys.stderr)
        return 4
    if r is None:
        print('null')
    elif isinstance(r, str):
        print(r)
    else:
        print(json.dumps(r))
    return 0


if __name__ == '__main__':
    sys.exit(main())
