/*
 * module.c: the loader entry points OpenSC looks up in an external card
 * driver module (doc/opensc-plugin.md §1.2). Only these two
 * symbols are exported (driver.map).
 *
 * Copyright (C) 2026 pkicards contributors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "libopensc/opensc.h"
#include "pk-card.h"
#include "pk-module.h"

typedef struct sc_card_driver *(*pk_driver_fn)(void);

static const struct {
	const char *name;
	pk_driver_fn get;
} pk_drivers[] = {
	{PK_ACOS5_SHORT_NAME, pk_get_acos5_driver},
	{PK_STARCOS_SHORT_NAME, pk_get_starcos_driver},
};

/* OpenSC calls this first and refuses the module when it names another
 * version (ctx.c load_dynamic_driver: "invalid module version", in its debug
 * log only): say so on standard error too, once. The running version is
 * that of the libopensc the loading program uses, where the dynamic linker
 * gives us that one (a program linked with libopensc: OpenSC's tools). */
const char *
sc_driver_version(void)
{
	static int told;
	const char *running = sc_get_version();

	if (!told && !pk_version_compatible(running, PKICARDS_OPENSC_VERSION)) {
		told = 1;
		fprintf(stderr, "pkicards: this card driver was built for OpenSC %s but this is OpenSC %s;"
				" OpenSC does not load it. Build the plug-in for OpenSC %s (doc/install.md).\n",
				PKICARDS_OPENSC_VERSION, running ? running : "(unknown)",
				running ? running : "(unknown)");
	}
	return PKICARDS_OPENSC_VERSION;
}

int
pk_version_compatible(const char *runtime, const char *built)
{
	return runtime && built && strcmp(runtime, built) == 0;
}

void *
pk_module_init(const char *name, const char *runtime_version)
{
	size_t i;

	if (!pk_version_compatible(runtime_version, PKICARDS_OPENSC_VERSION)) {
		fprintf(stderr, "pkicards: driver '%s' was built for OpenSC %s but this is OpenSC %s;"
				" not loaded. Rebuild the plug-in against the installed OpenSC.\n",
				name ? name : "?", PKICARDS_OPENSC_VERSION,
				runtime_version ? runtime_version : "(unknown)");
		return NULL;
	}
	for (i = 0; name && i < sizeof(pk_drivers) / sizeof(pk_drivers[0]); i++) {
		if (strcmp(name, pk_drivers[i].name) == 0)
			return (void *)pk_drivers[i].get;
	}
	fprintf(stderr, "pkicards: no card driver named '%s' in this module (have: %s, %s)\n",
			name ? name : "(null)", PK_ACOS5_SHORT_NAME, PK_STARCOS_SHORT_NAME);
	return NULL;
}

void *
sc_module_init(const char *name)
{
	return pk_module_init(name, sc_get_version());
}
