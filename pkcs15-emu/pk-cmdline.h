/*
 * pk-cmdline.h: the SO PIN given to pkcs15-init --erase-card --so-pin.
 *
 * OpenSC 0.23's pkcs15-init ignores --so-pin, --pin, --puk and --so-puk
 * while it erases a card (do_erase() raises ignore_cmdline_pins), so its
 * PIN callback prompts on the terminal or takes only --secret @ID=value.
 * The pkcs15init modules therefore look at the command line of the running
 * pkcs15-init themselves and offer the value to
 * sc_pkcs15init_verify_secret() through the PIN object's cache.
 *
 * Copyright (C) 2026 pkicards contributors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef PK_CMDLINE_H
#define PK_CMDLINE_H

#include <stddef.h>

#include "libopensc/opensc.h"
#include "pk-args.h"

/**
 * The value of --@p name on the command line of the running program, if the
 * program is pkcs15-init (ctx->app_name); "env:VAR" reads variable VAR, as
 * pkcs15-init does. The value is copied to @p out (not terminated).
 * @return 0, SC_ERROR_OBJECT_NOT_FOUND (another program, option absent, no
 *   way to read the command line on this platform) or
 *   SC_ERROR_BUFFER_TOO_SMALL
 */
int pk_cmdline_secret(struct sc_context *ctx, const char *name, unsigned char *out,
		size_t *outlen);

/**
 * pkcs15-init --create-pkcs15 checks the lengths of --so-pin and --so-puk
 * itself before any module code runs, and says only "Wrong length": when
 * the module is loaded, a length outside @p min..@p max is explained on
 * stderr (the card's limits). Nothing else is done.
 */
void pk_cmdline_check_create(size_t min, size_t max);

/**
 * pkcs15-init --generate-key with a key type other than RSA: OpenSC refuses
 * it (0.23 to 0.26 then abort with a double free on an EC curve): when the
 * module is loaded, stderr says that @p family cards generate RSA keys only.
 */
void pk_cmdline_check_keygen(const char *family);

struct sc_pkcs15_card;
struct sc_profile;
/**
 * Verify the SO PIN (@p reference) before erasing: with the --so-pin of the
 * command line if given (pk_p15_offer_so_pin()), else through pkcs15-init's
 * callback (--secret @ID=value or a prompt). A PIN that could not be read
 * (no terminal) becomes SC_ERROR_SECURITY_STATUS_NOT_SATISFIED, which
 * pkcs15-init prints, instead of its SC_ERROR_INTERNAL.
 */
int pk_p15_verify_so_pin(struct sc_profile *profile, struct sc_pkcs15_card *p15card,
		int reference);

/**
 * Put the --so-pin value of pkcs15-init's command line into the cache of
 * the PIN object with @p reference, so that sc_pkcs15init_verify_secret()
 * uses it (with the PIN's own encoding and padding) instead of prompting.
 * Does nothing if the object is unknown, already cached, or no value was
 * given. @return 0 or SC_ERROR_OUT_OF_MEMORY / SC_ERROR_BUFFER_TOO_SMALL
 */
int pk_p15_offer_so_pin(struct sc_pkcs15_card *p15card, int reference);

#endif
