#!/usr/bin/env python3
"""Write the seed corpus of fuzz-parsers: one file per seed, named after it.
First byte selects the parser (see fuzz-parsers.c). Sources: real FCIs of an
ACOS5-64 V2 card (doc/acos5-card.md §3.2), the documented formats of
starcos-card.md §1.3/§2.5/§3.1.1/§3.2, RFC 8017 DigestInfo."""
import os

here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, "corpus")

seeds = {
    "tlv-fci-mf": "00 6F 18 83 02 3F 00 88 01 00 8A 01 01 82 02 3F 00 8D 02 00 03 84 00 8C 00 AB 00",
    "tlv-long": "00 30 82 00 05 04 81 02 AA BB",
    "acos5-fci-mf": "10 6F 18 83 02 3F 00 88 01 00 8A 01 01 82 02 3F 00 8D 02 00 03 84 00 8C 00 AB 00",
    "acos5-fci-df4100": "10 6F 30 83 02 41 00 88 01 00 8A 01 05 82 02 38 00 8D 02 41 03 84 10"
                        " 41 43 4F 53 50 4B 43 53 2D 31 35 76 31 2E 30 30 8C 08 7F 03 FF 00 01 01 01 01 AB 00",
    "acos5-fci-pinfile": "10 6F 1E 83 02 41 01 88 01 01 8A 01 05 82 06 0A 00 00 15 00 01"
                         " 8C 08 7F 03 FF 00 FF FF 01 FF AB 00",
    "acos5-fci-rsapub": "10 6F 1E 83 02 41 31 88 01 11 8A 01 05 82 02 09 00 80 02 02 15"
                        " 8C 08 7F 01 FF 00 01 00 01 00 AB 00",
    "acos5-fileinfo": "11 01 00 2F 00 00 21 00 05",
    "acos5-osversion": "12 41 43 4F 53 05 02 00 40",
    "acos5-pubkey": "13 00 04 41 F1 03" + " 00" * 13 + " 01 00 01" + " C3" * 64,
    "acos5-pubkey-v1": "14 00 04 41 F1 03 01 00 01 00 00 00 00 00" + " C3" * 64,
    "starcos2-fci": "20 6F 0B 82 01 01 83 02 50 31 80 02 01 00",
    "starcos3-fcp": "21 62 0B 82 05 04 41 00 40 08 83 02 00 13",
    "starcos3-fci-df": "21 6F 08 84 06 D2 76 00 00 66 01",
    "starcos-gdo": "22 5A 0A 80 27 60 00 35 00 00 00 00 01",
    "starcos-efatr": "23 7F 66 08 02 02 01 00 02 02 01 00",
    "starcos-keyd": "24 88 01 06 7B 05 A4 03 89 01 12",
    "starcos-pwdd": "24 83 01 01 7B 05 A4 03 89 01 12",
    # SPK 2.x READ PUBLIC KEY / IPF entry (starcos-card.md §3.1.1), 1024-bit modulus LSB first
    "starcos2-pubkey": "25 91 00 8C 9F 0F 00 09 4A 80 8C 06 01 01 10 80 13 04 91" + " C3" * 128
                       + " 01 00 01 00 04 91",
    "rsa-digestinfo-sha256": "30 30 31 30 0D 06 09 60 86 48 01 65 03 04 02 01 05 00 04 20" + " 55" * 32,
    "rsa-pkcs1-block": "30 00 02" + " AB" * 56 + " 00 68 65 6C 6C 6F",
}

os.makedirs(out, exist_ok=True)
for name, hexs in seeds.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(bytes.fromhex(hexs))
print(f"{len(seeds)} seeds in {out}")
