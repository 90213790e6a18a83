/*
 * pk-text.c: UTF-8 text without control characters, PINs of printable
 * ASCII (pk-text.h).
 *
 * Copyright (C) 2026 pkicards contributors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "pk-text.h"

/* the length of the UTF-8 character at @p s, 0 when it is not one */
static size_t
pk_text_char_len(const unsigned char *s, size_t left)
{
	unsigned int c = s[0], cp;
	size_t n, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2, cp = c & 0x1F;
	else if (c >= 0xE0 && c <= 0xEF)
		n = 3, cp = c & 0x0F;
	else if (c >= 0xF0 && c <= 0xF4)
		n = 4, cp = c & 0x07;
	else
		return 0; /* a continuation byte, an overlong 2-byte lead, or past U+10FFFF */
	if (left < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3F);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
			(cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

size_t
pk_text_valid_len(const unsigned char *s, size_t len)
{
	size_t off = 0;

	while (off < len) {
		size_t n = pk_text_char_len(s + off, len - off);
		unsigned int c = s[off];

		if (n == 0 || c < 0x20 || c == 0x7F || (c == 0xC2 && s[off + 1] < 0xA0))
			return off;
		off += n;
	}
	return len;
}

size_t
pk_text_pin_len(const unsigned char *pin, size_t len)
{
	size_t off = 0;

	while (off < len && pin[off] >= 0x20 && pin[off] < 0x7F)
		off++;
	return off;
}
