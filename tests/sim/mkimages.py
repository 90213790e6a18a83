#!/usr/bin/env python3
"""Generate the 'demo' card images in tests/images/<personality>/demo.img.

The layouts follow doc/acos5-card.md §4.1 and doc/starcos-card.md §4.1,
3.2; every byte is written here, nothing is copied from a trace. Output
is deterministic; run from anywhere:  python3 tests/sim/mkimages.py
"""
import os

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'images')


def der(tag, *parts):
    body = b''.join(parts)
    n = len(body)
    if n < 0x80:
        ln = bytes([n])
    elif n < 0x100:
        ln = bytes([0x81, n])
    else:
        ln = bytes([0x82, n >> 8, n & 0xFF])
    return bytes([tag]) + ln + body


def h(b):
    return b.hex().upper()


def pad(b, size):
    assert len(b) <= size, (len(b), size)
    return b + bytes(size - len(b))


def path_obj(p):
    return der(0x30, der(0x04, p))


def odf(app, entries):
    return b''.join(der(tag, path_obj(app + bytes.fromhex(fid))) for tag, fid in entries)


def token_info(serial, manufacturer, label, flags=b'\x04\x20'):
    return der(0x30, der(0x02, b'\x00'), der(0x04, serial),
               der(0x0C, manufacturer.encode()), der(0x80, label.encode()),
               der(0x03, flags))


def pin_obj(label, auth_id, flags, ref, pad_char, path, min_len=4, stored=8):
    attrs = der(0x30, der(0x03, flags), der(0x0A, b'\x01'), der(0x02, bytes([min_len])),
                der(0x02, bytes([stored])), der(0x02, bytes([stored])),
                der(0x80, bytes([ref])), der(0x04, pad_char), path_obj(path))
    return der(0x30, der(0x30, der(0x0C, label.encode()), der(0x03, b'\x07\x80')),
               der(0x30, der(0x04, bytes([auth_id]))), der(0xA1, attrs))


def dir_record(aid, label, path):
    return der(0x61, der(0x4F, aid), der(0x50, label.encode()), der(0x51, path))


# One-line descriptions ("# description:" lines, shown by cardsim --list)
DESC = {
    'acos5': 'small ACS-style PKCS#15 layout, no keys; SO PIN 87654321, user PIN 12345678',
    'spk': 'OpenSC pkcs15-init-style layout, PINs only, no keys; SO PIN 87654321, user PIN 1234',
    'sc3': 'factory files plus a PKCS#15 DF 5015, no keys; PIN %02X = 123456, local PIN 81 = 1234',
}

# ---- ACOS5 (acos5-card.md §4.1: MF, 0001/0003, EF.DIR, DF 4100 with 4101/4103,
#      ODF 5031, TokenInfo 5032, AODF 4111, PrKDF 4112, PuKDF 4113, CDF 4114)

ACOS_AID = b'ACOSPKCS-15v1.00'
SAC_MF = '7F01FF0101010101'


def acos_image(card, serial, mf_dcb):
    app = bytes.fromhex('3F004100')
    so = b'87654321'
    user = b'12345678'
    lines = [
        'cardsim-image 1',
        '# description: ' + DESC['acos5'],
        '# demo: small ACS-client-kit-like PKCS#15 layout (acos5-card.md §4.1)',
        '# SO PIN 87654321 (global 01), user PIN 12345678 (local 81), PUKs equal',
        'card ' + card,
        'serial ' + h(serial),
    ]
    if card != 'acos5':
        lines.append('eeprom C183=96' + (' C191=02' if card == 'acos5-64v3' else ''))
    aodf = pin_obj('User', 1, b'\x03\x03\x04\xCC', 0x81, b'\xFF', app) + \
        pin_obj('SO', 2, b'\x03\x8F\x00', 0x01, b'\xFF', bytes.fromhex('3F00'))
    def chv(pin):
        if card == 'acos5':     # v1: 80|id, tries, PIN padded with FF (acos5-card.md §3.6)
            return h(b'\x81\x88' + pin + b'\xFF' * 8)
        return h(b'\xC1\x88\x08' + pin + b'\x88\x08' + pin)
    chv_mrl = '12' if card == 'acos5' else '15'
    ef = 'EF {path} fdb=01 dcb=00 sfi={sfi} lcsi=05 sac={sac} sae= size={size:04X} data={data}'
    rec = 'EF {path} fdb={fdb} dcb=00 sfi={sfi} lcsi=05 sac={sac} sae= mrl={mrl} nor={nor} rec={rec}'
    lines += [
        'DF 3F00 fdb=3F dcb=%s sfi=00 lcsi=01 se=0003 name= sac= sae=' % mf_dcb,
        rec.format(path='3F00/0001', fdb='0A', sfi='01', sac='7F01FF0101FF01FF', mrl=chv_mrl, nor='01',
                   rec=chv(so)),
        rec.format(path='3F00/0003', fdb='1C', sfi='03', sac='7F01FF0101000100', mrl='30', nor='01',
                   rec='8001' '01' 'A406830101950108'),
        ef.format(path='3F00/2F00', sfi='00', sac='7F01FF0101FF0100', size=0x21,
                  data=h(dir_record(ACOS_AID, 'eCert', app))),
        'DF 3F00/4100 fdb=38 dcb=00 sfi=00 lcsi=05 se=4103 name=%s sac=7F03FF0001010101 sae=' % h(ACOS_AID),
        rec.format(path='3F00/4100/4101', fdb='0A', sfi='01', sac='7F03FF00FFFF01FF', mrl=chv_mrl, nor='01',
                   rec=chv(user)),
        rec.format(path='3F00/4100/4103', fdb='1C', sfi='03', sac='7F03FF00FF000300', mrl='38', nor='08',
                   rec='800101A406830181950108,-,800103A406830101950108,'
                       '800104A409830101830181950108'),
        ef.format(path='3F00/4100/5031', sfi='21', sac='7F03FF0003FF0000', size=0x6C,
                  data=h(pad(odf(app, [(0xA8, '4111'), (0xA0, '4112'), (0xA1, '4113'),
                                      (0xA4, '4114')]), 0x6C))),
        ef.format(path='3F00/4100/5032', sfi='22', sac='7F03FF0000FF0000', size=0xC0,
                  data=h(pad(token_info(serial, 'Advanced Card Systems Ltd.',
                                        'demo_' + h(serial)), 0xC0))),
        ef.format(path='3F00/4100/4111', sfi='11', sac='7F03FF0003FF0100', size=0x80,
                  data=h(pad(aodf, 0x80))),
        ef.format(path='3F00/4100/4112', sfi='12', sac='7F03FF0003FF0100', size=0x100, data=''),
        ef.format(path='3F00/4100/4113', sfi='13', sac='7F03FF0003FF0100', size=0x100, data=''),
        ef.format(path='3F00/4100/4114', sfi='14', sac='7F03FF0003FF0100', size=0x100, data=''),
    ]
    return lines


# ---- StarCOS SPK 2.x (starcos-card.md §4.1: MF, IPF 0010, EF.DIR 2F00, DF 5015
#      with IPF 0010, ODF 5031, TokenInfo 5032, AODF..DODF 4401..4405)

P15_AID = bytes.fromhex('A000000063504B43532D3135')


def isf(path, kid, hdr, data):
    assert len(bytes.fromhex(hdr)) == 12 and hdr[:2] == kid
    return 'KEY %s kid=%s hdr=%s data=%s' % (path, kid, hdr, h(data))


def starcos2_image(card, serial):
    app = bytes.fromhex('3F005015')
    ef = 'EF {path} fdb={fdb} dcb=00 sfi={sfi} lcsi=05 sac= sae= ac=9F9F9F9F9F9F9F size={size:04X} data={data}'
    aodf = pin_obj('User PIN', 1, b'\x03\x03\x04\xCC', 0x83, b'\x00', app) + \
        pin_obj('Security Officer PIN', 2, b'\x03\x8F\x00', 0x01, b'\x00', bytes.fromhex('3F00'))
    return [
        'cardsim-image 1',
        '# description: ' + DESC['spk'],
        '# demo: OpenSC pkcs15-init-like layout (starcos-card.md §4.1)',
        '# SO PIN 87654321 (global 01), user PIN 1234 (local 83, PUK 87654321), 00-padded',
        'card ' + card,
        'serial ' + h(serial),
        'DF 3F00 fdb=38 dcb=00 sfi=00 lcsi=05 se=0000 name= sac= sae= ac=01010101',
        ef.format(path='3F00/0010', fdb='11', sfi='10', size=0x100, data='FF'),
        ef.format(path='3F00/2F00', fdb='01', sfi='00', size=0x80,
                  data=h(dir_record(P15_AID, 'demo', app))),
        'DF 3F00/5015 fdb=38 dcb=00 sfi=15 lcsi=05 se=0000 name=%s sac= sae= ac=01010000' % h(P15_AID),
        ef.format(path='3F00/5015/0010', fdb='11', sfi='10', size=0x500, data='FF'),
        ef.format(path='3F00/5015/5031', fdb='01', sfi='11', size=0x100,
                  data=h(odf(app, [(0xA8, '4401'), (0xA0, '4402'), (0xA1, '4403'),
                                   (0xA4, '4404'), (0xA7, '4405')]))),
        ef.format(path='3F00/5015/5032', fdb='01', sfi='12', size=0x80,
                  data=h(token_info(serial, 'Giesecke & Devrient', 'demo'))),
        ef.format(path='3F00/5015/4401', fdb='01', sfi='01', size=0x100, data=h(aodf)),
        ef.format(path='3F00/5015/4402', fdb='01', sfi='02', size=0x100, data=''),
        ef.format(path='3F00/5015/4403', fdb='01', sfi='03', size=0x100, data=''),
        ef.format(path='3F00/5015/4404', fdb='01', sfi='04', size=0x200, data=''),
        ef.format(path='3F00/5015/4405', fdb='01', sfi='05', size=0x100, data=''),
        # ISF records (starcos-card.md §3.1.4): SO PIN 01 (2 tries, state 1) in the MF,
        # its data-less entry in 5015's ISF, user PIN 83 (3 tries, local state E)
        # and its PUK 84 (10 tries, linked to 83)
        isf('3F00', '01', '010008' '9F019F22' '00000B0081', b'87654321'),
        isf('3F00/5015', '01', '010008' '9F019F22' '00000B0081', b''),
        isf('3F00/5015', '83', '830008' '9F0E9F33' '00000B0081', pad(b'1234', 8)),
        isf('3F00/5015', '84', '840008' '9F1D01AA' '0000000002', b'87654321'),
    ]


# ---- StarCOS 3.x: factory files (starcos-card.md §3.2) plus a PKCS#15 DF 5015

def starcos3_image(card, serial, gen):
    app = bytes.fromhex('3F005015')
    pinref = 0x01 if gen == 34 else 0x06
    fmt2 = bytes.fromhex('26123456FFFFFFFF')
    user = bytes.fromhex('241234FFFFFFFFFF')
    ef = 'EF {path} fdb=01 dcb=00 sfi={sfi} lcsi=05 sac= sae= size={size:04X} data={data}'
    lines = [
        'cardsim-image 1',
        '# description: ' + DESC['sc3'] % pinref,
        '# demo: factory files plus a PKCS#15 application DF 5015',
        '# global PIN %02X = 123456, local PIN 81 = 1234 (format-2 blocks)' % pinref,
        'card ' + card,
        'serial ' + h(serial),
        'DF 3F00 fdb=38 dcb=00 sfi=00 lcsi=05 se=0000 name= sac= sae=',
        'EF 3F00/2F00 fdb=04 dcb=00 sfi=00 lcsi=05 sac= sae= mrl=40 nor=08 rec=%s'
        % h(dir_record(P15_AID, 'demo', app)),
        ef.format(path='3F00/2F01', sfi='01', size=16, data='4703960120' '7F66080202010002020100'),
        ef.format(path='3F00/2F02', sfi='02', size=12, data='5A0A' + h(serial)),
    ]
    desc = bytes([0x7B, 0x05, 0xA4, 0x03, 0x89, 0x01, 0x12])
    if gen == 34:
        lines.append('EF 3F00/0015 fdb=04 dcb=00 sfi=15 lcsi=05 sac= sae= mrl=40 nor=04 rec=%s,%s'
                     % (h(bytes([0x83, 0x01, pinref]) + desc), h(bytes([0x83, 0x01, 0x81]) + desc)))
    else:
        lines.append('EF 3F00/0013 fdb=04 dcb=00 sfi=13 lcsi=05 sac= sae= mrl=40 nor=08 rec=%s,%s,%s'
                     % ('840182' '8A0105', h(bytes([0x88, 0x01, pinref]) + desc),
                        h(bytes([0x88, 0x01, 0x81]) + desc)))
    aodf = pin_obj('User PIN', 1, b'\x03\x03\x04\xCC', 0x81, b'\xFF', app)
    lines += [
        'DF 3F00/5015 fdb=38 dcb=00 sfi=15 lcsi=05 se=0000 name=%s sac= sae=' % h(P15_AID),
        ef.format(path='3F00/5015/5031', sfi='11', size=0x40,
                  data=h(odf(app, [(0xA8, '4401'), (0xA0, '4402'), (0xA4, '4404')]))),
        ef.format(path='3F00/5015/5032', sfi='12', size=0x60,
                  data=h(token_info(serial[-8:], 'Giesecke & Devrient', 'demo'))),
        ef.format(path='3F00/5015/4401', sfi='01', size=0x80, data=h(aodf)),
        ef.format(path='3F00/5015/4402', sfi='02', size=0x100, data=''),
        ef.format(path='3F00/5015/4404', sfi='04', size=0x200, data=''),
        'PIN 3F00 ref=%02X max=3 tries=3 value=%s pukmax=0 puktries=0 puk=' % (pinref, h(fmt2)),
        'PIN 3F00/5015 ref=81 max=3 tries=3 value=%s pukmax=10 puktries=10 puk=%s'
        % (h(user), h(bytes.fromhex('2812345678FFFFFF'))),
    ]
    return lines


IMAGES = {
    'acos5': acos_image('acos5', bytes.fromhex('A50100000001'), 'FF'),
    'acos5-64v2': acos_image('acos5-64v2', bytes.fromhex('A50200000002'), '00'),
    'acos5-64v3': acos_image('acos5-64v3', bytes.fromhex('A50300000003 0003'.replace(' ', '')), '00'),
    'starcos-spk23': starcos2_image('starcos-spk23', bytes.fromhex('53504B2300000001')),
    'starcos-spk24': starcos2_image('starcos-spk24', bytes.fromhex('53504B2400000002')),
    'starcos-3.4': starcos3_image('starcos-3.4', bytes.fromhex('80276000340000000001'), 34),
    'starcos-3.5': starcos3_image('starcos-3.5', bytes.fromhex('80276000350000000001'), 35),
}

for name, lines in IMAGES.items():
    d = os.path.join(ROOT, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, 'demo.img'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
