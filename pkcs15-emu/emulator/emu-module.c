/*
 * emu-module.c: entry points OpenSC's emulator loader looks up
 * (doc/opensc-plugin.md §2.4): sc_driver_version, parsed as
 * "%u.%u.%u", and the init function named in the "emulate" block.
 *
 * For the cards of this plug-in: StarCOS 3.x issuer layouts first, then the
 * card's own PKCS#15 application with live PIN status. OpenSC calls it only
 * when its plain bind failed (our configuration does not set
 * try_emulation_first, which would apply to every card, doc/install.md), so
 * in practice for issuer cards without PKCS#15 and for blank cards; an
 * admin who sets try_emulation_first gets the PIN status for the others.
 *
 * Copyright (C) 2026 pkicards contributors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "libopensc/pkcs15.h"
#include <string.h>

#include "pk-card.h"
#include "pk-emu.h"
#include "pk-module.h"
#include "starcos-emu.h"

PK_EXPORT int sc_pkcs15_init_func_ex(struct sc_pkcs15_card *p15card, struct sc_aid *aid);

const char *
sc_driver_version(void)
{
	return PKICARDS_OPENSC_VERSION;
}

int
sc_pkcs15_init_func_ex(struct sc_pkcs15_card *p15card, struct sc_aid *aid)
{
	const char *drv;
	int r;

	if (!p15card || !p15card->card || !p15card->card->driver)
		return SC_ERROR_INVALID_ARGUMENTS;
	drv = p15card->card->driver->short_name;
	if (strcmp(drv, PK_ACOS5_SHORT_NAME) != 0 && strcmp(drv, PK_STARCOS_SHORT_NAME) != 0)
		return SC_ERROR_WRONG_CARD;
	r = starcos_emu_init(p15card, aid);
	if (r != SC_ERROR_WRONG_CARD)
		return r;
	return pk_emu_bind_pkcs15(p15card, aid);
}
