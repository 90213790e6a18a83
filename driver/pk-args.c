/*
 * pk-args.c: the running program's own command line (pk-args.h).
 *
 * Copyright (C) 2026 pkicards contributors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#ifdef _WIN32
#include <windows.h>
#include <shellapi.h>
#endif

#include "libopensc/errors.h"
#include "libopensc/opensc.h"
#include "pk-args.h"

/* The longest command line read; longer ones count as "option absent" */
#define PK_ARGS_MAX (256 * 1024)

int
pk_args_option(const char *args, size_t len, const char *name, const char **val, size_t *vlen)
{
	size_t nlen = strlen(name), pos, alen;
	int r = SC_ERROR_OBJECT_NOT_FOUND, want_value = 0;
	const char *a;

	/* argv[0] is the program */
	for (pos = 0; pos < len && args[pos]; pos++)
		;
	for (pos++; pos < len; pos += alen + 1) {
		a = args + pos;
		alen = strnlen(a, len - pos);
		if (want_value) {
			*val = a;
			*vlen = alen;
			want_value = 0;
			r = 0;
		} else if (alen == 2 && a[0] == '-' && a[1] == '-') {
			break;
		} else if (alen >= nlen + 2 && a[0] == '-' && a[1] == '-' &&
				memcmp(a + 2, name, nlen) == 0) {
			if (alen == nlen + 2) {
				want_value = 1;
			} else if (a[nlen + 2] == '=') {
				*val = a + nlen + 3;
				*vlen = alen - nlen - 3;
				r = 0;
			}
		}
	}
	return want_value ? SC_ERROR_INVALID_ARGUMENTS : r;
}

int
pk_args_program_is(const char *args, size_t len, const char *name)
{
	size_t n = strnlen(args, len), i, nlen = strlen(name);
	const char *base = args;

	for (i = 0; i < n; i++) {
		if (args[i] == '/' || args[i] == '\\')
			base = args + i + 1;
	}
	n -= (size_t)(base - args);
	if (n == nlen + 4 && strncasecmp(base + nlen, ".exe", 4) == 0)
		n = nlen; /* Windows */
	return n == nlen && memcmp(base, name, nlen) == 0;
}

char *
pk_args_own(size_t *len)
{
#ifdef __linux__
	FILE *f = fopen("/proc/self/cmdline", "rb");
	char *buf;

	if (!f)
		return NULL;
	buf = malloc(PK_ARGS_MAX);
	if (buf)
		*len = fread(buf, 1, PK_ARGS_MAX, f);
	if (buf && (*len == 0 || *len == PK_ARGS_MAX || ferror(f))) {
		sc_mem_clear(buf, PK_ARGS_MAX);
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
#elif defined(_WIN32)
	/* The arguments as the C runtime's narrow argv has them: split by the
	 * shell's rules, in the ANSI code page */
	LPWSTR *argv;
	char *buf = NULL;
	size_t total = 0, pos = 0;
	int argc = 0, i, n;

	argv = CommandLineToArgvW(GetCommandLineW(), &argc);
	if (!argv)
		return NULL;
	for (i = 0; i < argc; i++) {
		n = WideCharToMultiByte(CP_ACP, 0, argv[i], -1, NULL, 0, NULL, NULL);
		if (n <= 0 || total + (size_t)n >= PK_ARGS_MAX)
			goto out;
		total += (size_t)n;
	}
	if (total == 0 || !(buf = malloc(total)))
		goto out;
	for (i = 0; i < argc; i++) {
		/* each conversion includes the terminating NUL */
		n = WideCharToMultiByte(CP_ACP, 0, argv[i], -1, buf + pos, (int)(total - pos), NULL,
				NULL);
		if (n <= 0) {
			sc_mem_clear(buf, total);
			free(buf);
			buf = NULL;
			goto out;
		}
		pos += (size_t)n;
	}
	*len = pos;
out:
	for (i = 0; i < argc; i++)
		SecureZeroMemory(argv[i], wcslen(argv[i]) * sizeof(WCHAR));
	LocalFree(argv);
	return buf;
#else
	(void)len;
	return NULL;
#endif
}

