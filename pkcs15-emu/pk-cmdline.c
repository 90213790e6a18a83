/*
 * pk-cmdline.c: the SO PIN of pkcs15-init's command line, see pk-cmdline.h
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
#include "libopensc/log.h"
#include "libopensc/pkcs15.h"
#include "pkcs15init/pkcs15-init.h"
#include "pk-cmdline.h"

/* The longest command line read; longer ones count as "option absent" */
#define PK_CMDLINE_MAX (256 * 1024)

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

/* The whole command line of this process (NUL-separated), or NULL */
static char *
read_own_cmdline(size_t *len)
{
#ifdef __linux__
	FILE *f = fopen("/proc/self/cmdline", "rb");
	char *buf;

	if (!f)
		return NULL;
	buf = malloc(PK_CMDLINE_MAX);
	if (buf)
		*len = fread(buf, 1, PK_CMDLINE_MAX, f);
	if (buf && (*len == 0 || *len == PK_CMDLINE_MAX || ferror(f))) {
		sc_mem_clear(buf, PK_CMDLINE_MAX);
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
		if (n <= 0 || total + (size_t)n >= PK_CMDLINE_MAX)
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

/* Copy @p val (or, for "env:VAR", the variable's value) to @p out */
static int
copy_secret(const char *val, size_t vlen, unsigned char *out, size_t *outlen)
{
	char var[128];

	if (vlen > 4 && strncasecmp(val, "env:", 4) == 0) { /* as pkcs15-init */
		if (vlen - 4 >= sizeof(var))
			return SC_ERROR_OBJECT_NOT_FOUND;
		memcpy(var, val + 4, vlen - 4);
		var[vlen - 4] = '\0';
		val = getenv(var);
		if (!val)
			return SC_ERROR_OBJECT_NOT_FOUND;
		vlen = strlen(val);
	}
	if (vlen > *outlen)
		return SC_ERROR_BUFFER_TOO_SMALL;
	memcpy(out, val, vlen);
	*outlen = vlen;
	return 0;
}

int
pk_cmdline_secret(struct sc_context *ctx, const char *name, unsigned char *out, size_t *outlen)
{
	const char *val = NULL;
	size_t len = 0, vlen = 0;
	char *args;
	int r;

	if (!ctx->app_name || strcmp(ctx->app_name, "pkcs15-init") != 0)
		return SC_ERROR_OBJECT_NOT_FOUND;
	args = read_own_cmdline(&len);
	if (!args)
		return SC_ERROR_OBJECT_NOT_FOUND;
	r = pk_args_option(args, len, name, &val, &vlen);
	if (r == 0)
		r = copy_secret(val, vlen, out, outlen);
	else if (r == SC_ERROR_INVALID_ARGUMENTS)
		r = SC_ERROR_OBJECT_NOT_FOUND; /* pkcs15-init refuses this itself */
	sc_mem_clear(args, len);
	free(args);
	return r;
}

/* The length of --@p name's value (env:VAR read), 0 if not given */
static size_t
option_len(const char *args, size_t len, const char *name)
{
	unsigned char val[SC_MAX_PIN_SIZE + 1];
	const char *v = NULL;
	size_t vlen = 0, n = sizeof(val);

	if (pk_args_option(args, len, name, &v, &vlen) != 0)
		return 0;
	if (copy_secret(v, vlen, val, &n) == SC_ERROR_BUFFER_TOO_SMALL)
		n = sizeof(val);
	sc_mem_clear(val, sizeof(val));
	return n;
}

void
pk_cmdline_check_create(size_t min, size_t max)
{
	static const char *const names[][2] = {{"so-pin", "SO PIN"}, {"so-puk", "SO PUK"}};
	const char *v = NULL, *prog;
	size_t len = 0, vlen = 0, i, n;
	char *args = read_own_cmdline(&len);

	if (!args)
		return;
	prog = strrchr(args, '/');
	prog = prog ? prog + 1 : args;
	if (!strcmp(prog, "pkcs15-init") &&
			pk_args_option(args, len, "create-pkcs15", &v, &vlen) != SC_ERROR_OBJECT_NOT_FOUND) {
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			n = option_len(args, len, names[i][0]);
			if (n && (n < min || n > max))
				fprintf(stderr, "pkicards: the %s must have %zu to %zu characters, not %s%zu; "
						"nothing was written to the card\n", names[i][1], min, max,
						n > SC_MAX_PIN_SIZE ? "more than " : "", n > SC_MAX_PIN_SIZE ?
						(size_t)SC_MAX_PIN_SIZE : n);
		}
	}
	sc_mem_clear(args, len);
	free(args);
}

void
pk_cmdline_check_keygen(const char *family, int (*sizes)(unsigned int bits, char *text, size_t len))
{
	const char *v = NULL, *prog;
	size_t len = 0, vlen = 0;
	char *args = read_own_cmdline(&len), spec[32], text[512];
	unsigned long bits;
	char *end;

	if (!args)
		return;
	prog = strrchr(args, '/');
	prog = prog ? prog + 1 : args;
	if (!strcmp(prog, "pkcs15-init") && pk_args_option(args, len, "generate-key", &v, &vlen) == 0 &&
			vlen > 0 && vlen < sizeof(spec) && strncasecmp(v, "rsa", 3) != 0) {
		/* OpenSC's pkcs15-init then refuses it, and 0.23 to 0.26 abort
		 * with a double free after refusing an EC curve the card lacks
		 * (doc/install.md): say why first */
		fprintf(stderr, "pkicards: %s cards generate RSA keys only, not '%.*s'; nothing was written "
				"to the card\n", family, (int)vlen, v);
	} else if (!strcmp(prog, "pkcs15-init") && pk_args_option(args, len, "generate-key", &v, &vlen) == 0 &&
			vlen > 3 && vlen < sizeof(spec) && !strncasecmp(v, "rsa", 3)) {
		/* pkcs15-init's key spec: rsa, an optional '/', '-' or ':', the bits */
		memcpy(spec, v, vlen);
		spec[vlen] = '\0';
		v = spec + 3;
		if (*v == '/' || *v == '-' || *v == ':')
			v++;
		bits = strtoul(v, &end, 10);
		if (end != v && !*end && bits <= 65536 && !sizes((unsigned int)bits, text, sizeof(text)))
			fprintf(stderr, "pkicards: %s cards hold RSA keys of %s, not %lu bits; nothing was "
					"written to the card\n", family, text, bits);
	}
	free(args);
}

int
pk_p15_offer_so_pin(struct sc_pkcs15_card *p15card, int reference)
{
	struct sc_context *ctx = p15card->card->ctx;
	struct sc_pkcs15_object *obj = NULL;
	unsigned char pin[SC_MAX_PIN_SIZE];
	size_t len = sizeof(pin);
	int r;

	if (sc_pkcs15_find_pin_by_reference(p15card, NULL, reference, &obj) != 0 || !obj ||
			obj->content.len)
		return 0;
	r = pk_cmdline_secret(ctx, "so-pin", pin, &len);
	if (r == SC_ERROR_OBJECT_NOT_FOUND)
		return 0;
	if (r == 0) {
		/* freed by sc_pkcs15_free_object_content() with the object */
		obj->content.value = sc_mem_secure_alloc(len);
		if (!obj->content.value)
			r = SC_ERROR_OUT_OF_MEMORY;
	}
	if (r == 0) {
		memcpy(obj->content.value, pin, len);
		obj->content.len = len;
		sc_log(ctx, "using the SO PIN given with pkcs15-init --so-pin");
	}
	sc_mem_clear(pin, sizeof(pin));
	return r;
}

int
pk_p15_verify_so_pin(struct sc_profile *profile, struct sc_pkcs15_card *p15card, int reference)
{
	int r = pk_p15_offer_so_pin(p15card, reference);

	if (r == 0)
		r = sc_pkcs15init_verify_secret(profile, p15card, NULL, SC_AC_CHV, reference);
	if (r == SC_ERROR_INTERNAL)
		r = SC_ERROR_SECURITY_STATUS_NOT_SATISFIED;
	return r;
}
