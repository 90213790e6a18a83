/*
 * pk-text.h: whether bytes a user gave (a token label, a line of a batch
 * file) are text that can go onto a card as a PKCS#15 UTF8String and into
 * a file name: UTF-8 without control characters; and whether a new PIN is
 * typed the same on every system: printable ASCII.
 *
 * Pure function over a byte buffer, so it is fuzzed with the parsers.
 *
 * Copyright (C) 2026 pkicards contributors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef PK_TEXT_H
#define PK_TEXT_H

#include <stddef.h>

/**
 * How many bytes at the start of @p s (@p len bytes) are whole characters of
 * UTF-8 (RFC 3629: shortest form, no surrogate, nothing above U+10FFFF) that
 * are not control characters (C0, DEL, C1: U+0000-001F, U+007F-009F).
 * @return @p len when all of @p s is such text, else the offset of the first
 *   byte of the first character that is not (in a Latin-1 file, the byte
 *   of a letter with an accent; a tab; a CR)
 */
size_t pk_text_valid_len(const unsigned char *s, size_t len);

/**
 * How many bytes at the start of the new PIN @p pin (@p len bytes) are
 * printable ASCII (20-7E). Any other byte is typed as different bytes on
 * different systems: OpenSC's tools pass "ä" as UTF-8 (C3 A4) on Linux and
 * in the ANSI code page (E4) on Windows, so a PIN set on one would not be
 * accepted on the other.
 * @return @p len when all of it is, else the offset of the first byte that
 *   is not
 */
size_t pk_text_pin_len(const unsigned char *pin, size_t len);

/* What to do about a command-line argument that is not such text. Windows
 * hands a program its arguments in the ANSI code page (Windows-1252 in
 * Western Europe: "J\xFCrgen"), which OpenSC's tools would write as it is. */
#ifdef _WIN32
#define PK_TEXT_ARG_HINT "give it in ASCII (Windows passes a program's arguments in its ANSI code page)"
#else
#define PK_TEXT_ARG_HINT "give it as UTF-8 (a terminal in a UTF-8 locale)"
#endif

#endif
