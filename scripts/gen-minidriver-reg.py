#!/usr/bin/env python3
"""Windows smart card registration (.reg) for the cards of the pkicards drivers.

Windows binds a card to a minidriver through one registry key per card type
under HKLM\\SOFTWARE\\Microsoft\\Cryptography\\Calais\\SmartCards (and the
WOW6432Node copy for 32-bit processes). The key holds the ATR and its mask;
Windows picks the card type whose mask, applied to the card's ATR, gives the
stored ATR. OpenSC's installer writes such keys only for the cards of its
built-in drivers, so ours need their own, pointing at OpenSC's minidriver.

The ATRs are read from the sc_atr_table arrays in the driver sources, which
stay the only list of ATRs. Every table entry becomes one card type; a mask
in the table becomes ATRMask (the stored ATR is the table ATR ANDed with it,
as Windows compares the masked card ATR with the stored ATR), an entry
without a mask gets an all-FF mask. Anything in a table that this script
cannot read exactly (an ATR that is not a string literal or a #define of
one, a mask of another length) stops it with an error rather than leaving
the card out.

usage: gen-minidriver-reg.py [-o FILE] [--remove] [--minidriver PATH]
                             [--minidriver32 PATH] SOURCE.c...
       gen-minidriver-reg.py --nsis [-o FILE] SOURCE.c...
       gen-minidriver-reg.py --read-only-conf [-o FILE] SOURCE.c...

The output is a REGEDIT4 file (ASCII, CRLF lines), which regedit and
"reg import" accept on every Windows version. --remove writes a file that
deletes exactly the keys the normal file creates.
"""

import argparse
import re
import sys

SMARTCARDS_64 = r"HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Cryptography\Calais\SmartCards"
SMARTCARDS_32 = r"HKEY_LOCAL_MACHINE\SOFTWARE\WOW6432Node\Microsoft\Cryptography\Calais\SmartCards"
MINIDRIVER_64 = r"C:\Program Files\OpenSC Project\OpenSC\minidriver\opensc-minidriver.dll"
MINIDRIVER_32 = r"C:\Program Files (x86)\OpenSC Project\OpenSC\minidriver\opensc-minidriver.dll"
CRYPTO_PROVIDER = "Microsoft Base Smart Card Crypto Provider"
KSP = "Microsoft Smart Card Key Storage Provider"
INSTALLED_BY = "pkicards"
SC_MAX_ATR_SIZE = 33
# Card types personalised by their issuers, which pkcs15-init cannot write
# (driver/card-starcos.c: the generations with no_admin). OpenSC's
# minidriver reports a card read-only only when its TokenInfo says so or
# the opensc.conf block "card_atr ATR" of its ATR has read_only = true; the
# installer adds such blocks for these ATRs (doc/windows.md, "opensc.conf").
READ_ONLY_TYPES = ("PK_CARD_TYPE_STARCOS_3_4", "PK_CARD_TYPE_STARCOS_3_5")
HEX_ATR = re.compile(r"^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2})*$")


class ParseError(Exception):
    pass


def tokens(text, path):
    """C tokens without comments: ('str', value), ('id', name), ('p', char)."""
    out = []
    i, n, line = 0, len(text), 1
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
            i += 1
        elif c.isspace():
            i += 1
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            if j < 0:
                raise ParseError(f"{path}:{line}: unterminated comment")
            line += text.count("\n", i, j)
            i = j + 2
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif c == '"':
            j, val = i + 1, []
            while j < n and text[j] != '"':
                if text[j] == "\\":
                    val.append(text[j:j + 2])
                    j += 2
                else:
                    val.append(text[j])
                    j += 1
            if j >= n:
                raise ParseError(f"{path}:{line}: unterminated string")
            out.append(("str", "".join(val), line))
            i = j + 1
        elif c == "'":
            j = text.find("'", i + 2 if text[i + 1] == "\\" else i + 1)
            out.append(("p", text[i:j + 1], line))
            i = j + 1
        elif c.isalnum() or c == "_":
            j = i
            while j < n and (text[j].isalnum() or text[j] == "_"):
                j += 1
            out.append(("id", text[i:j], line))
            i = j
        elif c == "#":
            # a preprocessor line, as one token (continuations joined)
            j = i
            while True:
                k = text.find("\n", j)
                if k < 0:
                    k = n
                if k > 0 and text[k - 1] == "\\":
                    j = k + 1
                    continue
                break
            out.append(("pp", text[i:k], line))
            line += text.count("\n", i, k)
            i = k
        else:
            out.append(("p", c, line))
            i += 1
    return out


def string_defines(toks, path):
    """#define NAME "literal" ... (adjacent literals joined)"""
    defs = {}
    for kind, val, line in toks:
        if kind != "pp":
            continue
        m = re.match(r"#\s*define\s+(\w+)\s+(.*)$", val.replace("\\\n", " "), re.S)
        if not m:
            continue
        body = tokens(m.group(2), path)
        if body and all(k == "str" for k, _, _ in body):
            defs[m.group(1)] = "".join(v for _, v, _ in body)
    return defs


def split_top(toks, sep=","):
    """Split a token list at top-level separators."""
    parts, cur, depth = [], [], 0
    for t in toks:
        if t[0] == "p" and t[1] in "({[":
            depth += 1
        elif t[0] == "p" and t[1] in ")}]":
            depth -= 1
        if depth == 0 and t[0] == "p" and t[1] == sep:
            parts.append(cur)
            cur = []
        else:
            cur.append(t)
    if cur:
        parts.append(cur)
    return parts


def value(field, defs, path):
    """A field as a string, None for NULL; ParseError for anything else."""
    if len(field) == 1 and field[0][:2] == ("id", "NULL"):
        return None
    if field and all(k == "str" for k, _, _ in field):
        return "".join(v for _, v, _ in field)
    if len(field) == 1 and field[0][0] == "id" and field[0][1] in defs:
        return defs[field[0][1]]
    line = field[0][2] if field else "?"
    shown = " ".join(str(v) for _, v, _ in field)
    raise ParseError(f"{path}:{line}: cannot read '{shown}' as a string")


def atr_tables(path):
    """Every entry of every 'struct sc_atr_table NAME[] = {...}' in a source."""
    with open(path, encoding="utf-8") as f:
        toks = tokens(f.read(), path)
    defs = string_defines(toks, path)
    entries = []
    i = 0
    while i < len(toks):
        if not (toks[i][:2] == ("id", "struct") and i + 1 < len(toks)
                and toks[i + 1][:2] == ("id", "sc_atr_table")):
            i += 1
            continue
        # struct sc_atr_table NAME [ ] = {
        j = i + 2
        if not (j + 4 < len(toks) and toks[j][0] == "id"
                and [t[1] for t in toks[j + 1:j + 5]] == ["[", "]", "=", "{"]):
            i += 1  # a declaration or a pointer, not a table definition
            continue
        table, line0 = toks[j][1], toks[j][2]
        k, depth = j + 5, 1
        start = k
        while k < len(toks) and depth:
            if toks[k][0] == "p" and toks[k][1] == "{":
                depth += 1
            elif toks[k][0] == "p" and toks[k][1] == "}":
                depth -= 1
            k += 1
        if depth:
            raise ParseError(f"{path}:{line0}: table {table} not closed")
        body = toks[start:k - 1]
        terminated = False
        for item in split_top(body):
            if not item:
                continue
            if not (item[0][:2] == ("p", "{") and item[-1][:2] == ("p", "}")):
                raise ParseError(f"{path}:{item[0][2]}: {table}: entry is not {{...}}")
            fields = split_top(item[1:-1])
            if terminated:
                raise ParseError(f"{path}:{item[0][2]}: {table}: entry after the NULL terminator")
            atr = value(fields[0], defs, path)
            if atr is None:
                terminated = True
                continue
            if len(fields) < 4:
                raise ParseError(f"{path}:{item[0][2]}: {table}: entry without a name")
            mask = value(fields[1], defs, path)
            name = value(fields[2], defs, path)
            ctype = fields[3][0][1] if len(fields[3]) == 1 and fields[3][0][0] == "id" else None
            entries.append({"atr": atr, "mask": mask, "name": name, "table": table, "type": ctype,
                            "where": f"{path}:{item[0][2]}"})
        if not terminated:
            raise ParseError(f"{path}:{line0}: table {table} has no NULL terminator")
        i = k
    return entries


def to_bytes(hexstr, where, what):
    if not HEX_ATR.match(hexstr):
        raise ParseError(f"{where}: {what} '{hexstr}' is not hex bytes joined by ':'")
    b = bytes(int(x, 16) for x in hexstr.split(":"))
    if len(b) > SC_MAX_ATR_SIZE:
        raise ParseError(f"{where}: {what} longer than {SC_MAX_ATR_SIZE} bytes")
    return b


def cards(sources):
    """(card name, ATR & mask, mask, entry) for every table entry, in order"""
    entries = []
    for path in sources:
        found = atr_tables(path)
        if not found:
            raise ParseError(f"{path}: no sc_atr_table with entries")
        entries += found
    out = []
    for e in entries:
        atr = to_bytes(e["atr"], e["where"], "ATR")
        mask = to_bytes(e["mask"], e["where"], "mask") if e["mask"] else b"\xff" * len(atr)
        if len(mask) != len(atr):
            # OpenSC would skip this entry silently: refuse it here
            raise ParseError(f"{e['where']}: mask and ATR differ in length")
        out.append([e["name"], bytes(a & m for a, m in zip(atr, mask)), mask, e])
    # one name per card type: "<name> (pkicards)", numbered when repeated
    count = {}
    for c in out:
        count[c[0]] = count.get(c[0], 0) + 1
    seen = {}
    for c in out:
        if count[c[0]] == 1:
            c[0] = f"{c[0]} (pkicards)"
        else:
            seen[c[0]] = seen.get(c[0], 0) + 1
            c[0] = f"{c[0]} (pkicards {seen[c[0]]})"
    names = [c[0] for c in out]
    for n in names:
        if "\\" in n or "]" in n or not n.isascii() or len(n) > 200:
            raise ParseError(f"card name '{n}' cannot be a registry key name")
    if len(set(n.lower() for n in names)) != len(names):
        raise ParseError("card names are not unique")
    return out


def reg_string(s):
    if not s.isascii():
        raise ParseError(f"'{s}' is not ASCII")
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def reg_hex(b):
    return "hex:" + ",".join(f"{x:02x}" for x in b)


def render(card_list, sources, minidriver64, minidriver32, remove):
    lines = ["REGEDIT4", "",
             "; Windows smart card registration for the cards of the pkicards drivers",
             "; (acos5_ext, starcos_ext): OpenSC's minidriver serves them.",
             "; Generated by scripts/gen-minidriver-reg.py from " + ", ".join(sources) + ";",
             "; do not edit, regenerate. See doc/install.md, section Windows."]
    if remove:
        lines.append("; This file removes the keys that pkicards-minidriver.reg creates.")
    for hive, dll in ((SMARTCARDS_64, minidriver64), (SMARTCARDS_32, minidriver32)):
        lines += ["", "; " + ("64-bit processes" if hive == SMARTCARDS_64
                              else "32-bit processes on 64-bit Windows")]
        for name, atr, mask, e in card_list:
            if remove:
                lines += ["", f"[-{hive}\\{name}]"]
                continue
            lines += ["", f"; {e['table']}: {e['atr']}" + (f" mask {e['mask']}" if e["mask"] else ""),
                      f"[{hive}\\{name}]",
                      '"ATR"=' + reg_hex(atr),
                      '"ATRMask"=' + reg_hex(mask),
                      '"Crypto Provider"=' + reg_string(CRYPTO_PROVIDER),
                      '"Smart Card Key Storage Provider"=' + reg_string(KSP),
                      '"80000001"=' + reg_string(dll),
                      '"InstalledBy"=' + reg_string(INSTALLED_BY)]
    return "\r\n".join(lines) + "\r\n"


def nsis_string(s):
    """an NSIS string in double quotes ($ and " escaped)"""
    if not s.isascii():
        raise ParseError(f"'{s}' is not ASCII")
    return '"' + s.replace("$", "$$").replace('"', '$\\"') + '"'


def render_nsis(card_list, sources):
    """NSIS macros for the installer (windows/pkicards.nsi): the same card
    types as the .reg file, 64-bit registry view only (the DLLs are 64-bit),
    the minidriver path given at install time."""
    key = SMARTCARDS_64.replace("HKEY_LOCAL_MACHINE\\", "")
    lines = ["; Windows smart card registration for the cards of the pkicards drivers,",
             "; as NSIS macros. Generated by scripts/gen-minidriver-reg.py --nsis from",
             "; " + ", ".join(sources) + "; do not edit, regenerate.",
             "!define PKICARDS_CARD_TYPES " + str(len(card_list)),
             "!define PKICARDS_SMARTCARDS " + nsis_string(key),
             "!define PKICARDS_INSTALLED_BY " + nsis_string(INSTALLED_BY),
             "!macro PKICARDS_REGISTER_CARDS MINIDRIVER"]
    for name, atr, mask, e in card_list:
        k = nsis_string(key + "\\" + name)
        lines += [f"\t; {e['table']}: {e['atr']}" + (f" mask {e['mask']}" if e["mask"] else ""),
                  f'\tWriteRegBin HKLM {k} "ATR" {atr.hex()}',
                  f'\tWriteRegBin HKLM {k} "ATRMask" {mask.hex()}',
                  f'\tWriteRegStr HKLM {k} "Crypto Provider" {nsis_string(CRYPTO_PROVIDER)}',
                  f'\tWriteRegStr HKLM {k} "Smart Card Key Storage Provider" {nsis_string(KSP)}',
                  f'\tWriteRegStr HKLM {k} "80000001" "${{MINIDRIVER}}"',
                  f'\tWriteRegStr HKLM {k} "InstalledBy" {nsis_string(INSTALLED_BY)}']
    lines += ["!macroend", "!macro PKICARDS_UNREGISTER_CARDS"]
    for name, atr, mask, e in card_list:
        lines.append(f"\tDeleteRegKey HKLM {nsis_string(key + chr(92) + name)}")
    lines.append("!macroend")
    # opensc.conf lines written to the open file $0 (pkicards.nsi, WriteConfLines)
    lines.append("!macro PKICARDS_READ_ONLY_ATRS")
    for line in read_only_conf(card_list):
        lines.append(f"\tFileWrite $0 {nsis_string(line)[:-1].replace(chr(9), '$' + chr(92) + 't')}$\\n\"")
    lines.append("!macroend")
    return "\r\n".join(lines) + "\r\n"


def read_only_conf(card_list):
    """opensc.conf lines: a card_atr block with read_only = true for each
    ATR of an issuer-personalised card type (READ_ONLY_TYPES)"""
    out = []
    for name, atr, mask, e in card_list:
        if e["type"] not in READ_ONLY_TYPES:
            continue
        out.append(f"card_atr {e['atr'].lower()} {{")
        if e["mask"]:
            out.append(f"\tatrmask = {e['mask'].lower()};")
        out += ["\tread_only = true;", "}"]
    if not out:
        raise ParseError("no ATR of an issuer-personalised card type (READ_ONLY_TYPES) in the tables")
    return out


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("sources", nargs="+", help="driver sources with sc_atr_table arrays")
    ap.add_argument("-o", "--output", help="output file (default: standard output)")
    ap.add_argument("--remove", action="store_true", help="write the keys' removal instead")
    ap.add_argument("--minidriver", default=MINIDRIVER_64,
                    help="minidriver DLL for 64-bit processes (default: %(default)s)")
    ap.add_argument("--minidriver32", default=MINIDRIVER_32,
                    help="minidriver DLL for 32-bit processes, WOW6432Node (default: %(default)s)")
    ap.add_argument("--nsis", action="store_true",
                    help="write NSIS macros (64-bit view; minidriver path a macro argument) instead")
    ap.add_argument("--read-only-conf", action="store_true",
                    help="write the opensc.conf card_atr blocks with read_only = true of the "
                    "issuer-personalised card types instead")
    ap.add_argument("--label", action="append", default=[],
                    help="source path to name in the header instead of the given one (once per source)")
    args = ap.parse_args(argv)
    try:
        card_list = cards(args.sources)
        shown = args.label if len(args.label) == len(args.sources) else args.sources
        if args.nsis:
            text = render_nsis(card_list, shown)
        elif args.read_only_conf:
            text = "\n".join(["# issuer-personalised cards of the pkicards drivers: OpenSC's minidriver",
                               "# reports them read-only (generated by scripts/gen-minidriver-reg.py",
                               "# --read-only-conf from " + ", ".join(shown) + ")"]
                              + read_only_conf(card_list)) + "\n"
        else:
            text = render(card_list, shown, args.minidriver, args.minidriver32, args.remove)
    except (ParseError, OSError) as e:
        print(f"gen-minidriver-reg: {e}", file=sys.stderr)
        return 1
    data = text.encode("ascii")
    if args.output:
        with open(args.output, "wb") as f:
            f.write(data)
    else:
        sys.stdout.buffer.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
