/*
 * unit.c: helpers shared by the unit tests, see unit.h
 *
 * Copyright (C) 2026 pkicards contributors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "unit.h"

#include <stdio.h>

static int
unit_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "AB*56": the byte just written 56 times in all; *hexp ends on the count */
static size_t
unit_hex_repeat(const char **hexp, unsigned char *out, size_t n, size_t outlen, const char *start)
{
	const char *p = *hexp + 2;
	size_t count = 0;

	while (*p >= '0' && *p <= '9' && count <= 65536)
		count = count * 10 + (size_t)(*p++ - '0');
	if (count == 0 || count > 65536)
		fail_msg("bad repeat count in \"%s\"", start);
	if (count - 1 > outlen - n)
		fail_msg("hex string longer than %zu bytes: \"%s\"", outlen, start);
	memset(out + n, out[n - 1], count - 1);
	*hexp = p - 1;
	return n + count - 1;
}

size_t
unit_hex(const char *hex, unsigned char *out, size_t outlen)
{
	const char *start = hex;
	size_t n = 0;
	int hi = -1, v;

	for (; *hex; hex++) {
		if (*hex == ' ' || *hex == ':')
			continue;
		v = unit_nibble(*hex);
		if (v < 0)
			fail_msg("bad hex character '%c' in \"%s\"", *hex, start);
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n == outlen)
			fail_msg("hex string longer than %zu bytes: \"%s\"", outlen, start);
		out[n++] = (unsigned char)(hi << 4 | v);
		hi = -1;
		if (hex[1] == '*')
			n = unit_hex_repeat(&hex, out, n, outlen, start);
	}
	if (hi >= 0)
		fail_msg("odd number of hex digits in \"%s\"", start);
	return n;
}

void
unit_tohex(const unsigned char *p, size_t n, char *out, size_t outlen)
{
	size_t i;

	out[0] = '\0';
	for (i = 0; i < n && 2 * i + 3 <= outlen; i++)
		snprintf(out + 2 * i, 3, "%02X", p[i]);
}

void
unit_assert_hex(const unsigned char *got, size_t n, const char *want,
		const char *file, int line)
{
	static unsigned char w[4096];
	static char hg[2 * 600 + 1], hw[2 * 600 + 1];
	size_t wn = unit_hex(want, w, sizeof(w));

	if (wn == n && (n == 0 || memcmp(w, got, n) == 0))
		return;
	unit_tohex(got, n, hg, sizeof(hg));
	unit_tohex(w, wn, hw, sizeof(hw));
	fail_msg("%s:%d: bytes differ\n  expected %s\n  actual   %s", file, line, hw, hg);
}

#ifndef PK_VECTOR_DIR
#error "PK_VECTOR_DIR: the tests/vectors directory (set by tests/unit/meson.build)"
#endif

size_t
unit_vector(const char *file, const char *name, unsigned char *out, size_t outlen)
{
	static char hex[16384];
	char path[1024], line[4096];
	size_t namelen = strlen(name), used = 0, n;
	int found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.vec", PK_VECTOR_DIR, file);
	f = fopen(path, "r");
	if (!f)
		fail_msg("no test vector file %s", path);
	hex[0] = '\0';
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (found && (line[0] == ' ' || line[0] == '\t')) {
			n = strlen(line);
			if (used + n + 1 >= sizeof(hex))
				break;
			memcpy(hex + used, line, n + 1);
			used += n;
			continue;
		}
		if (found)
			break;
		if (line[0] == '[' && strncmp(line + 1, name, namelen) == 0 && line[1 + namelen] == ']') {
			found = 1;
			n = strlen(line + 2 + namelen);
			if (n + 1 >= sizeof(hex))
				break;
			memcpy(hex, line + 2 + namelen, n + 1);
			used = n;
		}
	}
	fclose(f);
	if (!found)
		fail_msg("no test vector [%s] in %s", name, path);
	return unit_hex(hex, out, outlen);
}
