/*
 * emu-module.c: entry points OpenSC's emulator loader looks up
 * (shared/research/opensc-plugin.md §2.4): sc_driver_version, parsed as
 * "%u.%u.%u", and the init function named in the "emulate" block.
 *
 * Copyright (C) 2026 pkicards contributors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "libopensc/pkcs15.h"
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
	(void)aid;
	if (!p15card || !p15card->card)
		return SC_ERROR_INVALID_ARGUMENTS;
	return starcos_emu_init(p15card);
}
