#!/usr/bin/env python3
"""Generate tests/images/acos5-64v2/acs.img from the real-card dump.

Input: tests/traces/acos5-09.log (source: tests/traces/README.md), a
dump of the FCIs and contents of a real CryptoMate64 (ACOS5-64 V2). Every
FCI and every file content the dump shows is copied byte for byte. What the
dump does not show is filled in as doc/simulator.md ("acs image") lists:
fresh 4096-bit RSA key pairs (OpenSSL via python3-cryptography) in the
documented key-file format, PIN records, symmetric keys, certificates, the
FCIs of files the dump only names.

The output is committed (the keys are random); rerun only to refresh it:
    python3 tests/sim/mkacs.py [DUMP] [OUTPUT]
"""
import datetime
import os
import re
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, '..', '..'))
DUMP = os.path.join(REPO, 'tests', 'traces', 'acos5-09.log')
OUT = os.path.join(REPO, 'tests', 'images', 'acos5-64v2', 'acs.img')

SERIAL = bytes.fromhex('A50200000002')     # the personality's factory serial
SO_PIN = b'87654321'                       # carblue's defaults (acos5-card.md §4.1)
USER_PIN = b'12345678'                     # trace 01 verifies 81 with it
SAC_PRIV = '7F01FF00010101FF'              # read never, use/update: SE#1 (user PIN)
SAC_PKCS15 = '7F03FF0003FF0000'            # as 4111..4115 in the dump
# FCIs the dump does not show, taken from trace 01 (same layout, another card)
FCI_4120 = '6F1E83024120880120' '8A0101' '82020100' '80022000' '8C087F01FF0001FF0100' 'AB00'
# key pairs: private FID, public FID, private key type (acos5-card.md §2.6)
KEYS = [(0x41F1, 0x4131, 4), (0x41F2, 0x4132, 4), (0x41F3, 0x4133, 6), (0x41F4, 0x4134, 6)]


def h(b):
    return b.hex().upper()


def tlvs(b):
    out, i = [], 0
    while i + 2 <= len(b):
        tag, n = b[i], b[i + 1]
        out.append((tag, b[i + 2:i + 2 + n]))
        i += 2 + n
    return out


def parse_fci(hexline):
    b = bytes.fromhex(hexline.replace(' ', ''))
    assert b[0] == 0x6F and b[1] == len(b) - 2, hexline
    return dict(tlvs(b[2:]))


def parse_dump(path):
    """Returns {path-hex: {'fci': dict, 'data': bytes | None, 'recs': list | None}}."""
    lines = open(path, encoding='utf-8', errors='replace').read().split('\n')
    files, cur, i = {}, None, 0
    hexre = re.compile(r'^([0-9A-F]{2} )*[0-9A-F]{2}$')
    while i < len(lines):
        ln = lines[i].strip()
        m = re.match(r'^(?:File|exemplary an RSA public key file,) 0x([0-9A-F]+)', ln)
        if m:
            cur = files.setdefault(m.group(1), {'fci': None, 'data': None, 'recs': None})
        elif ln.startswith('Header/meta infos') and cur is not None:
            cur['fci'] = parse_fci(lines[i + 2].strip())   # line 1 = the parent's FCI
            i += 2
        elif ln == 'Content:' and cur is not None:
            i += 1
            data, recs = b'', None
            while i < len(lines):
                s = lines[i].strip()
                if s.startswith('Record '):
                    recs = recs if recs is not None else []
                    nxt = lines[i + 1].strip()
                    recs.append(bytes.fromhex(nxt.replace(' ', '')) if hexre.match(nxt) else None)
                    i += 2 if hexre.match(nxt) else 1
                    continue
                if hexre.match(s):
                    data += bytes.fromhex(s.replace(' ', ''))
                elif s == '' and not data and recs is None:
                    pass
                else:
                    break
                i += 1
            cur['data'], cur['recs'] = (None, recs) if recs is not None else (data, None)
            continue
        i += 1
    return files


def der_tokeninfo_fix(data):
    """The dump zeroed the serial (04 06 00..) and the label's serial digits."""
    zero = bytes(6)
    assert data[5:7] == b'\x04\x06' and data[7:13] == zero
    out = data[:7] + SERIAL + data[13:]
    return out.replace(b'CTM64_000000000000', b'CTM64_' + SERIAL.hex().upper().encode())


def fci_attrs(f):
    fdb = f[0x82]
    a = 'fdb=%02X dcb=%02X sfi=%02X lcsi=%02X' % (fdb[0], fdb[1] if len(fdb) > 1 else 0,
                                                  f[0x88][0], f[0x8A][0])
    if 0x8D in f:
        a += ' se=' + h(f[0x8D])
    if fdb[0] in (0x38, 0x3F):
        a += ' name=' + h(f.get(0x84, b''))
    a += ' sac=' + h(f.get(0x8C, b'')) + ' sae=' + h(f.get(0xAB, b''))
    return a


def ef_line(path, f, data=None, recs=None):
    fdb = f[0x82]
    s = 'EF %s %s' % (path, fci_attrs(f))
    if len(fdb) >= 5:
        mrl, nor = fdb[3], fdb[-1]
        recs = list(recs or [])[:nor]
        s += ' mrl=%02X nor=%02X rec=%s' % (mrl, nor,
                                           ','.join(h(r) if r else '-' for r in recs) or '-')
    else:
        size = int.from_bytes(f[0x80], 'big')
        data = data or b''
        assert len(data) <= size, (path, len(data), size)
        s += ' size=%04X data=%s' % (size, h(data.rstrip(b'\x00')))
    return s


def fci(fid, sfi, lcsi, fdb, size, sac):
    return {0x83: fid.to_bytes(2, 'big'), 0x88: bytes([sfi]), 0x8A: bytes([lcsi]),
            0x82: fdb, 0x80: size.to_bytes(2, 'big'), 0x8C: bytes.fromhex(sac), 0xAB: b''}


def key_files(priv_fid, pub_fid, ktype):
    """acos5-card.md §3.8: public 00 lenCode partner 03 e[16] n; CRT private type lenCode
    partner 03 p q dP dQ qInv."""
    k = rsa.generate_private_key(public_exponent=65537, key_size=4096)
    pn, pv = k.public_key().public_numbers(), k.private_numbers()
    nlen, half = 512, 256
    pub = bytes([0, nlen // 16]) + priv_fid.to_bytes(2, 'big') + b'\x03' + \
        pn.e.to_bytes(16, 'big') + pn.n.to_bytes(nlen, 'big')
    priv = bytes([ktype, nlen // 16]) + pub_fid.to_bytes(2, 'big') + b'\x03' + b''.join(
        x.to_bytes(half, 'big') for x in (pv.p, pv.q, pv.dmp1, pv.dmq1, pv.iqmp))
    return k, priv, pub


def certificate(key, email):
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, email),
                      x509.NameAttribute(NameOID.EMAIL_ADDRESS, email)])
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(start + datetime.timedelta(days=3650))
            .sign(key, hashes.SHA256()))
    from cryptography.hazmat.primitives.serialization import Encoding
    return cert.public_bytes(Encoding.DER)


def sym_records():
    """4102 per the SKDF: SM keys 81 (ext-auth Kt) and 82 (int-auth Kc), 3DES-192;
    key 83 AES-256 (acos5-card.md §3.7). Fresh random keys."""
    return [b'\x81\x01\xFF\x14' + os.urandom(24),
            b'\x82\x02\xFF\xFF\x14' + os.urandom(24),
            b'\x83\x00\x22' + os.urandom(32)]


def pin_record(pin):
    return bytes([0xC1, 0x88, 0x08]) + pin + bytes([0x88, 0x08]) + pin


def main():
    dump = sys.argv[1] if len(sys.argv) > 1 else DUMP
    out = sys.argv[2] if len(sys.argv) > 2 else OUT
    d = parse_dump(dump)
    mf = d['3F000001']   # any MF-level entry; the MF FCI is its parent line
    mf_fci = parse_fci(open(dump).read().split('Header/meta infos (FCI):\n')[1].split('\n')[0])
    app = d['3F0041004101']
    lines = ['cardsim-image 1',
             '# description: ACS client-kit layout from a real CryptoMate64 dump: 4 RSA-4096 key pairs, 2 certificates; SO PIN 87654321, user PIN 12345678',
             '# GENERATED by tests/sim/mkacs.py from tests/traces/acos5-09.log (real',
             '# CryptoMate64 dump). Differences from the dump: doc/simulator.md "acs image".',
             '# SO PIN 87654321 (global 01), user PIN 12345678 (local 81), PUKs equal.',
             'card acos5-64v2', 'serial ' + h(SERIAL), 'eeprom C183=96',
             'DF 3F00 ' + fci_attrs(mf_fci)]
    assert mf['fci'] is not None
    lines.append(ef_line('3F00/0001', d['3F000001']['fci'], recs=[pin_record(SO_PIN)]))
    lines.append(ef_line('3F00/0002', d['3F000002']['fci'], recs=[]))
    lines.append(ef_line('3F00/0003', d['3F000003']['fci'], recs=d['3F000003']['recs']))
    lines.append(ef_line('3F00/2F00', d['3F002F00']['fci'], data=d['3F002F00']['data']))
    app_fci = parse_fci(open(dump).read().split('File 0x3F0041004101')[1]
                        .split('Header/meta infos (FCI):\n')[1].split('\n')[0])
    lines.append('DF 3F00/4100 ' + fci_attrs(app_fci))
    lines.append(ef_line('3F00/4100/4101', app['fci'], recs=[pin_record(USER_PIN)]))
    lines.append(ef_line('3F00/4100/4102', d['3F0041004102']['fci'], recs=sym_records()))
    lines.append(ef_line('3F00/4100/4103', d['3F0041004103']['fci'], recs=d['3F0041004103']['recs']))
    for fid in ('4111', '4112', '4113', '4114', '4115', '5031'):
        e = d['3F004100' + fid]
        lines.append(ef_line('3F00/4100/' + fid, e['fci'], data=e['data']))
    e = d['3F0041005032']
    lines.append(ef_line('3F00/4100/5032', e['fci'], data=der_tokeninfo_fix(e['data'])))
    # files the dump names without FCI: invented attributes (doc)
    lines.append(ef_line('3F00/4100/5155', fci(0x5155, 0x15, 0x05, b'\x04\x00\x00\x82\x00\x02',
                                               0, SAC_PKCS15)))
    lines.append(ef_line('3F00/4100/4129', fci(0x4129, 0x09, 0x05, b'\x02\x00\x00\x14\x00\x02',
                                               0, SAC_PKCS15)))
    certs = {}
    for priv_fid, pub_fid, ktype in KEYS:
        key, priv, pub = key_files(priv_fid, pub_fid, ktype)
        lines.append(ef_line('3F00/4100/%04X' % priv_fid,
                             fci(priv_fid, priv_fid & 0x1F, 0x05, b'\x09\x00', len(priv), SAC_PRIV),
                             data=priv))
        pf = d.get('3F004100%04X' % pub_fid, {}).get('fci') or \
            fci(pub_fid, 0x11 + (pub_fid & 0x0F) - 1, 0x05, b'\x09\x00', len(pub), '7F01FF0001000100')
        lines.append(ef_line('3F00/4100/%04X' % pub_fid, pf, data=pub))
        certs[pub_fid] = key
    c4120 = parse_fci(FCI_4120)
    lines.append(ef_line('3F00/4100/4120', c4120, data=certificate(certs[0x4133], 'cb@posteo.de')))
    c4121 = dict(c4120)
    c4121.update({0x83: b'\x41\x21', 0x88: b'\x21'})
    lines.append(ef_line('3F00/4100/4121', c4121, data=certificate(certs[0x4134], 'blue@arcor.de')))
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, 'w') as f:
        f.write('\n'.join(lines) + '\n')


if __name__ == '__main__':
    main()
