/*
 * test-starcos.c: the StarCOS driver through the fake reader.
 *
 * The ATRs chosen offer T=1 first (TD1 = 81), so case-4 APDUs carry Le and
 * there is no GET RESPONSE. Card behaviour: doc/starcos-card.md §2.1,
 * §2.5, §2.6, §3.
 *
 * Copyright (C) 2026 pkicards contributors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "unit.h"

#include "libopensc/cardctl.h"
#include "libopensc/opensc.h"
#include "fake-reader.h"
#include "pk-card.h"
#include "pk-cardctl.h"

/* ATRs (starcos-card.md §1.2), one per generation */
#define ATR_SPK23 "3B B7 94 00 81 31 FE 65 53 50 4B 32 33 90 00 D1"
#define ATR_SPK24 "3B B7 18 00 81 31 FE 65 53 50 4B 32 34 90 00 5A"
#define ATR_34 "3B D8 18 FF 81 B1 FE 45 1F 03 80 64 04 1A B4 03 81 05 61"
#define ATR_35 "3B DB 96 FF 81 31 FE 45 80 67 05 34 B5 02 01 C0 A1 81 05 3C"
#define ATR_ACOS5_V2 "3B BE 96 00 00 41 05 20 00 00 00 00 00 00 00 00 00 90 00"

static const struct fr_step no_apdu[] = {FR_END};

static void
connect_card(struct fr *f, const char *atr)
{
	fr_open(f, pk_get_starcos_driver(), atr, SC_PROTO_T1);
	assert_int_equal(fr_connect(f), SC_SUCCESS);
}

/* ---- connect: no APDU at init ------------------------------------------------ */

struct connect_row {
	const char *name;
	const char *atr;
	int rc;
	const char *card_name;
	int type;
	size_t max_send, max_recv;
	int nalgs;
};

static const struct connect_row connect_rows[] = {
	{"not a StarCOS ATR", ATR_ACOS5_V2, SC_ERROR_INVALID_CARD},
	{"SPK 2.3", ATR_SPK23, 0, "StarCOS SPK 2.3", PK_CARD_TYPE_STARCOS_SPK23, 255, 128, 3}, /* PSO DECIPHER: 129 bytes */
	{"SPK 2.4", ATR_SPK24, 0, "StarCOS SPK 2.4", PK_CARD_TYPE_STARCOS_SPK24, 255, 128, 3},
	{"3.4", ATR_34, 0, "StarCOS 3.4", PK_CARD_TYPE_STARCOS_3_4, 255, 256, 9}, /* + 1728, 1976 */
	{"3.5", ATR_35, 0, "StarCOS 3.5", PK_CARD_TYPE_STARCOS_3_5, 255, 256, 13},
};

static void
test_connect_row(void **state)
{
	struct fr_fx *x = *state;
	const struct connect_row *row = x->row;
	struct fr *f = &x->f;

	fr_open(f, pk_get_starcos_driver(), row->atr, SC_PROTO_T1);
	fr_expect(f, no_apdu); /* any APDU fails the test */
	assert_int_equal(fr_connect(f), row->rc);
	if (row->rc != 0) {
		assert_null(f->card);
		return;
	}
	assert_string_equal(f->card->name, row->card_name);
	assert_int_equal(f->card->type, row->type);
	assert_string_equal(f->card->driver->short_name, "starcos_ext");
	assert_int_equal(f->card->max_send_size, row->max_send);
	assert_int_equal(f->card->max_recv_size, row->max_recv);
	assert_int_equal(f->card->algorithm_count, row->nalgs);
	assert_true(f->card->caps & SC_CARD_CAP_RNG);
}

/* ---- GET SERIALNR ---------------------------------------------------------------- */

#define SEL_MF_3X {"00 A4 00 0C 02 3F 00", "90 00"}
#define SEL_GDO {"00 A4 02 04 02 2F 02 00", \
		"62 0E 80 02 00 0C 82 01 01 83 02 2F 02 8A 01 05 90 00"}

static const struct fr_step sn2[] = {{"80 F6 00 00 00", "01 02 03 04 05 06 07 08 90 00"}, FR_END};
static const struct fr_step sn2_6d00[] = {{"80 F6 00 00 00", "6D 00"}, FR_END};
static const struct fr_step sn2_empty[] = {{"80 F6 00 00 00", "90 00"}, FR_END};
static const struct fr_step sn3[] = {SEL_MF_3X, SEL_GDO,
		{"00 B0 00 00 0C", "5A 0A 12 34 56 78 90 12 34 56 78 90 90 00"}, FR_END};
static const struct fr_step sn3_no_size[] = {SEL_MF_3X,
		{"00 A4 02 04 02 2F 02 00", "62 07 82 01 01 83 02 2F 02 90 00"},
		{"00 B0 00 00 00", "5F 20 02 41 42 5A 04 00 00 12 34 00 00 90 00"}, FR_END};
static const struct fr_step sn3_no_5a[] = {SEL_MF_3X, SEL_GDO,
		{"00 B0 00 00 0C", "5F 20 09 41 42 43 44 45 46 47 48 49 90 00"}, FR_END};
static const struct fr_step sn3_no_mf[] = {{"00 A4 00 0C 02 3F 00", "6A 82"}, FR_END};
static const struct fr_step sn3_no_gdo[] = {SEL_MF_3X,
		{"00 A4 02 04 02 2F 02 00", "6A 82"},
		{"00 A4 01 00 02 2F 02 00", "6A 82"}, FR_END};

struct serial_row {
	const char *name;
	const char *atr;
	const struct fr_step *script;
	int rc;
	const char *sn;
};

static const struct serial_row serial_rows[] = {
	{"serial 2.x: 6D 00", ATR_SPK23, sn2_6d00, SC_ERROR_INS_NOT_SUPPORTED},
	{"serial 2.x: no data", ATR_SPK23, sn2_empty, SC_ERROR_INVALID_DATA},
	{"serial 3.x: no MF", ATR_35, sn3_no_mf, SC_ERROR_FILE_NOT_FOUND},
	{"serial 3.x: no EF.GDO", ATR_34, sn3_no_gdo, SC_ERROR_FILE_NOT_FOUND},
	{"serial 3.x: EF.GDO without 5A", ATR_35, sn3_no_5a, SC_ERROR_OBJECT_NOT_FOUND},
	{"serial SPK 2.3: GET CARD DATA", ATR_SPK23, sn2, 0, "0102030405060708"},
	{"serial SPK 2.4: GET CARD DATA", ATR_SPK24, sn2, 0, "0102030405060708"},
	{"serial 3.4: EF.GDO tag 5A", ATR_34, sn3, 0, "12345678901234567890"},
	{"serial 3.5: EF.GDO tag 5A", ATR_35, sn3, 0, "12345678901234567890"},
	{"serial 3.5: EF.GDO of unknown size", ATR_35, sn3_no_size, 0, "00001234"},
};

static void
test_serial_row(void **state)
{
	struct fr_fx *x = *state;
	const struct serial_row *row = x->row;
	struct sc_serial_number sn;

	connect_card(&x->f, row->atr);
	fr_expect(&x->f, row->script);
	memset(&sn, 0, sizeof(sn));
	assert_int_equal(sc_card_ctl(x->f.card, SC_CARDCTL_GET_SERIALNR, &sn), row->rc);
	fr_assert_done(&x->f);
	if (row->rc != 0)
		return;
	assert_hex_equal(sn.value, sn.len, row->sn);
	/* cached: no second APDU */
	memset(&sn, 0, sizeof(sn));
	assert_int_equal(sc_card_ctl(x->f.card, SC_CARDCTL_GET_SERIALNR, &sn), 0);
	assert_hex_equal(sn.value, sn.len, row->sn);
}

/* ---- select_file ------------------------------------------------------------------ */

struct select_row {
	const char *name;
	const char *atr;
	const char *path; /* sc_format_path; "aid:<hex>" selects a DF name */
	const struct fr_step *script;
	int rc;
	int id, type, ef_structure;
	size_t size;
	const char *dfname;
};

/* 2.x: 00 A4 00 00 for every FID; a DF answers 62 84 and no FCI */
static const struct fr_step s2_ef[] = {
	{"00 A4 00 00 02 3F 00 00", "62 84"},
	{"00 A4 00 00 02 50 15 00", "62 84"},
	{"00 A4 00 00 02 44 01 00", "6F 0B 82 01 01 83 02 44 01 80 02 00 80 90 00"},
	FR_END};
static const struct fr_step s2_df[] = {
	{"00 A4 00 00 02 3F 00 00", "62 84"},
	{"00 A4 00 00 02 50 15 00", "62 84"},
	FR_END};
static const struct fr_step s2_blank[] = {{"00 A4 00 00 02 3F 00 00", "6A 82"}, FR_END};
static const struct fr_step s2_bad_fci[] = {
	{"00 A4 00 00 02 3F 00 00", "62 84"},
	{"00 A4 00 00 02 00 10 00", "6F 03 82 01 02 90 00"},
	FR_END};
/* 3.x: MF 00 A4 00 0C; DF on the way 00 A4 01 00; last 00 A4 02 04, as a DF on 6A 82 */
static const struct fr_step s3_df[] = {
	{"00 A4 00 0C 02 3F 00", "90 00"},
	{"00 A4 02 04 02 DF 01 00", "6A 82"},
	{"00 A4 01 00 02 DF 01 00", "6F 0B 84 09 A0 00 00 02 45 53 69 67 6E 90 00"},
	FR_END};
static const struct fr_step s3_ef[] = {
	{"00 A4 00 0C 02 3F 00", "90 00"},
	{"00 A4 01 00 02 06 08 00", "6F 00 90 00"},
	{"00 A4 02 04 02 43 01 00", "62 0E 80 02 07 D0 82 01 01 83 02 43 01 8A 01 05 90 00"},
	FR_END};
static const struct fr_step s3_mf[] = {{"00 A4 00 0C 02 3F 00", "90 00"}, FR_END};
static const struct fr_step s3_missing[] = {
	{"00 A4 00 0C 02 3F 00", "90 00"},
	{"00 A4 02 04 02 DF 02 00", "6A 82"},
	{"00 A4 01 00 02 DF 02 00", "6A 82"},
	FR_END};
static const struct fr_step s3_denied[] = {
	{"00 A4 00 0C 02 3F 00", "90 00"},
	{"00 A4 02 04 02 C0 00 00", "69 82"},
	FR_END};
static const struct fr_step s3_fid_ef[] = {
	{"00 A4 02 04 02 00 15 00", "62 0B 82 05 02 41 00 20 05 83 02 00 15 90 00"},
	FR_END};
static const struct fr_step s3_aid[] = {
	{"00 A4 04 0C 09 A0 00 00 02 45 53 69 67 6E", "90 00"}, FR_END};

#define WEF SC_FILE_TYPE_WORKING_EF
#define DF SC_FILE_TYPE_DF
#define AID_ESIGN "A0 00 00 02 45 53 69 67 6E"

static const struct select_row select_rows[] = {
	{"2.x: MF missing (blank card)", ATR_SPK23, "3F00", s2_blank, SC_ERROR_FILE_NOT_FOUND},
	{"2.x: FCI of a record EF without record length", ATR_SPK24, "3F000010", s2_bad_fci,
			SC_ERROR_INVALID_DATA},
	{"3.x: neither EF nor DF", ATR_35, "3F00DF02", s3_missing, SC_ERROR_FILE_NOT_FOUND},
	{"3.x: EF denied is not retried as DF", ATR_34, "3F00C000", s3_denied,
			SC_ERROR_SECURITY_STATUS_NOT_SATISFIED},
	{"2.x: path to an EF through DFs answering 62 84", ATR_SPK23, "3F0050154401", s2_ef, 0,
			0x4401, WEF, SC_FILE_EF_TRANSPARENT, 0x80, ""},
	{"2.x: path ending in a DF (62 84)", ATR_SPK24, "3F005015", s2_df, 0,
			0x5015, DF, 0, 0, ""},
	{"3.x: DF after EF 6A 82 retried with 00 A4 01 00", ATR_35, "3F00DF01", s3_df, 0,
			0xDF01, DF, 0, 0, AID_ESIGN},
	{"3.x: EF below a DF", ATR_34, "3F0006084301", s3_ef, 0,
			0x4301, WEF, SC_FILE_EF_TRANSPARENT, 0x7D0, ""},
	{"3.x: MF", ATR_35, "3F00", s3_mf, 0, 0x3F00, DF, 0, 0, ""},
	{"3.x: record EF by FID", ATR_35, "0015", s3_fid_ef, 0,
			0x0015, WEF, SC_FILE_EF_LINEAR_FIXED, 0xA0, ""},
	{"3.x: DF by name", ATR_35, "aid:" AID_ESIGN, s3_aid, 0, 0, DF, 0, 0, AID_ESIGN},
};

static void
format_path(const char *text, struct sc_path *path)
{
	if (strncmp(text, "aid:", 4) != 0) {
		sc_format_path(text, path);
		return;
	}
	memset(path, 0, sizeof(*path));
	path->type = SC_PATH_TYPE_DF_NAME;
	path->len = unit_hex(text + 4, path->value, sizeof(path->value));
	path->aid.len = 0;
}

static void
test_select_row(void **state)
{
	struct fr_fx *x = *state;
	const struct select_row *row = x->row;
	struct sc_file *file = NULL;
	struct sc_path path;
	int r;

	connect_card(&x->f, row->atr);
	fr_expect(&x->f, row->script);
	format_path(row->path, &path);
	r = sc_select_file(x->f.card, &path, &file);
	assert_int_equal(r, row->rc);
	if (r != 0) {
		assert_null(file);
		return;
	}
	assert_non_null(file);
	assert_int_equal(file->id, row->id);
	assert_int_equal(file->type, row->type);
	if (row->type != DF)
		assert_int_equal(file->ef_structure, row->ef_structure);
	assert_int_equal(file->size, row->size);
	assert_hex_equal(file->name, file->namelen, row->dfname);
	sc_file_free(file);
}

/* ---- SPK 2.x personalisation card_ctls (starcos-card.md §2.2) ------------------------ */

static const struct pk_starcos_mf ctl_mf = {0x0800, 0x0400, 0x01, 0x01, 0x01, 0x01};
static const struct pk_starcos_df ctl_df_aid = {0x5015, 0x1000, 0x0300,
		{0xA0, 0x00, 0x00, 0x00, 0x63, 0x50, 0x4B, 0x43, 0x53, 0x2D, 0x31, 0x35}, 12, 0x01, 0x01};
static const struct pk_starcos_df ctl_df_fid = {0x5016, 0x0200, 0x0100, {0}, 0, 0x9F, 0x5F};
static const struct pk_starcos_ef ctl_ef = {0x4401, 0x9F, 0x01, 0x01, PK_STARCOS_EF_TRANSPARENT,
		0x0200};
static const unsigned int ctl_fid = 0x5015;
static const u8 ctl_hdr[12] = {0x91, 0x01, 0x72, 0x1E, 0x0F, 0x11, 0x33, 0x00, 0x09, 0x31, 0x03,
		0x00};
static u8 ctl_blob[130]; /* 00 01 02 ... */
static const struct pk_starcos_wkey ctl_wkey = {ctl_hdr, 0x91, 1, ctl_blob, sizeof(ctl_blob)};
static const struct pk_starcos_wkey ctl_wkey_pin = {NULL, 0x83, 0, ctl_blob, 8};

#define MF_APDU "80 E0 00 00 13 01 02 03 04 05 06 07 08 08 00 04 00 01 01 01 01 00 00 00"
#define PKCS15_AID "A0 00 00 00 63 50 4B 43 53 2D 31 35"
/* READ PUBLIC KEY answer: KID 91, 8-byte modulus LSB first, e = 65537 */
#define PUB_91 "91 00 14 9F 0F 00 09 4A 80 14 06 01 01 10 08 13 04 91 " \
		"01 02 03 04 05 06 07 88 01 00 01 00 04 91"

static const struct fr_step c_mf[] = {{MF_APDU, "90 00"}, FR_END};
static const struct fr_step c_mf_exists[] = {{MF_APDU, "6A 89"}, FR_END};
static const struct fr_step c_df_aid[] = {
		{"80 52 10 00 0F 50 15 0C " PKCS15_AID, "90 00"},
		{"80 E0 01 00 19 50 15 0C " PKCS15_AID " 00 00 00 00 03 00 01 01 00 00", "90 00"}, FR_END};
static const struct fr_step c_df_fid[] = {
		{"80 52 02 00 05 50 16 02 50 16", "90 00"},
		{"80 E0 01 00 19 50 16 02 50 16 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01 00 9F 5F "
		 "00 00", "90 00"}, FR_END};
static const struct fr_step c_df_register_fails[] = {
		{"80 52 10 00 0F 50 15 0C " PKCS15_AID, "6A 89"}, FR_END};
static const struct fr_step c_ef[] = {
		{"80 E0 03 00 10 44 01 9F 01 01 5F 5F 5F 5F 5F 5F 00 00 81 02 00", "90 00"}, FR_END};
static const struct fr_step c_ef_denied[] = {
		{"80 E0 03 00 10 44 01 9F 01 01 5F 5F 5F 5F 5F 5F 00 00 81 02 00", "69 82"}, FR_END};
static const struct fr_step c_end[] = {{"80 E0 02 00 02 50 15", "90 00"}, FR_END};
static const struct fr_step c_end_again[] = {{"80 E0 02 00 02 50 15", "69 F0"}, FR_END};
static const struct fr_step c_erase[] = {{"80 E4 00 00 02 3F 00", "90 00"}, FR_END};
static const struct fr_step c_erase_no_mf[] = {{"80 E4 00 00 02 3F 00", "69 85"}, FR_END};
static const struct fr_step c_wkey[] = {
		{"80 F4 00 00 0E C1 0C 91 01 72 1E 0F 11 33 00 09 31 03 00", "90 00"},
		{"80 F4 01 00 81 C2 7F 91 00 00 00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F 10 11 12 13 14 15 16 17 18 19 1A 1B 1C 1D 1E 1F 20 21 22 23 24 25 26 27 28 29 2A 2B 2C 2D 2E 2F 30 31 32 33 34 35 36 37 38 39 3A 3B 3C 3D 3E 3F 40 41 42 43 44 45 46 47 48 49 4A 4B 4C 4D 4E 4F 50 51 52 53 54 55 56 57 58 59 5A 5B 5C 5D 5E 5F 60 61 62 63 64 65 66 67 68 69 6A 6B 6C 6D 6E 6F 70 71 72 73 74 75 76 77 78 79 7A 7B", "90 00"},
		{"80 F4 01 00 0B C2 09 91 00 7C 7C 7D 7E 7F 80 81", "90 00"}, FR_END};
static const struct fr_step c_wkey_hdr_fails[] = {
		{"80 F4 00 00 0E C1 0C 91 01 72 1E 0F 11 33 00 09 31 03 00", "6A 84"}, FR_END};
static const struct fr_step c_wkey_pin[] = {
		{"80 F4 00 00 0D C2 0B 83 00 00 00 01 02 03 04 05 06 07", "90 00"}, FR_END};
static const struct fr_step c_gen[] = {
		{"00 46 00 91 02 04 00", "90 00"},
		{"80 F0 9C 00 01 91 00", PUB_91 " 90 00"}, FR_END};
static const struct fr_step c_gen_bad_pub[] = {
		{"00 46 00 91 02 04 00", "90 00"},
		{"80 F0 9C 00 01 91 00", "91 00 14 9F 0F 00 09 4A 00 14 90 00"}, FR_END};
static const struct fr_step c_readpub[] = {{"80 F0 9C 00 01 91 00", PUB_91 " 90 00"}, FR_END};

struct ctl_row {
	const char *name;
	const char *atr;
	unsigned long cmd;
	const void *arg;
	const struct fr_step *script;
	int rc;
	const char *modulus; /* GENERATE / READ PUBLIC KEY: big-endian */
};

static const struct ctl_row ctl_rows[] = {
	/* 3.x issuer cards: refused before any APDU */
	{"3.5: CREATE MF refused", ATR_35, PK_CARDCTL_STARCOS_CREATE_MF, &ctl_mf, no_apdu,
			SC_ERROR_NOT_SUPPORTED},
	{"3.4: GENERATE KEY refused", ATR_34, PK_CARDCTL_STARCOS_GENERATE_KEY, NULL, no_apdu,
			SC_ERROR_NOT_SUPPORTED},
	{"3.5: ERASE CARD refused", ATR_35, PK_CARDCTL_STARCOS_ERASE_CARD, NULL, no_apdu,
			SC_ERROR_NOT_SUPPORTED},
	{"3.5: READ PUBLIC KEY refused", ATR_35, PK_CARDCTL_STARCOS_READ_PUBLIC_KEY, NULL, no_apdu,
			SC_ERROR_NOT_SUPPORTED},
	/* failures on 2.x */
	{"2.3: no argument", ATR_SPK23, PK_CARDCTL_STARCOS_CREATE_EF, NULL, no_apdu,
			SC_ERROR_INVALID_ARGUMENTS},
	{"2.3: CREATE MF on a card with an MF", ATR_SPK23, PK_CARDCTL_STARCOS_CREATE_MF, &ctl_mf,
			c_mf_exists, SC_ERROR_FILE_ALREADY_EXISTS},
	{"2.3: REGISTER DF fails, no CREATE DF", ATR_SPK23, PK_CARDCTL_STARCOS_CREATE_DF,
			&ctl_df_aid, c_df_register_fails, SC_ERROR_FILE_ALREADY_EXISTS},
	{"2.3: CREATE EF without the SO PIN", ATR_SPK23, PK_CARDCTL_STARCOS_CREATE_EF, &ctl_ef,
			c_ef_denied, SC_ERROR_SECURITY_STATUS_NOT_SATISFIED},
	{"2.3: CREATE END twice", ATR_SPK23, PK_CARDCTL_STARCOS_CREATE_END, &ctl_fid, c_end_again,
			SC_ERROR_NOT_ALLOWED},
	{"2.3: WRITE KEY header into a full ISF, no data sent", ATR_SPK23,
			PK_CARDCTL_STARCOS_WRITE_KEY, &ctl_wkey, c_wkey_hdr_fails, SC_ERROR_NOT_ENOUGH_MEMORY},
	{"2.3: GENERATE KEY 2048 refused before sending", ATR_SPK23,
			PK_CARDCTL_STARCOS_GENERATE_KEY, &(struct pk_starcos_keygen){0x91, 2048}, no_apdu,
			SC_ERROR_NOT_SUPPORTED},
	{"2.3: malformed public key after GENERATE KEY", ATR_SPK23,
			PK_CARDCTL_STARCOS_GENERATE_KEY, &(struct pk_starcos_keygen){0x91, 1024},
			c_gen_bad_pub, SC_ERROR_INVALID_DATA},
	/* successes */
	{"2.3: CREATE MF", ATR_SPK23, PK_CARDCTL_STARCOS_CREATE_MF, &ctl_mf, c_mf, 0},
	{"2.3: REGISTER DF + CREATE DF with an AID", ATR_SPK23, PK_CARDCTL_STARCOS_CREATE_DF,
			&ctl_df_aid, c_df_aid, 0},
	{"2.4: REGISTER DF + CREATE DF, the FID as AID", ATR_SPK24, PK_CARDCTL_STARCOS_CREATE_DF,
			&ctl_df_fid, c_df_fid, 0},
	{"2.3: CREATE EF", ATR_SPK23, PK_CARDCTL_STARCOS_CREATE_EF, &ctl_ef, c_ef, 0},
	{"2.3: CREATE END", ATR_SPK23, PK_CARDCTL_STARCOS_CREATE_END, &ctl_fid, c_end, 0},
	{"2.3: ERASE CARD", ATR_SPK23, PK_CARDCTL_STARCOS_ERASE_CARD, NULL, c_erase, 0},
	{"2.4: ERASE CARD without an MF (69 85) is done", ATR_SPK24, PK_CARDCTL_STARCOS_ERASE_CARD,
			NULL, c_erase_no_mf, 0},
	{"2.3: WRITE KEY header and 130 bytes in 124-byte chunks", ATR_SPK23,
			PK_CARDCTL_STARCOS_WRITE_KEY, &ctl_wkey, c_wkey, 0},
	{"2.3: WRITE KEY data only, install mode", ATR_SPK23, PK_CARDCTL_STARCOS_WRITE_KEY,
			&ctl_wkey_pin, c_wkey_pin, 0},
	{"2.3: GENERATE KEY 1024 + READ PUBLIC KEY", ATR_SPK23, PK_CARDCTL_STARCOS_GENERATE_KEY,
			&(struct pk_starcos_keygen){0x91, 1024}, c_gen, 0, "88 07 06 05 04 03 02 01"},
	{"2.4: READ PUBLIC KEY", ATR_SPK24, PK_CARDCTL_STARCOS_READ_PUBLIC_KEY,
			&(struct pk_rsa_pubkey){0x91}, c_readpub, 0, "88 07 06 05 04 03 02 01"},
};

static void
test_ctl_row(void **state)
{
	struct fr_fx *x = *state;
	const struct ctl_row *row = x->row;
	union {
		struct pk_starcos_keygen kg;
		struct pk_rsa_pubkey pub;
		u8 any[sizeof(struct pk_starcos_keygen)];
	} arg;
	const struct pk_rsa_pubkey *pub = NULL;
	size_t i;
	int r;

	for (i = 0; i < sizeof(ctl_blob); i++)
		ctl_blob[i] = (u8)i;
	connect_card(&x->f, row->atr);
	fr_expect(&x->f, row->script);
	/* the card_ctl may write its out fields: work on a copy */
	memset(&arg, 0, sizeof(arg));
	if (row->cmd == PK_CARDCTL_STARCOS_GENERATE_KEY && row->arg)
		arg.kg = *(const struct pk_starcos_keygen *)row->arg, pub = &arg.kg.pub;
	else if (row->cmd == PK_CARDCTL_STARCOS_READ_PUBLIC_KEY && row->arg)
		arg.pub = *(const struct pk_rsa_pubkey *)row->arg, pub = &arg.pub;
	r = sc_card_ctl(x->f.card, row->cmd, pub ? (void *)&arg : (void *)(uintptr_t)row->arg);
	assert_int_equal(r, row->rc);
	fr_assert_done(&x->f);
	if (row->rc != 0 || !row->modulus)
		return;
	assert_hex_equal(pub->modulus, pub->modulus_len, row->modulus);
	assert_hex_equal(pub->exponent, pub->exponent_len, "01 00 01");
}

/* ---- GET CHALLENGE ----------------------------------------------------------------- */

static void
test_challenge(void **state)
{
	static const struct fr_step script[] = {
		{"00 84 00 00 08", "01 02 03 04 05 06 07 08 90 00"},
		{"00 84 00 00 08", "11 12 13 14 15 16 17 18 90 00"},
		FR_END};
	struct fr_fx *x = *state;
	u8 rnd[12];

	connect_card(&x->f, ATR_35);
	fr_expect(&x->f, script);
	assert_int_equal(sc_get_challenge(x->f.card, rnd, sizeof(rnd)), 0);
	assert_hex_equal(rnd, sizeof(rnd), "0102030405060708 11121314");
}

/* ---- status words ------------------------------------------------------------------ */

/* A copy of starcos_errors in card-starcos.c (starcos-card.md §2.6): a changed
 * row there must show up here. Then ISO 7816 for everything else. */
static const struct {
	unsigned int sw;
	int rc;
} sw_rows[] = {
	{0x6284, SC_SUCCESS},
	{0x6600, SC_ERROR_INCORRECT_PARAMETERS},
	{0x66F0, SC_ERROR_INCORRECT_PARAMETERS},
	{0x6700, SC_ERROR_WRONG_LENGTH},
	{0x6982, SC_ERROR_SECURITY_STATUS_NOT_SATISFIED},
	{0x6983, SC_ERROR_AUTH_METHOD_BLOCKED},
	{0x6984, SC_ERROR_REF_DATA_NOT_USABLE},
	{0x6985, SC_ERROR_NOT_ALLOWED},
	{0x6986, SC_ERROR_NOT_ALLOWED},
	{0x69F0, SC_ERROR_NOT_ALLOWED},
	{0x6A81, SC_ERROR_NOT_SUPPORTED},
	{0x6A82, SC_ERROR_FILE_NOT_FOUND},
	{0x6A86, SC_ERROR_INCORRECT_PARAMETERS},
	{0x6A88, SC_ERROR_DATA_OBJECT_NOT_FOUND},
	{0x6A89, SC_ERROR_FILE_ALREADY_EXISTS},
	{0x6A8A, SC_ERROR_FILE_ALREADY_EXISTS},
	{0x6F01, SC_ERROR_CARD_CMD_FAILED},
	{0x6F02, SC_ERROR_CARD_CMD_FAILED},
	{0x6F03, SC_ERROR_CARD_CMD_FAILED},
	{0x6F05, SC_ERROR_CARD_CMD_FAILED},
	{0x6F07, SC_ERROR_FILE_NOT_FOUND},
	{0x6F08, SC_ERROR_CARD_CMD_FAILED},
	{0x6F0A, SC_ERROR_INCORRECT_PARAMETERS},
	{0x6F0B, SC_ERROR_INCORRECT_PARAMETERS},
	{0x6F81, SC_ERROR_CARD_CMD_FAILED},
	/* not in the table: ISO 7816 */
	{0x9000, SC_SUCCESS},
	{0x63C1, SC_ERROR_PIN_CODE_INCORRECT},
	{0x6D00, SC_ERROR_INS_NOT_SUPPORTED},
};

static void
test_status_words(void **state)
{
	struct fr_fx *x = *state;
	size_t i, bad = 0;

	connect_card(&x->f, ATR_35);
	for (i = 0; i < N_ELEM(sw_rows); i++) {
		int r = sc_check_sw(x->f.card, sw_rows[i].sw >> 8, sw_rows[i].sw & 0xFF);

		if (r != sw_rows[i].rc) {
			print_error("SW %04X: %d (%s), expected %d (%s)\n", sw_rows[i].sw, r,
					sc_strerror(r), sw_rows[i].rc, sc_strerror(sw_rows[i].rc));
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

/* ---- the remembered DF across card transactions (issue 11) ----------------------------- */

/* Within one transaction the driver walks on from the DF it selected; in the
 * next one (another process may have used the card in between) it selects
 * that DF again by FID (no SELECT MF: on 2.x that ends the DF-local PIN);
 * if that fails, or after a reset, it walks from the MF. A path selected
 * before is known (file cache): selecting it sends nothing, the READ BINARY
 * that needs the card there selects the DF again and then the EF. */
static const struct fr_step stale_steps[] = {
	/* transaction 1 */
	{"00 A4 00 00 02 3F 00 00", "62 84"},
	{"00 A4 00 00 02 50 15 00", "62 84"},
	{"00 A4 00 00 02 44 01 00", "6F 0B 82 01 01 83 02 44 01 80 02 00 80 90 00"},
	{"00 A4 00 00 02 44 02 00", "6F 0B 82 01 01 83 02 44 02 80 02 00 80 90 00"},
	/* transaction 2: 5015 again, then the EF */
	{"00 A4 00 0C 02 50 15", "90 00"},
	{"00 A4 00 00 02 44 03 00", "6F 0B 82 01 01 83 02 44 03 80 02 00 80 90 00"},
	/* transaction 3: a known EF selected (nothing), then read: 5015, the EF */
	{"00 A4 00 0C 02 50 15", "90 00"},
	{"00 A4 00 00 02 44 01 00", "6F 0B 82 01 01 83 02 44 01 80 02 00 80 90 00"},
	{"00 B0 00 00 01", "30 90 00"},
	/* transaction 4: 5015 is not found again: walk from the MF */
	{"00 A4 00 0C 02 50 15", "6A 82"},
	{"00 A4 00 00 02 3F 00 00", "62 84"},
	{"00 A4 00 00 02 50 15 00", "62 84"},
	{"00 A4 00 00 02 44 04 00", "6F 0B 82 01 01 83 02 44 04 80 02 00 80 90 00"},
	/* transaction 5, after a reset: from the MF */
	{"00 A4 00 00 02 3F 00 00", "62 84"},
	{"00 A4 00 00 02 50 15 00", "62 84"},
	{"00 A4 00 00 02 44 05 00", "6F 0B 82 01 01 83 02 44 05 80 02 00 80 90 00"},
	FR_END};

static void
select_in_lock(struct sc_card *card, const char *path1, const char *path2)
{
	struct sc_path p;

	assert_int_equal(sc_lock(card), 0);
	sc_format_path(path1, &p);
	assert_int_equal(sc_select_file(card, &p, NULL), 0);
	if (path2) {
		sc_format_path(path2, &p);
		assert_int_equal(sc_select_file(card, &p, NULL), 0);
	}
	assert_int_equal(sc_unlock(card), 0);
}

static void
test_stale_df(void **state)
{
	struct fr_fx *x = *state;
	struct sc_card *card;
	struct sc_path p;
	u8 b;

	connect_card(&x->f, ATR_SPK23);
	card = x->f.card;
	fr_expect(&x->f, stale_steps);
	select_in_lock(card, "3F0050154401", "3F0050154402");
	select_in_lock(card, "3F0050154403", NULL);
	assert_int_equal(sc_lock(card), 0);
	sc_format_path("3F0050154401", &p);
	assert_int_equal(sc_select_file(card, &p, NULL), 0);
	assert_int_equal(sc_read_binary(card, 0, &b, 1, 0), 1);
	assert_int_equal(sc_unlock(card), 0);
	select_in_lock(card, "3F0050154404", NULL);
	assert_int_equal(card->ops->card_reader_lock_obtained(card, 1), 0);
	select_in_lock(card, "3F0050154405", NULL);
	fr_assert_done(&x->f);
}

/* An interrupted personalisation erased and made again (pkcs15-starcos.c
 * sc2_init_card): ERASE CARD and CREATE MF act on the whole card, so what
 * OpenSC selected before (the MF, gone with the erase) is not selected
 * again: a SELECT of the erased MF is refused (69 85) and CREATE MF was
 * never sent (fault sweep: create-pkcs15 not re-runnable, "Not allowed") */
static void
test_erase_then_create_mf(void **state)
{
	static const struct fr_step script[] = {
		{"00 A4 00 00 02 3F 00 00", "62 84"},
		{"80 E4 00 00 02 3F 00", "90 00"},
		{MF_APDU, "90 00"},
		FR_END};
	struct fr_fx *x = *state;
	struct sc_card *card;
	struct sc_path p;

	connect_card(&x->f, ATR_SPK23);
	card = x->f.card;
	fr_expect(&x->f, script);
	sc_format_path("3F00", &p);
	assert_int_equal(sc_select_file(card, &p, NULL), 0);
	assert_int_equal(sc_card_ctl(card, PK_CARDCTL_STARCOS_ERASE_CARD, NULL), 0);
	assert_int_equal(sc_card_ctl(card, PK_CARDCTL_STARCOS_CREATE_MF, (void *)&ctl_mf), 0);
	fr_assert_done(&x->f);
}

/* ---- 3.x: applications by name (issue 12) ------------------------------------ */

#define AID_PKCS15 "A0 00 00 00 63 50 4B 43 53 2D 31 35"
#define FCI_DF01 "6F 18 82 01 38 83 02 DF 01 84 0C " AID_PKCS15 " 8A 01 05 90 00"

static void
select_path_in_lock(struct sc_card *card, const char *text, int rc)
{
	struct sc_path p;

	assert_int_equal(sc_lock(card), 0);
	if (strncmp(text, "aid:", 4) == 0)
		format_path(text, &p);
	else
		sc_format_path(text, &p);
	assert_int_equal(sc_select_file(card, &p, NULL), rc);
	assert_int_equal(sc_unlock(card), 0);
}

/* A DF whose FCI named it (84) and gave its FID is selected again by that
 * name, one APDU, instead of SELECT MF + SELECT DF; a DF never seen so is
 * walked to from the MF. What the cache knows of the DF stays its FCI. */
static void
test_df_by_name(void **state)
{
	static const struct fr_step script[] = {
		/* transaction 1: MF, DF01 (FCI with FID and name) */
		{"00 A4 00 0C 02 3F 00", "90 00"},
		{"00 A4 02 04 02 DF 01 00", "6A 82"},
		{"00 A4 01 00 02 DF 01 00", FCI_DF01},
		/* transaction 2: an EF in the MF */
		{"00 A4 00 0C 02 3F 00", "90 00"},
		{"00 A4 02 04 02 00 15 00", "62 0B 82 05 04 41 00 40 04 83 02 00 15 90 00"},
		/* transaction 3: DF01 (known: nothing sent), then an EF by FID
		 * from there: DF01 by name, the EF */
		{"00 A4 04 0C 0C " AID_PKCS15, "90 00"},
		{"00 A4 02 04 02 50 32 00", "62 0E 80 02 00 3A 82 01 01 83 02 50 32 8A 01 05 90 00"},
		/* transaction 4: DF01 from the cache; transaction 5: an EF in
		 * DF01 by path: DF01 by name, the EF */
		{"00 A4 04 0C 0C " AID_PKCS15, "90 00"},
		{"00 A4 02 04 02 50 31 00", "62 0E 80 02 00 24 82 01 01 83 02 50 31 8A 01 05 90 00"},
		FR_END};
	struct fr_fx *x = *state;
	struct sc_card *card;
	struct sc_file *file = NULL;
	struct sc_path p;

	connect_card(&x->f, ATR_34);
	card = x->f.card;
	fr_expect(&x->f, script);
	select_path_in_lock(card, "3F00DF01", 0);
	select_path_in_lock(card, "3F000015", 0);
	assert_int_equal(sc_lock(card), 0);
	sc_format_path("3F00DF01", &p);
	assert_int_equal(sc_select_file(card, &p, NULL), 0);
	sc_format_path("5032", &p);
	p.type = SC_PATH_TYPE_FILE_ID;
	assert_int_equal(sc_select_file(card, &p, NULL), 0);
	assert_int_equal(sc_unlock(card), 0);
	assert_int_equal(sc_lock(card), 0);
	sc_format_path("3F00DF01", &p);
	assert_int_equal(sc_select_file(card, &p, &file), 0);
	assert_int_equal(file->type, SC_FILE_TYPE_DF);
	assert_hex_equal(file->name, file->namelen, AID_PKCS15);
	sc_file_free(file);
	assert_int_equal(sc_unlock(card), 0);
	select_path_in_lock(card, "3F00DF015031", 0);
	fr_assert_done(&x->f);
}

/* EF(ODF) not found in an application without PKCS#15: one SELECT, not
 * retried as a DF (ISO reserves 5031 for the EF); asked again, no APDU */
static void
test_odf_missing(void **state)
{
	static const struct fr_step script[] = {
		{"00 A4 00 0C 02 3F 00", "90 00"},
		{"00 A4 02 04 02 DF 02 00", "6A 82"},
		{"00 A4 01 00 02 DF 02 00", "6F 12 82 01 38 83 02 DF 02 84 06 D2 76 00 00 66 01 8A 01 05 90 00"},
		{"00 A4 00 0C 02 DF 02", "90 00"}, /* transaction 2: the DF again */
		{"00 A4 02 04 02 50 31 00", "6A 82"},
		FR_END};
	struct fr_fx *x = *state;

	connect_card(&x->f, ATR_34);
	fr_expect(&x->f, script);
	select_path_in_lock(x->f.card, "3F00DF02", 0);
	select_path_in_lock(x->f.card, "3F00DF025031", SC_ERROR_FILE_NOT_FOUND);
	select_path_in_lock(x->f.card, "3F00DF025031", SC_ERROR_FILE_NOT_FOUND);
	fr_assert_done(&x->f);
}

/* Two EFs of one application by AID and FID in one card transaction: the
 * application is selected once */
static void
test_aid_efs_in_lock(void **state)
{
	static const struct fr_step script[] = {
		{"00 A4 04 0C 09 " AID_ESIGN, "90 00"},
		{"00 A4 02 04 02 C0 01 00", "62 0E 80 02 03 34 82 01 01 83 02 C0 01 8A 01 05 90 00"},
		{"00 A4 02 04 02 C0 02 00", "62 0E 80 02 03 B4 82 01 01 83 02 C0 02 8A 01 05 90 00"},
		FR_END};
	struct fr_fx *x = *state;
	struct sc_card *card;
	struct sc_file *file = NULL;
	struct sc_path p;

	connect_card(&x->f, ATR_35);
	card = x->f.card;
	fr_expect(&x->f, script);
	assert_int_equal(sc_lock(card), 0);
	memset(&p, 0, sizeof(p));
	p.type = SC_PATH_TYPE_FILE_ID;
	p.len = 2;
	p.aid.len = unit_hex(AID_ESIGN, p.aid.value, sizeof(p.aid.value));
	p.value[0] = 0xC0;
	p.value[1] = 0x01;
	assert_int_equal(sc_select_file(card, &p, &file), 0);
	sc_file_free(file);
	p.value[1] = 0x02;
	assert_int_equal(sc_select_file(card, &p, &file), 0);
	assert_int_equal(file->size, 0x3B4);
	sc_file_free(file);
	assert_int_equal(sc_unlock(card), 0);
	fr_assert_done(&x->f);
}

/* A DF-local PIN (81) of an application OpenSC selected by name: the
 * lookup of its format in EF.KEYD moves the card to the MF, so the
 * application is selected again before the PIN command (it would find no
 * PIN 81 in the MF, 6A 88) */
static void
test_local_pin_after_lookup(void **state)
{
	static const struct fr_step script[] = {
		/* transaction 1: OpenSC selects the PIN's application */
		{"00 A4 04 0C 09 " AID_ESIGN, "90 00"},
		/* transaction 2: the PIN status: EF.ATR (none), EF.KEYD */
		{"00 A4 00 0C 02 3F 00", "90 00"},
		{"00 A4 02 04 02 2F 01 00", "6A 82"},
		{"00 A4 02 04 02 00 13 00", "62 0B 82 05 04 41 00 40 08 83 02 00 13 90 00"},
		{"00 B2 01 04 00", "88 01 81 7B 05 A4 03 89 01 21 90 00"},
		{"00 A4 04 0C 09 " AID_ESIGN, "90 00"},
		{"00 20 00 81", "63 C3"},
		FR_END};
	struct fr_fx *x = *state;
	struct sc_pin_cmd_data data;
	int tries = -1;

	connect_card(&x->f, ATR_35);
	fr_expect(&x->f, script);
	select_path_in_lock(x->f.card, "aid:" AID_ESIGN, 0);
	memset(&data, 0, sizeof(data));
	data.cmd = SC_PIN_CMD_GET_INFO;
	data.pin_type = SC_AC_CHV;
	data.pin_reference = 0x81;
	assert_int_equal(sc_pin_cmd(x->f.card, &data, &tries), 0);
	assert_int_equal(data.pin1.tries_left, 3);
	fr_assert_done(&x->f);
}

/* 3.x: after the first certificate the certificate directory names in a
 * DF, the others in that DF are read in the same card transaction (OpenSC
 * reads each in one of its own, each costing the DF's SELECT again); read
 * later, they cost no APDU */
static void
test_cert_readahead(void **state)
{
	static const struct fr_step script[] = {
		/* transaction 1: EF(ODF), and the CDF it names */
		{"00 A4 00 0C 02 3F 00", "90 00"},
		{"00 A4 01 00 02 DF 01 00", FCI_DF01},
		{"00 A4 02 04 02 50 31 00", "62 0E 80 02 00 0C 82 01 01 83 02 50 31 8A 01 05 90 00"},
		{"00 B0 00 00 0C", "A5 0A 30 08 04 06 3F 00 DF 01 44 04 90 00"},
		{"00 A4 02 04 02 44 04 00", "62 0E 80 02 00 20 82 01 01 83 02 44 04 8A 01 05 90 00"},
		{"00 B0 00 00 20", "30 0E A1 0C 30 0A 30 08 04 06 3F 00 DF 01 C1 00 "
				   "30 0E A1 0C 30 0A 30 08 04 06 3F 00 DF 01 C1 01 90 00"},
		/* transaction 2: the first certificate, then the second */
		{"00 A4 00 0C 02 DF 01", "90 00"},
		{"00 A4 02 04 02 C1 00 00", "62 0E 80 02 00 04 82 01 01 83 02 C1 00 8A 01 05 90 00"},
		{"00 B0 00 00 04", "30 02 05 00 90 00"},
		{"00 A4 02 04 02 C1 01 00", "62 0E 80 02 00 04 82 01 01 83 02 C1 01 8A 01 05 90 00"},
		{"00 B0 00 00 04", "30 02 05 01 90 00"},
		FR_END};
	struct fr_fx *x = *state;
	struct sc_card *card;
	struct sc_path p;
	u8 b[32];

	connect_card(&x->f, ATR_34);
	card = x->f.card;
	fr_expect(&x->f, script);
	assert_int_equal(sc_lock(card), 0);
	sc_format_path("3F00DF015031", &p);
	assert_int_equal(sc_select_file(card, &p, NULL), 0);
	assert_int_equal(sc_read_binary(card, 0, b, 12, 0), 12);
	assert_int_equal(sc_unlock(card), 0);
	assert_int_equal(sc_lock(card), 0);
	sc_format_path("3F00DF01C100", &p);
	assert_int_equal(sc_select_file(card, &p, NULL), 0);
	assert_int_equal(sc_read_binary(card, 0, b, 4, 0), 4);
	assert_int_equal(sc_unlock(card), 0);
	/* transaction 3: the second certificate from the file cache */
	assert_int_equal(sc_lock(card), 0);
	sc_format_path("3F00DF01C101", &p);
	assert_int_equal(sc_select_file(card, &p, NULL), 0);
	assert_int_equal(sc_read_binary(card, 0, b, 4, 0), 4);
	assert_hex_equal(b, 4, "30 02 05 01");
	assert_int_equal(sc_unlock(card), 0);
	fr_assert_done(&x->f);
}

int
main(void)
{
	const struct CMUnitTest misc[] = {
		cmocka_unit_test_setup_teardown(test_stale_df, fr_fx_setup, fr_fx_teardown),
		cmocka_unit_test_setup_teardown(test_erase_then_create_mf, fr_fx_setup, fr_fx_teardown),
		cmocka_unit_test_setup_teardown(test_challenge, fr_fx_setup, fr_fx_teardown),
		cmocka_unit_test_setup_teardown(test_status_words, fr_fx_setup, fr_fx_teardown),
		cmocka_unit_test_setup_teardown(test_df_by_name, fr_fx_setup, fr_fx_teardown),
		cmocka_unit_test_setup_teardown(test_odf_missing, fr_fx_setup, fr_fx_teardown),
		cmocka_unit_test_setup_teardown(test_aid_efs_in_lock, fr_fx_setup, fr_fx_teardown),
		cmocka_unit_test_setup_teardown(test_local_pin_after_lookup, fr_fx_setup, fr_fx_teardown),
		cmocka_unit_test_setup_teardown(test_cert_readahead, fr_fx_setup, fr_fx_teardown),
	};
	int r = 0;

	r |= UNIT_RUN_ROWS_FIXTURE("starcos connect", connect_rows, test_connect_row,
			fr_fx_setup, fr_fx_teardown);
	r |= UNIT_RUN_ROWS_FIXTURE("starcos GET SERIALNR", serial_rows, test_serial_row,
			fr_fx_setup, fr_fx_teardown);
	r |= UNIT_RUN_ROWS_FIXTURE("starcos select_file", select_rows, test_select_row,
			fr_fx_setup, fr_fx_teardown);
	r |= UNIT_RUN_ROWS_FIXTURE("starcos SPK 2.x card_ctl", ctl_rows, test_ctl_row,
			fr_fx_setup, fr_fx_teardown);
	r |= cmocka_run_group_tests_name("starcos misc", misc, NULL, NULL);
	return r ? 1 : 0;
}
