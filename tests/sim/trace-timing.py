#!/usr/bin/env python3
"""Derive the simulator's time model (cost.c) from the real-card logs.

usage: trace-timing.py TRACE-DIR

Each log line of OpenSC's debug output carries a millisecond time stamp.
The time of one exchange is the stamp of the "Incoming APDU" block minus the
stamp of its "Outgoing APDU" block. Printed per card generation: every
instruction with count, median, mean and extremes, the least-squares fit of
read-type exchanges (time = round trip + per byte x bytes) and of UPDATE
BINARY against its data length. doc/simulator.md "Time model" turns these
numbers into the cost profiles; nothing at build or test time runs this.
"""
import os
import re
import statistics
import sys

HDR = re.compile(r'^(Outgoing|Incoming) APDU(?: data)? [\[(]\s*(\d+) bytes[\])]')
STAMP = re.compile(r'^0x[0-9a-f]+ (\d\d):(\d\d):(\d\d)\.(\d\d\d) ')
HEXLINE = re.compile(r'^([0-9A-Fa-f#]{2} ){1,16}')

GENERATIONS = (
    ('ACOS5-64 V2 (CryptoMate64)', ['acos5-01.log']),
    ('original ACOS5 (v1)', ['acos5-03.log', 'acos5-04.log', 'acos5-05.log', 'acos5-06.log',
                             'acos5-07.log']),
)


def exchanges(path):
    """[(command bytes, command length, response bytes, response length, ms)]"""
    lines = open(path, encoding='utf-8', errors='replace').read().split('\n')
    blocks, now, i = [], None, 0
    while i < len(lines):
        m = STAMP.match(lines[i])
        if m:
            h, mi, s, ms = map(int, m.groups())
            now = ((h * 60 + mi) * 60 + s) * 1000 + ms
        m = HDR.match(lines[i])
        i += 1
        if not m:
            continue
        n, b = int(m.group(2)), []
        while len(b) < n and i < len(lines) and HEXLINE.match(lines[i] + ' '):
            toks = lines[i][:48].split()
            b += [-1 if '#' in t else int(t, 16) for t in toks[:min(16, n - len(b))]]
            i += 1
        blocks.append((m.group(1), n, b, now))
    out = []
    for k in range(len(blocks) - 1):
        o, r = blocks[k], blocks[k + 1]
        if o[0] == 'Outgoing' and r[0] == 'Incoming' and o[3] is not None and r[3] is not None:
            out.append((o[2], o[1], r[2], r[1], r[3] - o[3]))
    return out


def fit(points):
    """least squares y = a + b x over [(x, y)]"""
    mx = statistics.mean(p[0] for p in points)
    my = statistics.mean(p[1] for p in points)
    sxx = sum((p[0] - mx) ** 2 for p in points)
    b = sum((p[0] - mx) * (p[1] - my) for p in points) / sxx if sxx else 0.0
    return my - b * mx, b


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    for name, logs in GENERATIONS:
        ex = []
        for log in logs:
            path = os.path.join(sys.argv[1], log)
            if os.path.exists(path):
                ex += exchanges(path)
        if not ex:
            continue
        print('== %s: %d exchanges from %s' % (name, len(ex), ', '.join(logs)))
        by_ins = {}
        for c, cn, r, rn, ms in ex:
            by_ins.setdefault((c[0] & 0xFF, c[1] & 0xFF), []).append((cn, rn, ms, r[-2:]))
        for (cla, ins), v in sorted(by_ins.items()):
            t = sorted(x[2] for x in v)
            print('  %02X %02X  n=%3d  median %7.1f  mean %7.1f  min %5d  max %5d ms' % (
                cla, ins, len(v), statistics.median(t), statistics.mean(t), t[0], t[-1]))
        all_ms = sorted(x[4] for x in ex)
        print('  all: median %.1f ms, p90 %d ms' % (statistics.median(all_ms),
                                                    all_ms[int(0.9 * (len(all_ms) - 1))]))
        reads = [(cn + rn, ms) for c, cn, r, rn, ms in ex if c[1] in (0xB0, 0xC0, 0x84)]
        a, b = fit(reads)
        print('  reads (B0, C0, 84): %.1f ms + %.3f ms/byte of command and response (n=%d)' % (
            a, b, len(reads)))
        upd = [(cn - 5, ms) for c, cn, r, rn, ms in ex
               if c[1] == 0xD6 and r[-2:] == [0x90, 0x00]]
        if len(upd) > 1:
            a, b = fit(upd)
            print('  UPDATE BINARY (90 00): %.1f ms + %.3f ms/byte of data (n=%d)' % (a, b, len(upd)))
        for c, cn, r, rn, ms in ex:
            if c[1] in (0xE0, 0x46, 0x20, 0x22) and cn > 5:
                print('  %02X %02X Lc=%3d -> %02X %02X  %5d ms' % (c[0], c[1], cn - 5, r[-2] & 0xFF,
                                                               r[-1] & 0xFF, ms))


if __name__ == '__main__':
    main()
