/*
 * emu-pkcs15.c: cards of this plug-in that carry their own PKCS#15
 * application are bound as usual, then each PIN's live status (tries
 * left, logged in) is read once, so that `pkcs15-tool --list-pins` shows
 * the counters (only where OpenSC tries emulators first; PKCS#11 asks the
 * card itself). A blank card is named as such, with the command that
 * initialises it.
 *
 * Copyright (C) 2026 pkicards contributors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "libopensc/log.h"
#include "libopensc/opensc.h"
#include "libopensc/pkcs15.h"
#include "pk-emu.h"

/* OpenSC's command-line tools show this on standard error; applications
 * (PKCS#11, minidriver) only get the debug log */
static const char *const pk_tools[] = {"pkcs15-tool", "pkcs15-crypt", "pkcs11-tool",
		"opensc-tool", "opensc-explorer", NULL};

static void
pk_emu_say_blank(struct sc_card *card)
{
	const char *const *t;

	sc_log(card->ctx, "the card is blank: initialise it with 'pkcs15-init --create-pkcs15'");
	for (t = pk_tools; card->ctx->app_name && *t; t++) {
		if (strcmp(card->ctx->app_name, *t) == 0) {
			fprintf(stderr, "The %s card in reader '%s' is not initialised (blank).\n"
					"Initialise it with: pkcs15-init --create-pkcs15 --so-pin <SO PIN> "
					"--so-puk <SO PUK>\n",
					card->name, card->reader->name);
			return;
		}
	}
}

static int
pk_emu_card_is_blank(struct sc_card *card)
{
	return sc_select_file(card, sc_get_mf_path(), NULL) == SC_ERROR_FILE_NOT_FOUND;
}

void
pk_emu_pin_status(struct sc_pkcs15_card *p15card)
{
	struct sc_pkcs15_object *objs[16];
	int i, n;

	n = sc_pkcs15_get_objects(p15card, SC_PKCS15_TYPE_AUTH_PIN, objs, 16);
	for (i = 0; i < n; i++)
		sc_pkcs15_get_pin_info(p15card, objs[i]); /* best effort */
}

int
pk_emu_bind_pkcs15(struct sc_pkcs15_card *p15card, struct sc_aid *aid)
{
	struct sc_card *card = p15card->card;
	int r;

	LOG_FUNC_CALLED(card->ctx);
	r = sc_pkcs15_bind_internal(p15card, aid);
	if (r < 0 && pk_emu_card_is_blank(card))
		pk_emu_say_blank(card);
	LOG_TEST_RET(card->ctx, r, "no PKCS#15 application on the card");
	pk_emu_pin_status(p15card);
	LOG_FUNC_RETURN(card->ctx, SC_SUCCESS);
}
