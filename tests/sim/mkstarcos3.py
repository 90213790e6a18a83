#!/usr/bin/env python3
"""Generates the StarCOS 3.x issuer card images (doc/simulator.md):

  tests/images/starcos-3.4/dtrust.img  D-Trust 3.4 QES style, with an on-card
                                        PKCS#15 application
  tests/images/starcos-3.5/bnotk.img   BNotK 3.5 style, no PKCS#15: keys by
                                        reference, certificates at fixed FIDs

Layouts follow starcos-card.md §3.2 (application table). Key pairs and
certificates (issued by a test CA made here) are fresh on every run, so the
generated images are committed. Needs the 'cryptography' package.
"""
import datetime
import os

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'images')

P15_AID = bytes.fromhex('A000000063504B43532D3135')
ESIGN_AID = bytes.fromhex('A000000167455349474E')       # eUserPKI / eSign
QES_AID = bytes.fromhex('D27600006601')
CERTS_AID = bytes.fromhex('A000000244465F4365727473')   # "DF_Certs"
BNOTK_PKI_AID = bytes.fromhex('A000000525655573657201')


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


def path_obj(p):
    return der(0x30, der(0x04, p))


# ---- PIN blocks (starcos-card.md §1.3: 12 = format 2, 21 = ASCII) ---------------

def fmt2(digits):
    nib = '2%X' % len(digits) + digits
    nib += 'F' * (16 - len(nib))
    return bytes.fromhex(nib)


def ascii_pin(digits):
    return digits.encode()


# ---- keys and certificates --------------------------------------------------

NOW = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)


def name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, 'DE'),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, 'cardsim test'),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def new_key(bits):
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def cert(subject_key, cn, issuer_key=None, issuer_cn=None, ca=False, usage='sign'):
    b = (x509.CertificateBuilder()
         .subject_name(name(cn))
         .issuer_name(name(issuer_cn or cn))
         .public_key(subject_key.public_key())
         .serial_number(x509.random_serial_number())
         .not_valid_before(NOW)
         .not_valid_after(NOW + datetime.timedelta(days=3650))
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    ku = dict(digital_signature=usage in ('sign', 'aut'), content_commitment=usage == 'qes',
              key_encipherment=usage == 'aut', data_encipherment=False, key_agreement=False,
              key_cert_sign=ca, crl_sign=ca, encipher_only=False, decipher_only=False)
    b = b.add_extension(x509.KeyUsage(**ku), critical=True)
    signer = issuer_key or subject_key
    return b.sign(signer, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def blob(key):
    """ISF private-key record, CRT form (starcos-card.md §3.1.4), components LSB first."""
    n = key.private_numbers()
    hl = key.key_size // 16
    le = lambda x: x.to_bytes(hl, 'big')[::-1]
    head = bytes([0x0C, 0x91, hl, 0x92, hl, 0x94, hl + 16, 0x95, hl + 16, 0x97, hl, 0, 0])
    return head + le(n.q) + le(n.p) + bytes(16) + le(n.dmq1) + bytes(16) + le(n.dmp1) + le(n.iqmp)


USE_SIGN, USE_DECIPHER, USE_AUTH = 1, 2, 4


def key_line(path, ref, pinref, usage, key):
    """KEY record for 3.x: hdr[3] = PIN reference, hdr[9] = usage bits, hdr[11] = A0."""
    data = blob(key)
    hdr = bytes([ref, len(data) >> 8, len(data) & 0xFF, pinref, 0x8F, 0x5F, 0, 0, 0, usage, 0, 0xA0])
    return 'KEY %s kid=%02X hdr=%s data=%s' % (path, ref, h(hdr), h(data))


def pin_line(path, ref, value, tries=3, puk=b'', puktries=0, transport=False):
    line = 'PIN %s ref=%02X max=%d tries=%d value=%s pukmax=%d puktries=%d puk=%s' % (
        path, ref, tries, tries, h(value), puktries, puktries, h(puk))
    return line + (' transport=1' if transport else '')


def ef(path, sfi, data, size=None):
    size = len(data) if size is None else size
    return 'EF %s fdb=01 dcb=00 sfi=%s lcsi=05 sac= sae= size=%04X data=%s' % (path, sfi, size, h(data))


def df(path, aid):
    return 'DF %s fdb=38 dcb=00 sfi=00 lcsi=05 se=0000 name=%s sac= sae=' % (path, h(aid))


def rec_ef(path, sfi, mrl, nor, records):
    return 'EF %s fdb=04 dcb=00 sfi=%s lcsi=05 sac= sae= mrl=%02X nor=%02X rec=%s' % (
        path, sfi, mrl, nor, ','.join(h(r) for r in records))


def dir_record(aid, label, path):
    return der(0x61, der(0x4F, aid), der(0x50, label.encode()), der(0x51, path))


def mf_lines(card, serial, ext):
    # 47 card capabilities (third byte: 20 = extended length information in
    # EF.ATR, 40 = extended Lc/Le), then 7F66; see doc/simulator.md
    atr = bytes.fromhex('4703960160' '7F66080202040002020400' if ext else
                        '4703960120' '7F66080202010002020100')
    return [
        'DF 3F00 fdb=38 dcb=00 sfi=00 lcsi=05 se=0000 name= sac= sae=',
        ef('3F00/2F01', '01', atr),
        ef('3F00/2F02', '02', bytes([0x5A, len(serial)]) + serial),
    ]


# ---- PKCS#15 objects -------------------------------------------------------------

def pin_obj(label, auth_id, ref, path, flags=b'\x02\x4C'):
    # flags: BIT STRING content (unused bits, bits); 4C = case-sensitive,
    # initialized, needs-padding; CC adds local
    attrs = der(0x30, der(0x03, flags), der(0x0A, b'\x01'), der(0x02, b'\x06'),
                der(0x02, b'\x08'), der(0x02, b'\x08'), der(0x80, bytes([ref])),
                der(0x04, b'\xFF'), path_obj(path))
    return der(0x30, der(0x30, der(0x0C, label.encode()), der(0x03, b'\x07\x80')),
               der(0x30, der(0x04, bytes([auth_id]))), der(0xA1, attrs))


def prkey_obj(label, auth_id, key_id, usage, ref, path, bits):
    return der(0x30,
               der(0x30, der(0x0C, label.encode()), der(0x03, b'\x07\x80'),
                   der(0x04, bytes([auth_id]))),
               der(0x30, der(0x04, bytes([key_id])), der(0x03, usage), der(0x02, bytes([ref]))),
               der(0xA1, der(0x30, path_obj(path), der(0x02, bits.to_bytes(2, 'big')))))


def cert_obj(label, key_id, path, authority=False):
    common = der(0x04, bytes([key_id])) + (der(0x01, b'\xFF') if authority else b'')
    return der(0x30, der(0x30, der(0x0C, label.encode())), der(0x30, common),
               der(0xA1, der(0x30, path_obj(path))))


# ---- D-Trust 3.4 style (starcos-card.md §3.2: eUserPKI PIN 01, AUT key 81, QES PIN 81,
#      QES key 84, certificates C100/C101 (AUT chain) and C103/C104 (DS chain))

def dtrust():
    serial = bytes.fromhex('80276000340000000042')
    ca_key = new_key(2048)
    ca = cert(ca_key, 'cardsim Test CA', ca=True)
    aut_key, qes_key = new_key(1728), new_key(2048)
    aut = cert(aut_key, 'Erika Mustermann AUT', ca_key, 'cardsim Test CA', usage='aut')
    qes = cert(qes_key, 'Erika Mustermann QES', ca_key, 'cardsim Test CA', usage='qes')
    app, qdf, cdir = '3F00/DF01', '3F00/DF02', '3F00/DF03'
    papp = bytes.fromhex('3F00DF01')
    pcert = bytes.fromhex('3F00DF03')
    desc = bytes.fromhex('7B05A403890112')
    aodf = pin_obj('eUserPKI PIN', 1, 0x01, bytes.fromhex('3F00')) + \
        pin_obj('QES PIN', 2, 0x81, bytes.fromhex('3F00DF02'), flags=b'\x02\xCC')
    prkdf = prkey_obj('AUT key', 1, 1, b'\x05\x60', 0x81, papp, 1728) + \
        prkey_obj('QES key', 2, 2, b'\x06\x00\x40', 0x84, bytes.fromhex('3F00DF02'), 2048)
    cdf = cert_obj('C.CH.AUT', 1, pcert + bytes.fromhex('C100')) + \
        cert_obj('C.CH.QES', 2, pcert + bytes.fromhex('C103')) + \
        cert_obj('C.CA', 3, pcert + bytes.fromhex('C101'), authority=True)
    odf = der(0xA8, path_obj(papp + bytes.fromhex('4401'))) + \
        der(0xA0, path_obj(papp + bytes.fromhex('4402'))) + \
        der(0xA4, path_obj(papp + bytes.fromhex('4404')))
    tinfo = der(0x30, der(0x02, b'\x00'), der(0x04, serial[-8:]),
                der(0x0C, b'D-TRUST GmbH (C)'), der(0x80, b'cardsim D-Trust 3.4'),
                der(0x03, b'\x04\x20'))
    lines = [
        'cardsim-image 1',
        '# description: D-Trust-style issuer card: AUT key (1728 bits) and QES key (2048) with certificates; PIN 123456, QES PIN 654321',
        '# D-Trust 3.4 QES style (starcos-card.md §3.2), generated by tests/sim/mkstarcos3.py',
        '# eUserPKI PIN global 01 = 123456 (PUK 12345678), QES PIN local 81 in DF02 = 654321,',
        '# format-2 blocks; AUT key 81 (1728 bits) in DF01, QES key 84 (2048 bits) in DF02',
        'card starcos-3.4',
        'serial ' + h(serial),
    ] + mf_lines('starcos-3.4', serial, True) + [
        rec_ef('3F00/2F00', '00', 0x40, 4, [dir_record(P15_AID, 'eUserPKI', papp),
                                            dir_record(QES_AID, 'QES', bytes.fromhex('3F00DF02'))]),
        rec_ef('3F00/0015', '15', 0x40, 4, [bytes([0x83, 0x01, 0x01]) + desc,
                                            bytes([0x83, 0x01, 0x81]) + desc]),
        df(app, P15_AID),
        ef(app + '/5031', '11', odf),
        ef(app + '/5032', '12', tinfo),
        ef(app + '/4401', '01', aodf),
        ef(app + '/4402', '02', prkdf),
        ef(app + '/4404', '04', cdf),
        df(qdf, QES_AID),
        df(cdir, CERTS_AID),
        ef(cdir + '/C100', '00', aut),
        ef(cdir + '/C101', '01', ca),
        ef(cdir + '/C103', '03', qes),
        ef(cdir + '/C104', '04', ca),
        pin_line('3F00', 0x01, fmt2('123456'), 3, fmt2('12345678'), 10),
        pin_line(qdf, 0x81, fmt2('654321'), 3),
        key_line(app, 0x81, 0x01, USE_SIGN | USE_DECIPHER | USE_AUTH, aut_key),
        key_line(qdf, 0x84, 0x81, USE_SIGN, qes_key),
    ]
    return 'starcos-3.4', 'dtrust', lines


# ---- BNotK 3.5 style (starcos-card.md §3.2: QES app with two signature keys 84 / 85,
#      PINs 81 / 86; eUserPKI with PIN 06 and AUT key 82; certificates C001/C011,
#      C002/C012, C003); no PKCS#15

def bnotk():
    serial = bytes.fromhex('80276000350000000042')
    ca_key = new_key(2048)
    ca = cert(ca_key, 'cardsim BNotK Test CA', ca=True)
    k84, k85, k82 = new_key(2048), new_key(3072), new_key(2048)
    c84 = cert(k84, 'Max Notar QES 1', ca_key, 'cardsim BNotK Test CA', usage='qes')
    c85 = cert(k85, 'Max Notar QES 2', ca_key, 'cardsim BNotK Test CA', usage='qes')
    c82 = cert(k82, 'Max Notar AUT', ca_key, 'cardsim BNotK Test CA', usage='aut')
    qdf, pdf = '3F00/DF01', '3F00/DF02'
    desc = bytes.fromhex('7B05A403890121')      # ASCII PINs
    keyd = [bytes.fromhex('840184' '8A0105'), bytes.fromhex('840185' '8A0105'),
            bytes.fromhex('840182' '8A0105'),
            bytes([0x88, 0x01, 0x06]) + desc, bytes([0x88, 0x01, 0x81]) + desc,
            bytes([0x88, 0x01, 0x86]) + desc]
    lines = [
        'cardsim-image 1',
        '# description: BNotK-style issuer card (no PKCS#15): AUT key 82, QES keys 84/85 with certificates; PIN 123456, QES PINs 111111 / transport 000000',
        '# BNotK 3.5 style (starcos-card.md §3.2), generated by tests/sim/mkstarcos3.py',
        '# ASCII PINs: eUserPKI PIN global 06 = 123456 (PUK 12345678), QES PIN 81 = 111111,',
        '# QES PIN 86 = transport PIN 000000 (change it first); keys 84 (2048) / 85 (3072)',
        '# in DF01 (QES), 82 (2048, sign/decipher/auth) in DF02 (eUserPKI)',
        'card starcos-3.5',
        'serial ' + h(serial),
    ] + mf_lines('starcos-3.5', serial, True) + [
        rec_ef('3F00/2F00', '00', 0x40, 4, [dir_record(ESIGN_AID, 'QES', bytes.fromhex('3F00DF01')),
                                            dir_record(BNOTK_PKI_AID, 'eUserPKI',
                                                       bytes.fromhex('3F00DF02'))]),
        rec_ef('3F00/0013', '13', 0x40, 8, keyd),
        df(qdf, ESIGN_AID),
        ef(qdf + '/C001', '01', c84),
        ef(qdf + '/C011', '11', ca),
        ef(qdf + '/C002', '02', c85),
        ef(qdf + '/C012', '12', ca),
        df(pdf, BNOTK_PKI_AID),
        ef(pdf + '/C003', '03', c82),
        pin_line('3F00', 0x06, ascii_pin('123456'), 3, ascii_pin('12345678'), 10),
        pin_line(qdf, 0x81, ascii_pin('111111'), 3),
        pin_line(qdf, 0x86, ascii_pin('000000'), 3, transport=True),
        key_line(qdf, 0x84, 0x81, USE_SIGN, k84),
        key_line(qdf, 0x85, 0x86, USE_SIGN, k85),
        key_line(pdf, 0x82, 0x06, USE_SIGN | USE_DECIPHER | USE_AUTH, k82),
    ]
    return 'starcos-3.5', 'bnotk', lines


for card, img, lines in (dtrust(), bnotk()):
    d = os.path.join(ROOT, card)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, img + '.img'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
