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

#include "libopensc/errors.h"
#include "libopensc/log.h"
#include "libopensc/pkcs15.h"
#include "pkcs15init/pkcs15-init.h"
#include "pk-args.h"
#include "pk-cmdline.h"
#include "pk-compat.h"

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
	args = pk_args_own(&len);
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
	const char *v = NULL;
	size_t len = 0, vlen = 0, i, n;
	char *args = pk_args_own(&len);

	if (!args)
		return;
	if (pk_args_program_is(args, len, "pkcs15-init") &&
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
pk_cmdline_check_keygen(const char *family)
{
	const char *v = NULL;
	size_t len = 0, vlen = 0;
	char *args = pk_args_own(&len);

	if (!args)
		return;
	if (pk_args_program_is(args, len, "pkcs15-init") && pk_args_option(args, len, "generate-key", &v, &vlen) == 0 &&
			vlen > 0 && vlen < 32 && strncasecmp(v, "rsa", 3) != 0) {
		/* OpenSC's pkcs15-init then refuses it, and 0.23 to 0.26 abort
		 * with a double free after refusing an EC curve the card lacks
		 * (doc/install.md): say why first. A refused RSA size is named by
		 * the driver, which knows the card (pk_card_explain_keygen()). */
		fprintf(stderr, "pkicards: %s cards generate RSA keys only, not '%.*s'; nothing was written "
				"to the card\n", family, (int)vlen, v);
	}
	sc_mem_clear(args, len);
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
		u8 *value = sc_mem_secure_alloc(len);

		if (!value) {
			r = SC_ERROR_OUT_OF_MEMORY;
		} else {
			memcpy(value, pin, len);
			pk_set_secure_content(obj, value, len);
			sc_log(ctx, "using the SO PIN given with pkcs15-init --so-pin");
		}
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
