/*
 * acos5-parse.h: pure parsers of ACOS5 card responses (no card, no
 * context): FCI, GET CARD INFO records. Fuzz targets call these directly.
 *
 * Copyright (C) 2026 pkicards contributors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef ACOS5_PARSE_H
#define ACOS5_PARSE_H

#include <stddef.h>

#include "pk-buf.h"
#include "pk-cardctl.h"

/* File Descriptor Bytes (acos5-card.md §3.1) */
enum {
	ACOS5_FDB_TRANSPARENT = 0x01,
	ACOS5_FDB_LINEAR_FIXED = 0x02,
	ACOS5_FDB_LINEAR_VARIABLE = 0x04,
	ACOS5_FDB_CYCLIC = 0x06,
	ACOS5_FDB_RSA_KEY = 0x09,
	ACOS5_FDB_CHV = 0x0A,
	ACOS5_FDB_SYM_KEY = 0x0C,
	ACOS5_FDB_PURSE = 0x0E,
	ACOS5_FDB_SE = 0x1C,
	ACOS5_FDB_DF = 0x38,
	ACOS5_FDB_MF = 0x3F,
};

#define ACOS5_SCB_COUNT 7 /* AM bits 0..6 */
#define ACOS5_FCI_HAS_SIZE 0x01
#define ACOS5_FCI_HAS_SAC 0x02
#define ACOS5_FCI_HAS_SE 0x04
#define ACOS5_FCI_HAS_LCSI 0x08
#define ACOS5_FCI_HAS_SFI 0x10

struct acos5_fci {
	unsigned int flags;
	unsigned int fid;
	unsigned int fdb, dcb;
	unsigned int mrl, nor;
	size_t size;
	unsigned int sfi;
	unsigned int lcsi;
	unsigned int se_fid;
	u8 scb[ACOS5_SCB_COUNT]; /* index = AM bit; absent SCBs are 00 */
	u8 name[16];
	size_t name_len;
};

/** GET CARD INFO file-info record (80 14 02 idx 08) */
struct acos5_file_info {
	unsigned int fdb, dcb, fid;
	unsigned int size_or_mrl_nor; /* bytes 4-5: size, MRL|NOR, or a DF's SE FID */
	unsigned int sfi, lcsi;
};

/** OS version record (80 14 06 00 08): "ACOS" 05 major minor capability */
struct acos5_os_version {
	unsigned int major, minor, cap;
};

/** Parse an FCI "6F L ..." (or FCP "62 L ...") into @p out. @return 0 or SC_ERROR_* */
int acos5_parse_fci(const u8 *buf, size_t len, struct acos5_fci *out);
int acos5_parse_file_info(const u8 *buf, size_t len, struct acos5_file_info *out);
int acos5_parse_os_version(const u8 *buf, size_t len, struct acos5_os_version *out);
/**
 * Public key file (acos5-card.md §3.8): 00 lenCode partnerFID(2) flags
 * exponent(@p exp_len) modulus(lenCode * 16), LSB first on the original ACOS5.
 * Outputs are big-endian; the exponent without leading zeros.
 * @param[out] mod at least 512 bytes, @param[out] exp at least @p exp_len bytes
 */
int acos5_parse_public_key(const u8 *buf, size_t len, size_t exp_len, int little_endian,
		u8 *mod, size_t *mod_len, u8 *exp, size_t *exp_len_out);
/** The partner FID a public key file names (its private key file;
 * acos5-card.md §3.8) into @p fid.
 * @return 0 or SC_ERROR_INVALID_DATA (not a public key file) */
int acos5_public_key_partner(const u8 *buf, size_t len, unsigned int *fid);
/** 1 if the FDB names a DF or the MF */
int acos5_fdb_is_df(unsigned int fdb);
/** 1 if the FDB names a record-structured file (MRL and NOR in tag 82) */
int acos5_fdb_is_record(unsigned int fdb);

/**
 * CREATE FILE data "62 L 83 FID 82 FDB.. [80 size] [8D SE] [84 name] 8C 08 7F
 * SCB6..SCB0" from @p in (fid, fdb, mrl/nor for record files, size when
 * ACOS5_FCI_HAS_SIZE, se_fid when ACOS5_FCI_HAS_SE, name, scb[]).
 * @return 0, SC_ERROR_INVALID_ARGUMENTS or SC_ERROR_BUFFER_TOO_SMALL
 */
int acos5_build_fcp(const struct acos5_fci *in, struct pk_buf *out);

#define ACOS5_SE_MAX_REFS 4

/** PIN references an SE record asks for */
struct acos5_se_chv {
	unsigned int refs[ACOS5_SE_MAX_REFS];
	size_t count;
	int all; /* not known from the record: the SCB's bit 80 says AND */
};

/**
 * One SE file record (acos5-card.md §3.4): "80 01 id" then CRTs. If its id is
 * @p se_id, the PIN references of its AT (A4 with UQB 08 or no UQB), in order.
 * @return 1 found (@p out set), 0 another record or no PIN in the AT,
 *         SC_ERROR_INVALID_DATA if malformed
 */
int acos5_se_record_chv(const u8 *rec, size_t len, unsigned int se_id, struct acos5_se_chv *out);

/**
 * The PIN an SE record names by convention when the SE file cannot be read
 * (acos5-card.md §3.4, §4.1): in the MF #1 = global 01; in a DF #1 = local 81,
 * #3 = global 01, #4 = 81 (or 01). @return the reference, 0 if none
 */
unsigned int acos5_se_convention(int in_mf, unsigned int se_id);

/**
 * Split SE records given as one byte string (each record starts with tag 80):
 * @return bytes of the record at @p off (0 at the end), or SC_ERROR_INVALID_DATA
 */
int acos5_se_next_record(const u8 *buf, size_t len, size_t off);

/** PIN record (acos5-card.md §3.6) */
struct acos5_pin_record {
	unsigned int ref;       /* 01..1F or 81..9F */
	unsigned int tries;     /* 1..15 */
	const u8 *pin;
	size_t pin_len;         /* 1..8 */
	const u8 *puk;          /* NULL: no PUK */
	size_t puk_len;
	unsigned int puk_tries;
	u8 pad;                 /* pad byte up to 8 */
};

/**
 * ACOS5-64: "C1 88 08 PIN 88 08 PUK" (ID|80, |40 with a PUK; tries max|left).
 * Original ACOS5 (@p v1): "81 88 PIN" padded, no PUK.
 * @return 0, SC_ERROR_INVALID_ARGUMENTS or SC_ERROR_BUFFER_TOO_SMALL
 */
int acos5_build_pin_record(const struct acos5_pin_record *in, int v1, struct pk_buf *out);

/** Byte 4 of a key file: key complete (acos5-card.md §3.8) */
#define ACOS5_KEY_COMPLETE 0x03

/**
 * Public key file image for PUT KEY: 00 lenCode privFID 03 e(@p exp_len) n,
 * numbers LSB first when @p le (original ACOS5, acos5-card.md §3.8).
 * @return 0, SC_ERROR_INVALID_ARGUMENTS (size, or a number too long) or
 * SC_ERROR_BUFFER_TOO_SMALL
 */
int acos5_build_public_key(const struct pk_acos5_import *k, size_t exp_len, int le, struct pk_buf *out);
/**
 * CRT private key file image: @p type lenCode pubFID 03 p q dP dQ qInv
 * (N/2 bytes each), LSB first when @p le. @return as acos5_build_public_key
 */
int acos5_build_private_key(const struct pk_acos5_import *k, u8 type, int le, struct pk_buf *out);

#endif
