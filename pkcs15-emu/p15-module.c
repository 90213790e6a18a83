/*
 * p15-module.c: entry points OpenSC's pkcs15init loader looks up
 * (opensc-plugin.md §2.2): sc_module_init(short name of the card driver)
 * returns a function giving the sc_pkcs15init_operations. Only these two
 * symbols are exported (p15init.map).
 *
 * Copyright (C) 2026 pkicards contributors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "libopensc/opensc.h"
#include "pk-card.h"
#include "pk-cmdline.h"
#include "pk-module.h"
#include "pk-p15init.h"

typedef struct sc_pkcs15init_operations *(*pk_p15init_fn)(void);

const char *
sc_driver_version(void)
{
	return PKICARDS_OPENSC_VERSION;
}

void *
pk_p15init_module_init(const char *name, const char *runtime_version)
{
	if (!runtime_version || strcmp(runtime_version, PKICARDS_OPENSC_VERSION) != 0) {
		fprintf(stderr, "pkicards: pkcs15init module built for OpenSC %s but this is OpenSC %s;"
				" not loaded. Rebuild the plug-in against the installed OpenSC.\n",
				PKICARDS_OPENSC_VERSION, runtime_version ? runtime_version : "(unknown)");
		return NULL;
	}
	if (name && strcmp(name, PK_ACOS5_SHORT_NAME) == 0) {
		pk_cmdline_check_create(4, 8); /* acos5_ext.profile, the PIN record */
		pk_cmdline_check_keygen("ACOS5");
		return (void *)(pk_p15init_fn)pk_get_acos5_p15init_ops;
	}
	if (name && strcmp(name, PK_STARCOS_SHORT_NAME) == 0) {
		pk_cmdline_check_create(4, 8); /* starcos_ext.profile, the ISF record */
		pk_cmdline_check_keygen("StarCOS");
		return (void *)(pk_p15init_fn)pk_get_starcos_p15init_ops;
	}
	fprintf(stderr, "pkicards: no pkcs15init support for card driver '%s' yet (have: %s, %s)\n",
			name ? name : "(null)", PK_ACOS5_SHORT_NAME, PK_STARCOS_SHORT_NAME);
	return NULL;
}

void *
sc_module_init(const char *name)
{
	return pk_p15init_module_init(name, sc_get_version());
}
