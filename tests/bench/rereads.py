#!/usr/bin/env python3
"""rereads: no file content read twice in one process (issue 12).

    rereads.py APDU-LOG FIRST LAST [LABEL]

Reads the exchanges FIRST+1..LAST of a simulator APDU log (`C-APDU R-APDU`
hex per line, `#` lines are power events and not counted: the same
numbering as the cost log) and prints each read that repeats an earlier
one of the same bytes of the same file: READ BINARY (B0), READ RECORD (B2)
and ACOS5's GET KEY (80 CA), with the same P1, P2 and Le. A file is named
by the SELECTs that led to it: the last SELECT of the MF or of a DF name
(AID), then the SELECTs by file ID after it, where a file that was read
is an EF (the next FID selected is its sibling) and a FID already on the
way goes back to it. Two reads with the same name read the same file (the
cards resolve a FID the same way from the same place, and nothing is
written during a read-only operation); a file reached by two different
walks counts as two, so the check can miss a re-read but does not report
one that did not happen. Exit 1 when a read repeats.
"""
import sys

READS = {(0x00, 0xB0), (0x00, 0xB2), (0x80, 0xCA)}


def main():
    log, first, last = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    label = sys.argv[4] if len(sys.argv) > 4 else log
    n = 0
    where = ()
    seen = {}
    efs = set()  # names of files that were read: EFs
    bad = 0
    with open(log) as f:
        for line in f:
            if line.startswith('#') or not line.strip():
                continue
            n += 1
            if n <= first:
                continue
            if n > last:
                break
            parts = line.split()
            c = bytes.fromhex(parts[0].replace('*', '0'))
            r = parts[1] if len(parts) > 1 else ''
            if len(c) < 4:
                continue
            sw = r[-4:].upper()
            ok = sw == '9000' or sw.startswith('61') or sw in ('6282', '6283', '6284')
            cla, ins, p1, p2 = c[0], c[1], c[2], c[3]
            if ins == 0xA4:
                data = c[5:5 + c[4]] if len(c) > 5 else b''
                if not ok:
                    continue
                fid = data.hex()
                if p1 == 0x04 or data == b'\x3f\x00' or p1 in (0x08, 0x09):
                    where = (fid,)
                elif fid in where:
                    where = where[:where.index(fid) + 1]
                elif where in efs:
                    where = where[:-1] + (fid,)
                else:
                    where = where + (fid,)
                continue
            if (cla & 0xF0, ins) in READS or (cla, ins) in READS:
                le = c[4] if len(c) == 5 else c[-1] if len(c) > 5 else 0
                efs.add(where)
                key = (where, ins, p1, p2, le)
                if key in seen:
                    print(f"{label}: exchange {n} reads again what exchange {seen[key]} read: "
                          f"{parts[0][:10]} in {'/'.join(where) or '(current file)'}")
                    bad = 1
                elif ok:
                    seen[key] = n
    return bad


if __name__ == '__main__':
    sys.exit(main())
