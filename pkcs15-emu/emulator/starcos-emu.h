/*
 * starcos-emu.h: StarCOS issuer-card layouts as data, and the emulator.
 *
 * Copyright (C) 2026 pkicards contributors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef STARCOS_EMU_H
#define STARCOS_EMU_H

#include "libopensc/pkcs15.h"

struct starcos_emu_pin {
	const char *label;
	unsigned int ref;     /* 0x8x: local to the application */
	const char *aid;      /* application of a local PIN, NULL: MF */
	size_t min_len, max_len;
	unsigned int auth_id;
};

struct starcos_emu_key {
	const char *label;
	unsigned int ref;     /* key reference for MSE 84 01 ref */
	const char *aid;      /* application holding key and certificate */
	unsigned int auth_id; /* PIN that guards the key */
	unsigned int id;      /* PKCS#15 ID shared by key and certificate */
	const char *cert_fid;
	unsigned int usage;   /* SC_PKCS15_PRKEY_USAGE_* */
};

struct starcos_emu_layout {
	const char *name;
	const struct starcos_emu_pin *pins;
	const struct starcos_emu_key *keys;
};

extern const struct starcos_emu_layout starcos_emu_layouts[];

/** Bind @p p15card if it is a StarCOS 3.x card with a known layout; @p aid
 * the application OpenSC binds (EF.DIR), NULL: any */
int starcos_emu_init(struct sc_pkcs15_card *p15card, const struct sc_aid *aid);

#endif
