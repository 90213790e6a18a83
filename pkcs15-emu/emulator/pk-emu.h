/*
 * pk-emu.h: the emulator module's parts.
 *
 * Copyright (C) 2026 pkicards contributors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef PK_EMU_H
#define PK_EMU_H

#include "libopensc/pkcs15.h"

/** On-card PKCS#15 plus live PIN status; blank cards are named as such */
int pk_emu_bind_pkcs15(struct sc_pkcs15_card *p15card, struct sc_aid *aid);

/** Read each PIN's live status (tries left, logged in), best effort */
void pk_emu_pin_status(struct sc_pkcs15_card *p15card);

#endif
