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
	PK_CARDCTL_ACOS5_PUT_KEY,        /* const struct pk_acos5_import *: original ACOS5 only */
};

/* StarCOS SPK 2.x personalisation (starcos-card.md §2.2); 3.x issuer cards
 * answer SC_ERROR_NOT_SUPPORTED without sending anything */
enum {
	PK_CARDCTL_STARCOS_CREATE_MF = PK_CARDCTL_BASE + 0x200, /* const struct pk_starcos_mf * */
	PK_CARDCTL_STARCOS_CREATE_DF,     /* const struct pk_starcos_df *: REGISTER DF + CREATE DF */
	PK_CARDCTL_STARCOS_CREATE_EF,     /* const struct pk_starcos_ef *, in the current DF */
	PK_CARDCTL_STARCOS_CREATE_END,    /* const unsigned int *: FID of the MF or a DF */
	PK_CARDCTL_STARCOS_ERASE_CARD,    /* NULL */
	PK_CARDCTL_STARCOS_WRITE_KEY,     /* const struct pk_starcos_wkey *, current DF's ISF */
	PK_CARDCTL_STARCOS_GENERATE_KEY,  /* struct pk_starcos_keygen * */
	PK_CARDCTL_STARCOS_READ_PUBLIC_KEY, /* struct pk_rsa_pubkey *: fid = KID */
};

/* Both drivers */
enum {
	/* NULL: Card removed or Card reset when a card transaction of this
	 * connection lost the card (pk-guard.c), else 0 */
	PK_CARDCTL_LOST = PK_CARDCTL_BASE + 0x300,
};

#define PK_STARCOS_AC_ALWAYS 0x9F
#define PK_STARCOS_AC_NEVER 0x5F

struct pk_starcos_mf {
	unsigned int size, isf_size;
	u8 ac_create_ef, ac_create_key, ac_create_df, ac_register_df;
};

struct pk_starcos_df {
	unsigned int fid, size, isf_size;
	u8 aid[16];
	size_t aid_len;                  /* 0: the FID is the AID */
	u8 ac_create_ef, ac_create_key;
};

enum pk_starcos_ef_type {
	PK_STARCOS_EF_TRANSPARENT = 0x81,
	PK_STARCOS_EF_IPF = 0xA1,
};

struct pk_starcos_ef {
	unsigned int fid;
	u8 ac_read, ac_write, ac_erase;
	enum pk_starcos_ef_type type;
	unsigned int size;
};

struct pk_starcos_wkey {
	const u8 *header;                /* 12 bytes: install this record; NULL: data only */
	u8 kid;                          /* record the data goes to */
	int update;                      /* data: 0 = install mode (P1 00), 1 = update (P1 01) */
	const u8 *data;                  /* written in 124-byte chunks from offset 0 */
	size_t len;
};

#define PK_RSA_MAX_BYTES 512

struct pk_rsa_pubkey {
	unsigned int fid;                /* in: public key file in the current DF */
	u8 modulus[PK_RSA_MAX_BYTES];    /* out: big-endian */
	size_t modulus_len;
	u8 exponent[16];                 /* out: big-endian, no leading zeros */
	size_t exponent_len;
};

/* ACOS5-64 private key types (acos5-card.md §2.6) */
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

/* A big-endian number (leading zeros allowed) */
struct pk_bn {
	const u8 *data;
	size_t len;
};

/* RSA key pair written into two created, empty key files of the current DF
 * (PUT KEY, acos5-card.md §2.1, §3.8); the driver lays the files out */
struct pk_acos5_import {
	unsigned int priv_fid, pub_fid;
	unsigned int bits;
	struct pk_bn n, e, p, q, dp, dq, qinv;
};

struct pk_acos5_info {
	int type;                        /* PK_CARD_TYPE_* */
	unsigned int os_major, os_minor;
	unsigned int op_mode;            /* V3: 00 FIPS, 01 32K, 02 64K, 10 NSH-1 */
	unsigned int rsa_min, rsa_max, rsa_step;
};

struct pk_starcos_keygen {
	u8 kid;                          /* ISF record, header installed */
	unsigned int bits;
	struct pk_rsa_pubkey pub;        /* out */
};

#endif
