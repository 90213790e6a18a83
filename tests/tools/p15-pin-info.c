/*
 * p15-pin-info: ask the card for a PIN's status, as OpenSC's PKCS#11 module
 * does for C_GetTokenInfo (sc_pkcs15_get_pin_info), and print it. Used by
 * the integration tests: pkcs15-tool --list-pins prints the counters only
 * when an emulator filled them in, and our installed configuration does not
 * make OpenSC try emulators first (doc/install.md).
 *
 *   p15-pin-info AUTH-ID [READER-INDEX|READER-NAME]
 *
 * Prints "tries N max M logged-in 0|1" (N = -1: the card gives no count).
 * Exit 0, 1 when the card or the PIN cannot be found or asked, 2 on bad
 * usage.
 *
 * Copyright (C) 2026 pkicards contributors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "libopensc/opensc.h"
#include "libopensc/pkcs15.h"

int
main(int argc, char **argv)
{
	sc_context_param_t param = {0};
	struct sc_context *ctx = NULL;
	struct sc_card *card = NULL;
	struct sc_pkcs15_card *p15card = NULL;
	struct sc_pkcs15_object *obj = NULL;
	struct sc_pkcs15_auth_info *info;
	struct sc_pkcs15_id id;
	struct sc_reader *reader;
	unsigned long idx = 0;
	char *end = NULL;
	int r, rc = 1;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: p15-pin-info AUTH-ID [READER-INDEX|READER-NAME]\n");
		return 2;
	}
	if (argc == 3)
		idx = strtoul(argv[2], &end, 10);
	sc_pkcs15_format_id(argv[1], &id);
	param.ver = 0;
	param.app_name = "p15-pin-info";
	r = sc_context_create(&ctx, &param);
	if (r < 0) {
		fprintf(stderr, "p15-pin-info: no OpenSC context: %s\n", sc_strerror(r));
		return 1;
	}
	if (end && *end)	/* not a number: a reader's name */
		reader = sc_ctx_get_reader_by_name(ctx, argv[2]);
	else
		reader = sc_ctx_get_reader(ctx, (unsigned int)idx);
	if (!reader) {
		fprintf(stderr, "p15-pin-info: no reader %s\n", argc == 3 ? argv[2] : "0");
		goto out;
	}
	r = sc_connect_card(reader, &card);
	if (r < 0) {
		fprintf(stderr, "p15-pin-info: no card: %s\n", sc_strerror(r));
		goto out;
	}
	r = sc_pkcs15_bind(card, NULL, &p15card);
	if (r < 0) {
		fprintf(stderr, "p15-pin-info: no PKCS#15 application: %s\n", sc_strerror(r));
		goto out;
	}
	r = sc_pkcs15_find_pin_by_auth_id(p15card, &id, &obj);
	if (r < 0) {
		fprintf(stderr, "p15-pin-info: no PIN with auth ID %s: %s\n", argv[1], sc_strerror(r));
		goto out;
	}
	r = sc_pkcs15_get_pin_info(p15card, obj);
	if (r < 0) {
		fprintf(stderr, "p15-pin-info: the card gives no PIN status: %s\n", sc_strerror(r));
		goto out;
	}
	info = (struct sc_pkcs15_auth_info *)obj->data;
	printf("tries %d max %d logged-in %d\n", info->tries_left, info->max_tries,
			info->logged_in == SC_PIN_STATE_LOGGED_IN);
	rc = 0;
out:
	if (p15card)
		sc_pkcs15_unbind(p15card);
	if (card)
		sc_disconnect_card(card);
	sc_release_context(ctx);
	return rc;
}
