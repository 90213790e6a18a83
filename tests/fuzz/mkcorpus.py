#!/usr/bin/env python3
"""Write a libFuzzer seed corpus for fuzz-parsers from the test vectors and
the real-card logs.

usage: mkcorpus.py OUT-DIR [VECTOR-DIR]

Every vector of tests/vectors/*.vec (the files the unit tests read, see
tests/vectors/README.md) becomes one file: the vector file's selector byte
(which parser, see fuzz-parsers.c), then the vector's bytes. The test
fuzz-corpus runs the same vectors without this step (run-corpus reads .vec
files itself). Then every card answer of the real-card logs in tests/traces
that one of the parsers reads (trace_seeds) becomes a file too."""
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


def trace_seeds(traces):
    """The card answers of the real-card logs (ACOS5 v1 and 64 V2), each for
    the parser that reads it: FCIs (GET RESPONSE after SELECT, 6F ..), GET
    CARD INFO file info and OS version, public key files (GET KEY, READ
    BINARY of a key file)"""
    import importlib.util
    here = os.path.dirname(os.path.abspath(__file__))
    spec = importlib.util.spec_from_file_location(
        'trace_replay', os.path.join(here, '..', 'sim', 'trace-replay.py'))
    tr = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tr)
    found = {}
    for log in sorted(os.listdir(traces)):
        if not log.endswith('.log'):
            continue
        for cmd, resp in tr.pairs(os.path.join(traces, log)):
            if len(resp) < 3 or -1 in resp or resp[-2:] != [0x90, 0x00]:
                continue
            data = bytes(resp[:-2])
            kinds = []
            if cmd[:2] == b'\x00\xc0' and data[:1] == b'\x6f':
                kinds = [0x00, 0x10]                    # TLV walk, ACOS5 FCI
            elif cmd[:3] == b'\x80\x14\x02':
                kinds = [0x11]                          # file info
            elif cmd[:3] == b'\x80\x14\x06':
                kinds = [0x12]                          # OS version
            elif cmd[:2] == b'\x80\xca' or (cmd[:2] == b'\x00\xb0' and len(data) > 64):
                kinds = [0x13, 0x14]                    # public key file, 64 / v1
            for k in kinds:
                found.setdefault(bytes([k]) + data, 'trace-%s-%02x-%d' % (log[:-4], k, len(found)))
    return found


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
    traced = trace_seeds(os.path.join(here, '..', 'traces'))
    for data, name in traced.items():
        with open(os.path.join(out, name), 'wb') as fh:
            fh.write(data)
    print('%d seeds from the vectors and %d from the real-card logs in %s' % (n, len(traced), out))


if __name__ == '__main__':
    main()
