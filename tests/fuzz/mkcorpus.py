#!/usr/bin/env python3
"""Write a libFuzzer seed corpus for fuzz-parsers from the test vectors.

usage: mkcorpus.py OUT-DIR [VECTOR-DIR]

Every vector of tests/vectors/*.vec (the files the unit tests read, see
tests/vectors/README.md) becomes one file: the vector file's selector byte
(which parser, see fuzz-parsers.c), then the vector's bytes. The test
fuzz-corpus runs the same vectors without this step (run-corpus reads .vec
files itself)."""
import os
import re
import sys


def vec_bytes(text):
    out = bytearray()
    for tok in text.split():
        m = re.fullmatch(r'([0-9A-Fa-f]{2})(?:\*(\d+))?', tok)
        if not m:
            raise ValueError('bad hex %r' % tok)
        out += bytes.fromhex(m.group(1)) * int(m.group(2) or 1)
    return bytes(out)


def vectors(path):
    sel, cur, out = None, None, []
    for line in open(path, encoding='utf-8'):
        line = line.rstrip('\n')
        if line.startswith('@selector'):
            sel = int(line.split()[1], 16)
        elif cur and line[:1] in (' ', '\t'):
            cur[1] += ' ' + line
        elif line.startswith('['):
            name, _, hexs = line[1:].partition(']')
            cur = [name, hexs]
            out.append(cur)
    return [(n, bytes([sel]) + vec_bytes(h)) for n, h in out]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else sys.exit(__doc__)
    vdir = sys.argv[2] if len(sys.argv) > 2 else os.path.join(here, '..', 'vectors')
    os.makedirs(out, exist_ok=True)
    n = 0
    for f in sorted(os.listdir(vdir)):
        if not f.endswith('.vec'):
            continue
        for name, data in vectors(os.path.join(vdir, f)):
            fn = f[:-4] + '-' + re.sub(r'[^A-Za-z0-9]+', '-', name).strip('-')
            with open(os.path.join(out, fn), 'wb') as fh:
                fh.write(data)
            n += 1
    print('%d seeds in %s' % (n, out))


if __name__ == '__main__':
    main()
