#!/usr/bin/env python3
"""Replay the APDUs of real-card OpenSC debug logs against cardsim.

usage: trace-replay.py CARDSIM APDU-RUN TRACE-DIR WORK-DIR

For each log the C-APDUs are sent as recorded; the simulator's answer must
have the recorded status word and data length, and FCIs (6F... answers to
GET RESPONSE) must be byte-identical. Bytes the log's author blanked (##)
match anything. The differences that remain are listed in KNOWN below, each
with its reason (also in doc/simulator.md). The logs are tests/traces/
(their sources: tests/traces/README.md); a missing log is an error.

  acos5-01.log  V2, pkcs11-tool --test   -> acos5-64v2:acs
  acos5-03..07  v1, pkcs15-init/-crypt   -> acos5 with an image built here
                from what the log itself shows before its own CREATEs
"""
import os
import re
import subprocess
import sys

HDR = re.compile(r'^(Outgoing|Incoming) APDU(?: data)? [\[(]\s*(\d+) bytes[\])]')
HEXLINE = re.compile(r'^([0-9A-Fa-f#]{2} ){1,16}')

# (log, pair index) -> (expected pattern, reason)
KNOWN = {}


def pairs(path):
    """[(command bytes, response list with -1 for blanked bytes)]"""
    lines = open(path, encoding='utf-8', errors='replace').read().split('\n')
    seq, i = [], 0
    while i < len(lines):
        m = HDR.match(lines[i])
        i += 1
        if not m:
            continue
        n, b = int(m.group(2)), []
        while len(b) < n and i < len(lines) and HEXLINE.match(lines[i] + ' '):
            toks = lines[i][:48].split()
            b += [-1 if '#' in t else int(t, 16) for t in toks[:min(16, n - len(b))]]
            i += 1
        if len(b) < n:          # lines removed by the author: the tail is kept
            b = [-1] * (n - len(b)) + b
        seq.append((m.group(1), b))
    out = []
    for k in range(len(seq) - 1):
        if seq[k][0] == 'Outgoing' and seq[k + 1][0] == 'Incoming':
            out.append((bytes(seq[k][1]), seq[k + 1][1]))
    return out


def hx(bs):
    return ' '.join('..' if x < 0 else '%02X' % x for x in bs)


def pattern(cmd, resp, prev_cmd):
    data, sw = resp[:-2], resp[-2:]
    fci = cmd[1] == 0xC0 and data and data[0] == 0x6F and prev_cmd and prev_cmd[1] == 0xA4
    body = hx(data) if fci else ' '.join(['..'] * len(data))
    return (body + ' ' + hx(sw)).strip()


# ---- v1 image from a log ---------------------------------------------------

def tlvs(b):
    out, i = {}, 0
    while i + 2 <= len(b):
        out[b[i]] = bytes(b[i + 2:i + 2 + b[i + 1]])
        i += 2 + b[i + 1]
    return out


class Tree:
    def __init__(self):
        self.files = {}          # path tuple -> attrs dict (FCI tags)
        self.order = []
        self.data = {}           # path -> bytearray
        self.created = set()     # created by the log itself
        self.written = set()
        self.cur = ('3F00',)
        self.cur_ef = None

    def add(self, path, attrs):
        if path in self.created:
            return
        if path in self.files:
            if 0x83 in attrs and 0x83 not in self.files[path]:
                self.files[path] = attrs    # a later, complete FCI
            return
        self.files[path] = attrs
        self.order.append(path)

    def find(self, fid):
        for p in self.files:
            if p[-1] == fid:
                return p
        return None


def is_df(attrs):
    return attrs.get(0x82, b'\x01')[0] in (0x38, 0x3F)


def on_select(t, fid, attrs):
    if fid == '3F00':
        t.cur, t.cur_ef = ('3F00',), None
        t.add(t.cur, attrs)
        return
    path = t.find(fid) or (t.cur + (fid,))
    t.add(path, attrs)
    if is_df(attrs):
        t.cur, t.cur_ef = path, None
    else:
        t.cur, t.cur_ef = path[:-1], path


def on_create(t, cmd, ok):
    a = tlvs(cmd[7:])
    fid = a[0x83].hex().upper()
    path = t.cur + (fid,)
    if ok:
        t.created.add(path)
    else:
        t.add(path, a)


def v1_tree(prs):
    t = Tree()
    for k, (cmd, resp) in enumerate(prs):
        sw = bytes(resp[-2:])
        if cmd[1] == 0xA4 and len(cmd) == 7 and sw[0] == 0x61:
            nxt = prs[k + 1] if k + 1 < len(prs) else None
            fci = None
            if nxt and nxt[0][1] == 0xC0 and nxt[1][:1] == [0x6F]:
                fci = tlvs(bytes(nxt[1][2:-2]))
            elif sw[1] == 0x1A:
                fci = {0x82: b'\x38\x00'}   # v1 DF FCIs are 1A bytes, EF 18
            on_select(t, cmd[5:7].hex().upper(), fci or {0x82: b'\x01\x00'})
        elif cmd[1] == 0xA4 and len(cmd) == 7 and sw == b'\x6A\x82':
            fid = cmd[5:7].hex().upper()
            t.cur_ef = None if fid != '3F00' else t.cur_ef
        elif cmd[1] == 0xE0:
            on_create(t, cmd, sw == b'\x90\x00')
        elif cmd[1] == 0xD6 and t.cur_ef:
            t.written.add(t.cur_ef)
        elif cmd[1] == 0xB0 and t.cur_ef and sw == b'\x90\x00':
            if t.cur_ef not in t.written and t.cur_ef not in t.created:
                off = cmd[2] << 8 | cmd[3]
                d = t.data.setdefault(t.cur_ef, bytearray())
                blob = bytes(x & 0xFF for x in resp[:-2])
                if len(d) < off + len(blob):
                    d.extend(bytes(off + len(blob) - len(d)))
                d[off:off + len(blob)] = blob
    return t


def serial_of(prs):
    for cmd, resp in prs:
        if cmd[:4] == b'\x80\x14\x00\x00' and len(resp) == 8:
            return bytes(resp[:6]).hex().upper()
    return None


def image_line(t, path):
    a = t.files[path]
    fdb = a.get(0x82, b'\x01\x00')
    kind = 'DF' if is_df(a) else 'EF'
    fid = int(path[-1], 16)
    s = '%s %s fdb=%02X dcb=%02X sfi=%02X lcsi=%02X' % (
        kind, '/'.join(path), fdb[0], fdb[1] if len(fdb) > 1 else 0,
        a.get(0x88, bytes([fid & 0x1F]))[0], a.get(0x8A, b'\x01')[0])
    s += ' sac=%s sae=%s' % (a.get(0x8C, b'').hex(), a.get(0xAB, b'').hex())
    if kind == 'DF':
        return s + ' se=%s name=%s' % (a.get(0x8D, b'\x00\x00').hex(), a.get(0x84, b'').hex())
    if len(fdb) >= 5:
        return s + ' mrl=%02X nor=%02X rec=-' % (fdb[3], fdb[-1])
    size = int.from_bytes(a.get(0x80, b'\x00\x00'), 'big')
    data = bytes(t.data.get(path, b''))[:size]
    return s + ' size=%04X data=%s' % (size, data.hex())


def write_v1_image(prs, path):
    t = v1_tree(prs)
    lines = ['cardsim-image 1', '# built by trace-replay.py from the log itself', 'card acos5']
    ser = serial_of(prs)
    if ser:
        lines.append('serial ' + ser)
    if ('3F00',) not in t.files:
        t.files[('3F00',)] = {0x82: b'\x3F\xFF'}
        t.order.insert(0, ('3F00',))
    for p in sorted(t.order, key=len):
        lines.append(image_line(t, p))
    with open(path, 'w') as f:
        f.write('\n'.join(lines) + '\n')


# ---- replay ------------------------------------------------------------------

def script(name, prs):
    out, prev = ['# replay of ' + name], None
    for k, (cmd, resp) in enumerate(prs):
        pat = pattern(cmd, resp, prev)
        if (name, k) in KNOWN:
            pat, why = KNOWN[(name, k)]
            out.append('# known difference: ' + why)
        out += ['> ' + cmd.hex(' ').upper(), '< ' + pat]
        prev = cmd
    return '\n'.join(out) + '\n'


def run(cardsim, apdu_run, work, name, prs, card):
    if not prs:
        print('%s: no APDU exchange found: FAILED' % name)
        return False
    sp = os.path.join(work, name + '.apdu')
    with open(sp, 'w') as f:
        f.write(script(name, prs))
    r = subprocess.run([apdu_run, '--timeout', '120', sp, '--', cardsim, '--card', card],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    print('%s: %d exchanges against %s: %s' % (name, len(prs), card,
                                               'ok' if r.returncode == 0 else 'FAILED'))
    if r.returncode:
        print(r.stdout)
    return r.returncode == 0


def main():
    if len(sys.argv) != 5:
        sys.exit('usage: trace-replay.py CARDSIM APDU-RUN TRACE-DIR WORK-DIR')
    cardsim, apdu_run, traces, work = sys.argv[1:]
    os.makedirs(work, exist_ok=True)
    ok = run(cardsim, apdu_run, work, 'acos5-01.log',
             pairs(os.path.join(traces, 'acos5-01.log')), 'acos5-64v2:acs')
    for n in ('03', '04', '05', '06', '07'):
        name = 'acos5-%s.log' % n
        prs = pairs(os.path.join(traces, name))
        img = os.path.join(work, name + '.img')
        write_v1_image(prs, img)
        ok &= run(cardsim, apdu_run, work, name, prs, 'acos5:' + img)
    sys.exit(0 if ok else 1)


if __name__ == '__main__':
    main()
