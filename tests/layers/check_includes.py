#!/usr/bin/env python3
"""Include rules meson's include paths cannot express (ARCHITECTURE.md).

1. No cycle among the headers of source/*/ (a header including, through
   others, itself).
2. The cli (and the certmonger helper, source/certmonger) includes only its own headers, engine headers, the util headers
   it prints with (ae_json, ae_log, ae_hresult, ae_error) and the headers of
   the result types the engine returns for printing (the policy report's
   principal, SID, GPO list, AutoEnrollment settings, templates, CAs,
   eligibility). Opening the store or any other lower layer goes through the
   engine (e.g. ae_status.h for `status`).

Usage: check_includes.py SOURCE_ROOT. Exit 0 when clean, 1 with one line
per violation.
"""
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
CLI_LOWER_ALLOWED = {
    # util: printing helpers and the error enum
    "ae_json.h", "ae_log.h", "ae_hresult.h", "ae_error.h",
    # result types of ae_policy_report (printed by cli_policy.c)
    "ae_principal.h", "ae_sid.h", "ae_gpolist.h", "ae_aesettings.h",
    "ae_template.h", "ae_pki.h", "ae_eligibility.h",
}


def includes(path):
    with open(path, encoding="utf-8") as f:
        return INCLUDE.findall(f.read())


def main(root):
    src = os.path.join(root, "source")
    layer_of = {}
    headers = {}
    for layer in sorted(os.listdir(src)):
        d = os.path.join(src, layer)
        if not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            if name.endswith(".h"):
                layer_of[name] = layer
                headers[name] = os.path.join(d, name)
    bad = []

    graph = {h: [i for i in includes(p) if i in headers] for h, p in headers.items()}
    state = {}

    def visit(h, stack):
        state[h] = 1
        stack.append(h)
        for i in graph[h]:
            if state.get(i) == 1:
                bad.append("include cycle: " + " -> ".join(stack[stack.index(i):] + [i]))
            elif i not in state:
                visit(i, stack)
        stack.pop()
        state[h] = 2

    for h in sorted(graph):
        if h not in state:
            visit(h, [])

    # cli and certmonger (the CA helper) sit on the engine alike
    for top in ("cli", "certmonger"):
        d = os.path.join(src, top)
        for name in sorted(os.listdir(d)) if os.path.isdir(d) else []:
            if not name.endswith((".c", ".h")):
                continue
            for i in includes(os.path.join(d, name)):
                layer = layer_of.get(i)
                if layer in (None, top, "engine") or i in CLI_LOWER_ALLOWED:
                    continue
                bad.append("%s/%s includes %s (layer %s): go through the engine"
                           % (top, name, i, layer))

    for line in bad:
        print(line)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "."))
