/*
 * pk-cardctl.h: card_ctl requests of this plug-in's drivers, shared with
 * the pkcs15init modules and emulators in pkcs15-emu/.
 *
 * Copyright (C) 2026 pkicards contributors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef PK_CARDCTL_H
#define PK_CARDCTL_H

#include <stddef.h>

#include "pk-buf.h"

/* 'P','K' prefix: outside OpenSC's own card_ctl ranges (cardctl.h) */
#define PK_CARDCTL_BASE 0x504B0000UL

enum {
	PK_CARDCTL_ACOS5_INFO = PK_CARDCTL_BASE + 0x100,
	PK_CARDCTL_ACOS5_FREE_SPACE,     /* unsigned int *: bytes of EEPROM */
	PK_CARDCTL_ACOS5_GENERATE_KEY,   /* struct pk_acos5_keygen * */
	PK_CARDCTL_ACOS5_READ_PUBLIC_KEY, /* struct pk_rsa_pubkey * */
	PK_CARDCTL_ACOS5_ZEROIZE,        /* NULL: card back to virgin */
	PK_CARDCTL_ACOS5_ACTIVATE,       /* const unsigned int *: FID, searched from the current DF */
};

#define PK_RSA_MAX_BYTES 512

struct pk_rsa_pubkey {
	unsigned int fid;                /* in: public key file in the current DF */
	u8 modulus[PK_RSA_MAX_BYTES];    /* out: big-endian */
	size_t modulus_len;
	u8 exponent[16];                 /* out: big-endian, no leading zeros */
	size_t exponent_len;
};

/* ACOS5-64 private key types (acos5.md §2.6) */
enum pk_acos5_key_type {
	PK_ACOS5_KEY_SIGN = 4,    /* CRT, sign only */
	PK_ACOS5_KEY_DECRYPT = 5, /* CRT, decrypt only */
	PK_ACOS5_KEY_BOTH = 6,    /* CRT, sign and decrypt */
};

struct pk_acos5_keygen {
	unsigned int priv_fid, pub_fid;  /* key files, already created */
	unsigned int bits;
	enum pk_acos5_key_type type;
	struct pk_rsa_pubkey pub;        /* out */
};

struct pk_acos5_info {
	int type;                        /* PK_CARD_TYPE_* */
	unsigned int os_major, os_minor;
	unsigned int op_mode;            /* V3: 00 FIPS, 01 32K, 02 64K, 10 NSH-1 */
	unsigned int rsa_min, rsa_max, rsa_step;
};

#endif
