#!/usr/bin/python3
"""cq.py FILE EXPR: evaluate a Python expression over the JSON object that
`autoenroll run --json` or `autoenroll status --json` printed into FILE
(text around the object is skipped) and print the result: a string as is,
None as "null", anything else as JSON. Exit 3 when FILE holds no JSON
object, 4 when EXPR fails.

Names bound for EXPR:
  d                    the object
  items(t)             run: the items of template t, in order
  item(t, action=None) run: the first item of template t (with that action),
                       or None
  acts(t)              run: "action/cause/result" of each item of t, joined
                       with spaces (for messages)
  cert(t)              status: the certificates element of template t, or None
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
        print('cq: no JSON object in %s: %s' % (sys.argv[1], e), file=sys.stderr)
        return 3

    def items(t):
        return [x for x in d.get('items') or [] if x.get('template') == t]

    def item(t, action=None):
        return next((x for x in items(t) if action is None or x.get('action') == action), None)

    env = {
        'd': d,
        'items': items,
        'item': item,
        'acts': lambda t: ' '.join('%s/%s/%s' % (x.get('action'), x.get('cause'),
                                                 x.get('result')) for x in items(t)),
        'cert': lambda t: next((c for c in d.get('certificates') or []
                                if c.get('template') == t), None),
    }
    try:
        r = eval(sys.argv[2], env)  # test helper: EXPR comes from our scenarios
    except Exception as e:  # noqa: BLE001 - report any failure of EXPR
        print('cq: %s: %s: %s' % (sys.argv[2], type(e).__name__, e), file=sys.stderr)
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
