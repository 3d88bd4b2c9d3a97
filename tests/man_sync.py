#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""docs/man/synackd.8 holds exactly what `synackd --help-man` prints (the
options and the configuration file's sections, from the key table in
lib/sk_config_keys.c) between its BEGIN and END comment lines, and the
whole page goes through groff without a warning. A key added to the table
without the page regenerated fails here.

    man_sync.py --synackd PATH --man docs/man/synackd.8 [--update]
"""

import argparse
import difflib
import subprocess
import sys

BEGIN = '.\\" BEGIN synackd --help-man'
END = '.\\" END synackd --help-man'


def split(page):
    """(head through the BEGIN comment lines, generated, END and the rest)"""
    lines = page.splitlines(keepends=True)
    starts = [i for i, l in enumerate(lines) if l.startswith(BEGIN)]
    ends = [i for i, l in enumerate(lines) if l.startswith(END)]
    if len(starts) != 1 or len(ends) != 1 or ends[0] < starts[0]:
        sys.exit('FAIL: the page needs one "%s" line and one "%s" line '
                 'after it' % (BEGIN, END))
    i = starts[0] + 1
    while i < ends[0] and lines[i].startswith('.\\"'):
        i += 1  # the BEGIN comment may go on over several lines
    return (''.join(lines[:i]), ''.join(lines[i:ends[0]]),
            ''.join(lines[ends[0]:]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--synackd', required=True)
    ap.add_argument('--man', required=True)
    ap.add_argument('--update', action='store_true',
                    help='write the generated part into the page')
    a = ap.parse_args()

    gen = subprocess.run([a.synackd, '--help-man'], check=True,
                         capture_output=True, text=True, timeout=30).stdout
    if not gen.startswith('.SS') or '.SH "CONFIGURATION FILE"' not in gen:
        sys.exit('FAIL: synackd --help-man printed no options:\n' + gen)
    with open(a.man) as f:
        page = f.read()
    head, old, tail = split(page)
    if a.update:
        with open(a.man, 'w') as f:
            f.write(head + gen + tail)
        print('updated %s' % a.man)
        return 0
    if old != gen:
        sys.stdout.writelines(difflib.unified_diff(
            old.splitlines(keepends=True), gen.splitlines(keepends=True),
            a.man, 'synackd --help-man'))
        print('FAIL: %s is out of date with the key table: run '
              'tests/man_sync.py --synackd BUILD/app/synackd --man %s '
              '--update' % (a.man, a.man))
        return 1
    # the page as man would show it: groff's warnings are errors
    r = subprocess.run(['groff', '-ww', '-z', '-man'], input=page,
                       capture_output=True, text=True, timeout=30)
    if r.returncode != 0 or r.stderr.strip():
        print('FAIL: groff on %s: %s' % (a.man, r.stderr.strip()))
        return 1
    keys = gen.count('.TP\n')
    print('ok: %s matches synackd --help-man (%d entries), groff clean'
          % (a.man, keys))
    return 0


if __name__ == '__main__':
    sys.exit(main())
