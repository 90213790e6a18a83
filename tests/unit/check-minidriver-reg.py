#!/usr/bin/env python3
"""Check the generated Windows registration files against the driver sources.

usage: check-minidriver-reg.py REG REMOVE_REG DRIVER_SOURCE.c...

Independent of the generator (it does not import it or share its parser):

- REG is a REGEDIT4 file in ASCII with CRLF lines, and holds only card keys
  under the 64-bit and the WOW6432Node SmartCards keys, each with exactly
  ATR, ATRMask (binary, same length, ATR & ATRMask == ATR), the two
  Microsoft providers, 80000001 (an absolute path of a DLL) and InstalledBy;
- card names are unique (registry names ignore case) and both views hold
  the same card types with the same ATR and mask;
- every ATR string literal in the driver sources ("3b:..", "3f:..") is
  covered by a card type of each view (same length, literal & mask == ATR),
  and there are as many card types per view as such literals, so an ATR
  added to a driver table without regenerating fails here;
- REMOVE_REG deletes exactly the keys REG creates, and nothing else.

The drivers' own matching is checked by test-minidriver-reg.c.
"""

import re
import sys

HIVE64 = "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Cryptography\\Calais\\SmartCards\\"
HIVE32 = "HKEY_LOCAL_MACHINE\\SOFTWARE\\WOW6432Node\\Microsoft\\Cryptography\\Calais\\SmartCards\\"
VALUES = {
    "Crypto Provider": "Microsoft Base Smart Card Crypto Provider",
    "Smart Card Key Storage Provider": "Microsoft Smart Card Key Storage Provider",
    "InstalledBy": "pkicards",
}
ATR_LITERAL = re.compile(r'"(3[bBfF](?::[0-9a-fA-F]{2})+)"')

errors = []


def err(msg):
    errors.append(msg)


def lines_of(path):
    with open(path, "rb") as f:
        data = f.read()
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        err(f"{path}: not ASCII (REGEDIT4 files are ANSI)")
        text = data.decode("latin-1")
    if data.replace(b"\r\n", b"").count(b"\n") or data.replace(b"\r\n", b"").count(b"\r"):
        err(f"{path}: a line does not end in CRLF")
    if not data.endswith(b"\r\n"):
        err(f"{path}: last line without CRLF")
    lines = text.replace("\r\n", "\n").split("\n")
    if lines[0] != "REGEDIT4":
        err(f"{path}: first line is '{lines[0]}', not REGEDIT4")
    return lines[1:]


def unquote(s):
    """"..." with \\\\ and \\" escapes -> text; None when malformed"""
    m = re.fullmatch(r'"((?:[^"\\]|\\[\\"])*)"', s)
    return re.sub(r"\\(.)", r"\1", m.group(1)) if m else None


def hexbytes(s):
    m = re.fullmatch(r"hex:([0-9a-f]{2}(?:,[0-9a-f]{2})*)", s)
    return bytes(int(x, 16) for x in m.group(1).split(",")) if m else None


def read_reg(path):
    keys = []  # (view, name, {value: data})
    cur = None
    for n, line in enumerate(lines_of(path), 2):
        where = f"{path}:{n}"
        if not line or line.startswith(";"):
            continue
        if line.startswith("["):
            m = re.fullmatch(r"\[(.*)\]", line)
            key = m.group(1) if m else ""
            for view, hive in ((64, HIVE64), (32, HIVE32)):
                if key.startswith(hive) and "\\" not in key[len(hive):] and key[len(hive):]:
                    cur = {}
                    keys.append((view, key[len(hive):], cur))
                    break
            else:
                err(f"{where}: key outside the SmartCards keys: {line}")
                cur = None
            continue
        m = re.fullmatch(r'"([^"\\]+)"=(.*)', line)
        if not m or cur is None:
            err(f"{where}: not a value line of a card key: {line}")
            continue
        name, data = m.groups()
        if name in cur:
            err(f"{where}: value {name} twice")
        if name in ("ATR", "ATRMask"):
            b = hexbytes(data)
            if b is None:
                err(f"{where}: {name} is not hex:..")
            cur[name] = b
        else:
            s = unquote(data)
            if s is None:
                err(f"{where}: {name} is not a quoted string")
            cur[name] = s
    return keys


def check_reg(keys, path):
    views = {64: {}, 32: {}}
    for view, name, vals in keys:
        tag = f"{path}: {name} ({view}-bit)"
        want = {"ATR", "ATRMask", "80000001"} | set(VALUES)
        if set(vals) != want:
            err(f"{tag}: values {sorted(vals)}, expected {sorted(want)}")
            continue
        for k, v in VALUES.items():
            if vals[k] != v:
                err(f"{tag}: {k} is '{vals[k]}', expected '{v}'")
        dll = vals["80000001"] or ""
        if not re.fullmatch(r"[A-Za-z]:\\.+\.dll", dll, re.I):
            err(f"{tag}: 80000001 '{dll}' is not an absolute DLL path")
        atr, mask = vals["ATR"], vals["ATRMask"]
        if atr is None or mask is None:
            continue
        if len(atr) != len(mask):
            err(f"{tag}: ATR {len(atr)} bytes, ATRMask {len(mask)} bytes")
            continue
        if not 2 <= len(atr) <= 33 or atr[0] not in (0x3B, 0x3F):
            err(f"{tag}: ATR {atr.hex()} is no ATR")
        if bytes(a & m for a, m in zip(atr, mask)) != atr:
            err(f"{tag}: ATR {atr.hex()} has bits outside ATRMask {mask.hex()}")
        if name.lower() in views[view]:
            err(f"{tag}: card name used twice")
        views[view][name.lower()] = (name, atr, mask)
    if not views[64]:
        err(f"{path}: no card key")
    if views[64] != views[32]:
        only64 = sorted(set(views[64].items()) - set(views[32].items()))
        only32 = sorted(set(views[32].items()) - set(views[64].items()))
        err(f"{path}: the 64-bit and WOW6432Node card types differ: "
            f"only 64-bit {[x[1][0] for x in only64]}, only 32-bit {[x[1][0] for x in only32]}")
    return views


def check_sources(views, sources):
    literals = []
    for src in sources:
        with open(src, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                for m in ATR_LITERAL.finditer(line):
                    literals.append((f"{src}:{n}",
                                     bytes(int(x, 16) for x in m.group(1).split(":"))))
    if not literals:
        err(f"no ATR literal in {sources}")
    for view in (64, 32):
        cards = list(views[view].values())
        for where, lit in literals:
            if not any(len(atr) == len(lit) and
                       bytes(a & m for a, m in zip(lit, mask)) == atr
                       for _, atr, mask in cards):
                err(f"{where}: ATR {lit.hex(':')} has no card type in the {view}-bit view")
        if len(cards) != len(literals):
            err(f"{view}-bit view: {len(cards)} card types for {len(literals)} ATRs in the driver sources")


def check_remove(keys, path):
    want = {f"[-{HIVE64 if v == 64 else HIVE32}{n}]" for v, n, _ in keys}
    got = set()
    for n, line in enumerate(lines_of(path), 2):
        if not line or line.startswith(";"):
            continue
        if not line.startswith("[-"):
            err(f"{path}:{n}: not a key removal: {line}")
        got.add(line)
    if got != want:
        err(f"{path}: removes {len(got)} keys; {len(want - got)} created keys not removed, "
            f"{len(got - want)} others removed")


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    reg, remove, sources = argv[0], argv[1], argv[2:]
    keys = read_reg(reg)
    views = check_reg(keys, reg)
    check_sources(views, sources)
    check_remove(keys, remove)
    for e in errors:
        print("FAIL:", e)
    if errors:
        return 1
    print(f"ok: {len(views[64])} card types in both registry views, "
          f"every ATR of {', '.join(sources)} covered")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
