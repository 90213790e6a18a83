/*
 * test-acos5.c: the ACOS5 driver through the fake reader.
 *
 * ACOS5 cards speak T=0: OpenSC drops Le from case-4 APDUs, sends P3=00 for
 * case 1, and fetches data announced by 61xx with GET RESPONSE. The scripts
 * below are what the card sees on the wire (acos5-card.md §2, trace 01).
 *
 * Copyright (C) 2026 pkicards contributors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "unit.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "libopensc/cardctl.h"
#include "libopensc/opensc.h"
#include "fake-reader.h"
#include "pk-card.h"
#include "pk-cardctl.h"
#include "pk-compat.h"

/* ATRs (acos5-card.md §1) */
#define ATR_V1 "3B BE 18 00 00 41 05 10 00 00 00 00 00 00 00 00 00 90 00"
#define ATR_V2 "3B BE 96 00 00 41 05 20 00 00 00 00 00 00 00 00 00 90 00"
#define ATR_V2_TA1 "3B BE 11 00 00 41 05 20 00 00 00 00 00 00 00 00 00 90 00"
#define ATR_V3 "3B BE 96 00 00 41 05 30 00 00 00 00 00 00 00 00 00 90 00"
#define ATR_V3_NF "3B BE 96 00 00 41 05 00 4E 46 00 00 00 00 00 00 00 90 00"
#define ATR_STARCOS35 "3B DB 96 FF 81 31 FE 45 80 67 05 34 B5 02 01 C0 A1 81 05 3C"

/* init exchanges: the OS version alone identifies a V2/V3 (acos5-card.md §1;
 * Identify Self, 80 14 05 00, is not asked) */
#define OS_V2 {"80 14 06 00 08", "41 43 4F 53 05 02 00 40 90 00"}
#define OS_V3_64K {"80 14 06 00 08", "41 43 4F 53 05 03 01 40 90 00"}
#define OS_V3_FIPS {"80 14 06 00 08", "41 43 4F 53 05 03 00 40 90 00"}
#define OP_MODE(sw2) {"80 14 09 00 00", "90 " sw2}

static const struct fr_step init_v1[] = {FR_END};
static const struct fr_step init_v2[] = {OS_V2, FR_END};
static const struct fr_step init_v3_fips[] = {OS_V3_FIPS, OP_MODE("00"), FR_END};
static const struct fr_step init_v3_64k[] = {OS_V3_64K, OP_MODE("02"), FR_END};

/* FCIs of a real CryptoMate64 (acos5-card.md §3.2, traces/acos5-09.log) */
#define FCI_MF "6F 18 83 02 3F 00 88 01 00 8A 01 01 82 02 3F 00 8D 02 00 03 84 00 8C 00 AB 00"
#define FCI_4100 "6F 30 83 02 41 00 88 01 00 8A 01 05 82 02 38 00 8D 02 41 03" \
		" 84 10 41 43 4F 53 50 4B 43 53 2D 31 35 76 31 2E 30 30" \
		" 8C 08 7F 03 FF 00 01 01 01 01 AB 00"
#define FCI_5031 "6F 1E 83 02 50 31 88 01 21 8A 01 05 82 02 01 00 80 02 00 6C" \
		" 8C 08 7F 03 FF 00 03 FF 00 00 AB 00"
#define FCI_4101 "6F 1E 83 02 41 01 88 01 01 8A 01 05 82 06 0A 00 00 15 00 01" \
		" 8C 08 7F 03 FF 00 FF FF 01 FF AB 00"
#define FCI_4131 "6F 1E 83 02 41 31 88 01 11 8A 01 05 82 02 09 00 80 02 02 15" \
		" 8C 08 7F 01 FF 00 01 00 01 00 AB 00"

static void
connect_card(struct fr *f, const char *atr, const struct fr_step *init)
{
	fr_open(f, pk_get_acos5_driver(), atr, SC_PROTO_T0);
	fr_expect(f, init);
	assert_int_equal(fr_connect(f), SC_SUCCESS);
	fr_assert_done(f);
}

/* ---- connect ------------------------------------------------------------------ */

struct connect_row {
	const char *name;
	const char *atr;
	const struct fr_step *script;
	int rc;
	const char *card_name;
	int type;
	int nalgs; /* RSA key sizes */
};

static const struct fr_step os_6d00[] = {{"80 14 06 00 08", "6D 00"}, FR_END};
static const struct fr_step os_evo[] = {{"80 14 06 00 08", "41 43 4F 53 05 04 10 C0 90 00"}, FR_END};
static const struct fr_step v2_says_v3[] = {OS_V3_64K, FR_END};
static const struct fr_step v3_says_v2[] = {OS_V2, FR_END};
static const struct fr_step os_6a86[] = {{"80 14 06 00 08", "6A 86"}, FR_END};
static const struct fr_step os_short[] = {
		{"80 14 06 00 08", "41 43 4F 53 05 02 90 00"}, FR_END};
static const struct fr_step os_not_acos[] = {
		{"80 14 06 00 08", "41 43 4F 54 05 02 00 40 90 00"}, FR_END};
static const struct fr_step op_mode_6d00[] = {OS_V3_64K,
		{"80 14 09 00 00", "6D 00"}, FR_END};
static const struct fr_step init_v3_32k[] = {OS_V3_64K, OP_MODE("01"), FR_END};
static const struct fr_step init_v3_nsh1[] = {OS_V3_64K, OP_MODE("10"), FR_END};
static const struct fr_step init_v3_mode77[] = {OS_V3_64K, OP_MODE("77"), FR_END};

#define T_V1 PK_CARD_TYPE_ACOS5_V1
#define T_V2 PK_CARD_TYPE_ACOS5_64_V2
#define T_V3 PK_CARD_TYPE_ACOS5_64_V3
#define INVALID SC_ERROR_INVALID_CARD

static const struct connect_row connect_rows[] = {
	/* rejected */
	{"not an ACOS5 ATR: no APDU", ATR_STARCOS35, init_v1, INVALID},
	{"OS version answers 6D 00", ATR_V2, os_6d00, INVALID},
	{"OS version of an EVO (major 4) to a V3 ATR", ATR_V3, os_evo, INVALID},
	{"V2 ATR, OS version of a V3", ATR_V2, v2_says_v3, INVALID},
	{"V3 ATR, OS version of a V2", ATR_V3, v3_says_v2, INVALID},
	{"OS version answers 6A 86", ATR_V2, os_6a86, INVALID},
	{"OS version of 6 bytes", ATR_V2, os_short, INVALID},
	{"OS version not ACOS", ATR_V2, os_not_acos, INVALID},
	{"V3 operation mode answers 6D 00", ATR_V3, op_mode_6d00, SC_ERROR_INS_NOT_SUPPORTED},
	/* accepted */
	{"v1 (32K): no APDU at init", ATR_V1, init_v1, 0, "ACOS5 (32K, v1)", T_V1, 4},
	{"V2", ATR_V2, init_v2, 0, "ACOS5-64 V2", T_V2, 15},
	{"V2 with TA1 changed", ATR_V2_TA1, init_v2, 0, "ACOS5-64 V2", T_V2, 15},
	{"V3 FIPS mode", ATR_V3, init_v3_fips, 0, "ACOS5-64 V3 (FIPS mode)", T_V3, 2}, /* FIPS: 2048, 3072 only */
	{"V3 64K mode", ATR_V3, init_v3_64k, 0, "ACOS5-64 V3 (64K mode)", T_V3, 15},
	{"V3 emulated 32K mode", ATR_V3_NF, init_v3_32k, 0, "ACOS5-64 V3 (emulated 32K mode)", T_V3, 15},
	{"V3 NSH-1 mode", ATR_V3, init_v3_nsh1, 0, "ACOS5-64 V3 (NSH-1 mode)", T_V3, 15},
	{"V3 unknown mode byte", ATR_V3, init_v3_mode77, 0, "ACOS5-64 V3 (unknown mode)", T_V3, 15},
};

static void
test_connect_row(void **state)
{
	struct fr_fx *x = *state;
	const struct connect_row *row = x->row;
	struct fr *f = &x->f;

	fr_open(f, pk_get_acos5_driver(), row->atr, SC_PROTO_T0);
	fr_expect(f, row->script);
	assert_int_equal(fr_connect(f), row->rc);
	if (row->rc != 0) {
		assert_null(f->card);
		return;
	}
	assert_string_equal(f->card->name, row->card_name);
	assert_int_equal(f->card->type, row->type);
	assert_string_equal(f->card->driver->short_name, "acos5_ext");
	assert_int_equal(f->card->algorithm_count, row->nalgs);
	assert_true(f->card->caps & SC_CARD_CAP_RNG);
	assert_int_equal(f->card->max_send_size, 255);
	assert_int_equal(f->card->max_recv_size, 256);
}

/* With the file cache on and no cache yet: the serial names the cache file
 * (on V3 after the operation mode, which sets its length), the free space is
 * the cache's fingerprint; the operation mode is asked once, the OS version
 * identifies the card. The original ACOS5 has no free-space counter, so
 * nothing would show a file created elsewhere: it keeps no cache across
 * processes and asks nothing for one. */
/* An opensc.conf in a new directory @p dir (a mkdtemp template) that turns
 * the driver's file cache on, with its cache files in that directory;
 * cache_conf_done() checks that none was written and removes both */
static void
cache_conf(char *dir, char *conf, size_t len)
{
	FILE *fp;

	assert_non_null(mkdtemp(dir));
	snprintf(conf, len, "%s/opensc.conf", dir);
	fp = fopen(conf, "w");
	assert_non_null(fp);
	fprintf(fp, "app default {\n file_cache_dir = %s;\n"
		    " card_driver acos5_ext { file_caching = yes; }\n}\n", dir);
	fclose(fp);
}

static void
cache_conf_done(const char *dir, const char *conf)
{
	remove(conf);
	assert_int_equal(rmdir(dir), 0); /* no cache file written */
}

static void
connect_cache_cold(struct fr_fx *x, const char *atr, const struct fr_step *script, const char *name)
{
	char dir[] = "/tmp/pkicards-unit-XXXXXX", conf[64];

	cache_conf(dir, conf, sizeof(conf));
	fr_open_conf(&x->f, pk_get_acos5_driver(), atr, SC_PROTO_T0, conf);
	fr_expect(&x->f, script);
	assert_int_equal(fr_connect(&x->f), SC_SUCCESS);
	fr_assert_done(&x->f);
	assert_string_equal(x->f.card->name, name);
	fr_close(&x->f);
	cache_conf_done(dir, conf);
}

static void
test_connect_cache_cold(void **state)
{
	static const struct fr_step v3[] = {OP_MODE("02"),
			{"80 14 00 00 06", "A1 A2 A3 A4 A5 A6 90 00"}, OS_V3_64K,
			{"80 14 04 00 02", "D8 E7 90 00"}, FR_END};

	connect_cache_cold(*state, ATR_V3, v3, "ACOS5-64 V3 (64K mode)");
	connect_cache_cold(*state, ATR_V1, init_v1, "ACOS5 (32K, v1)");
}

/* ---- GET SERIALNR (80 14 00 00 06|08) ----------------------------------------- */

struct serial_row {
	const char *name;
	const char *atr;
	const struct fr_step *init;
	struct fr_step apdu;
	int rc;
	const char *sn;
};

static const struct serial_row serial_rows[] = {
	{"serial: card answers 6A 86", ATR_V2, init_v2, {"80 14 00 00 06", "6A 86"},
			SC_ERROR_INCORRECT_PARAMETERS},
	{"serial: 5 bytes instead of 6", ATR_V2, init_v2,
			{"80 14 00 00 06", "11 22 33 44 55 90 00"}, SC_ERROR_INVALID_DATA},
	{"serial: v1 reads 6 bytes", ATR_V1, init_v1,
			{"80 14 00 00 06", "01 02 03 04 05 06 90 00"}, 0, "010203040506"},
	{"serial: V2 reads 6 bytes", ATR_V2, init_v2,
			{"80 14 00 00 06", "11 22 33 44 55 66 90 00"}, 0, "112233445566"},
	{"serial: V3 64K mode reads 6 bytes", ATR_V3, init_v3_64k,
			{"80 14 00 00 06", "A1 A2 A3 A4 A5 A6 90 00"}, 0, "A1A2A3A4A5A6"},
	{"serial: V3 FIPS mode reads 8 bytes", ATR_V3, init_v3_fips,
			{"80 14 00 00 08", "B1 B2 B3 B4 B5 B6 B7 B8 90 00"}, 0, "B1B2B3B4B5B6B7B8"},
};

static void
test_serial_row(void **state)
{
	struct fr_fx *x = *state;
	const struct serial_row *row = x->row;
	const struct fr_step apdu[] = {row->apdu, FR_END};
	struct sc_serial_number sn;

	connect_card(&x->f, row->atr, row->init);
	fr_expect(&x->f, apdu);
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

static void
test_card_ctl_unsupported(void **state)
{
	struct fr_fx *x = *state;

	connect_card(&x->f, ATR_V2, init_v2);
	assert_int_equal(sc_card_ctl(x->f.card, SC_CARDCTL_LIFECYCLE_GET, NULL),
			SC_ERROR_NOT_SUPPORTED);
}

/* ---- select_file ---------------------------------------------------------------- */

struct acl {
	unsigned int op, method, key_ref;
};

#define NONE SC_AC_NONE, SC_AC_KEY_REF_NONE
#define NEVER SC_AC_NEVER, SC_AC_KEY_REF_NONE
#define SEN(n) SC_AC_SEN, n
#define ACL_END {SC_MAX_AC_OPS, 0, 0}

struct select_row {
	const char *name;
	const char *path; /* sc_format_path: 4 hex digits = FILE_ID, longer = PATH */
	const struct fr_step *script;
	int rc;
	int id, type, ef_structure, status;
	size_t size, record_length, record_count;
	const char *dfname;
	struct acl acl[12];
};

/* DFs on the way are selected without their FCI (61 XX, no GET RESPONSE) */
#define SEL_MF_QUIET {"00 A4 00 00 02 3F 00", "61 1A"}
#define SEL_4100_QUIET {"00 A4 00 00 02 41 00", "61 32"}
static const struct fr_step sel_path_5031[] = {SEL_MF_QUIET, SEL_4100_QUIET,
	{"00 A4 00 00 02 50 31", "61 20"}, {"00 C0 00 00 20", FCI_5031 " 90 00"},
	FR_END};
static const struct fr_step sel_mf[] = {
	{"00 A4 00 00 02 3F 00", "61 1A"}, {"00 C0 00 00 1A", FCI_MF " 90 00"}, FR_END};
static const struct fr_step sel_path_4100[] = {SEL_MF_QUIET,
	{"00 A4 00 00 02 41 00", "61 32"}, {"00 C0 00 00 32", FCI_4100 " 90 00"},
	FR_END};
/* without file_out not even the last component's FCI */
static const struct fr_step sel_path_5031_quiet[] = {SEL_MF_QUIET, SEL_4100_QUIET,
	{"00 A4 00 00 02 50 31", "61 20"}, FR_END};
static const struct fr_step sel_path_4100_quiet[] = {SEL_MF_QUIET, SEL_4100_QUIET, FR_END};
static const struct fr_step sel_fid_4101[] = {
	{"00 A4 00 00 02 41 01", "61 20"}, {"00 C0 00 00 20", FCI_4101 " 90 00"}, FR_END};
static const struct fr_step sel_fid_4131[] = {
	{"00 A4 00 00 02 41 31", "61 20"}, {"00 C0 00 00 20", FCI_4131 " 90 00"}, FR_END};
static const struct fr_step sel_blank[] = {{"00 A4 00 00 02 3F 00", "69 86"}, FR_END};
static const struct fr_step sel_no_ef[] = {{"00 A4 00 00 02 50 31", "69 86"}, FR_END};
static const struct fr_step sel_missing_mid[] = {SEL_MF_QUIET,
	{"00 A4 00 00 02 41 00", "6A 82"}, FR_END};
static const struct fr_step sel_other_fid[] = {
	{"00 A4 00 00 02 50 32", "61 20"}, {"00 C0 00 00 20", FCI_5031 " 90 00"}, FR_END};
static const struct fr_step sel_bad_fci[] = {
	{"00 A4 00 00 02 50 31", "61 06"}, {"00 C0 00 00 06", "6F 04 83 02 50 31 90 00"}, FR_END};
static const struct fr_step sel_unknown_fdb[] = {
	{"00 A4 00 00 02 50 31", "61 0A"},
	{"00 C0 00 00 0A", "6F 08 83 02 50 31 82 02 07 00 90 00"}, FR_END};

#define DF_ACL_4100 { \
	{SC_AC_OP_DELETE, SEN(1)}, {SC_AC_OP_CREATE_EF, SEN(1)}, {SC_AC_OP_CREATE, SEN(1)}, \
	{SC_AC_OP_CREATE_DF, SEN(1)}, {SC_AC_OP_DEACTIVATE, SEN(1)}, {SC_AC_OP_INVALIDATE, SEN(1)}, \
	{SC_AC_OP_ACTIVATE, NONE}, {SC_AC_OP_REHABILITATE, NONE}, {SC_AC_OP_LOCK, NEVER}, \
	{SC_AC_OP_DELETE_SELF, SEN(3)}, ACL_END}
#define DF_ACL_OPEN { \
	{SC_AC_OP_DELETE, NONE}, {SC_AC_OP_CREATE_EF, NONE}, {SC_AC_OP_CREATE, NONE}, \
	{SC_AC_OP_CREATE_DF, NONE}, {SC_AC_OP_DEACTIVATE, NONE}, {SC_AC_OP_INVALIDATE, NONE}, \
	{SC_AC_OP_ACTIVATE, NONE}, {SC_AC_OP_REHABILITATE, NONE}, {SC_AC_OP_LOCK, NONE}, \
	{SC_AC_OP_DELETE_SELF, NONE}, ACL_END}
/* 8C 08 7F 03 FF 00 03 FF 00 00 */
#define EF_ACL_5031 { \
	{SC_AC_OP_READ, NONE}, {SC_AC_OP_UPDATE, NONE}, {SC_AC_OP_WRITE, NONE}, \
	{SC_AC_OP_ERASE, NONE}, {SC_AC_OP_DEACTIVATE, SEN(3)}, {SC_AC_OP_INVALIDATE, SEN(3)}, \
	{SC_AC_OP_ACTIVATE, NONE}, {SC_AC_OP_REHABILITATE, NONE}, {SC_AC_OP_LOCK, NEVER}, \
	{SC_AC_OP_DELETE_SELF, SEN(3)}, ACL_END}
/* 8C 08 7F 03 FF 00 FF FF 01 FF */
#define EF_ACL_4101 { \
	{SC_AC_OP_READ, NEVER}, {SC_AC_OP_UPDATE, SEN(1)}, {SC_AC_OP_WRITE, SEN(1)}, \
	{SC_AC_OP_ERASE, SEN(1)}, {SC_AC_OP_DEACTIVATE, NEVER}, {SC_AC_OP_INVALIDATE, NEVER}, \
	{SC_AC_OP_ACTIVATE, NONE}, {SC_AC_OP_REHABILITATE, NONE}, {SC_AC_OP_LOCK, NEVER}, \
	{SC_AC_OP_DELETE_SELF, SEN(3)}, ACL_END}
/* 8C 08 7F 01 FF 00 01 00 01 00 */
#define KEY_ACL_4131 { \
	{SC_AC_OP_READ, NONE}, {SC_AC_OP_UPDATE, SEN(1)}, {SC_AC_OP_WRITE, SEN(1)}, \
	{SC_AC_OP_CRYPTO, NONE}, {SC_AC_OP_GENERATE, NONE}, {SC_AC_OP_PSO_COMPUTE_SIGNATURE, NONE}, \
	{SC_AC_OP_PSO_DECRYPT, NONE}, {SC_AC_OP_DEACTIVATE, SEN(1)}, {SC_AC_OP_ACTIVATE, NONE}, \
	{SC_AC_OP_LOCK, NEVER}, {SC_AC_OP_DELETE_SELF, SEN(1)}, ACL_END}

#define WEF SC_FILE_TYPE_WORKING_EF
#define IEF SC_FILE_TYPE_INTERNAL_EF
#define ACTIVE SC_FILE_STATUS_ACTIVATED

static const struct select_row select_rows[] = {
	{"select: MF of a blank card (69 86)", "3F00", sel_blank, SC_ERROR_FILE_NOT_FOUND},
	{"select: EF 69 86 is not the blank-card case", "5031", sel_no_ef, SC_ERROR_NOT_ALLOWED},
	{"select: path stops at the missing DF", "3F0041005031", sel_missing_mid, SC_ERROR_FILE_NOT_FOUND},
	{"select: FCI of another file", "5032", sel_other_fid, SC_ERROR_INVALID_DATA},
	{"select: FCI without FDB", "5031", sel_bad_fci, SC_ERROR_INVALID_DATA},
	{"select: FCI with an unknown FDB", "5031", sel_unknown_fdb, SC_ERROR_INVALID_DATA},
	{"select: path 3F00/4100/5031", "3F0041005031", sel_path_5031, 0,
			0x5031, WEF, SC_FILE_EF_TRANSPARENT, ACTIVE, 0x6C, 0, 0, "", EF_ACL_5031},
	{"select: MF (LCSI 01, 8C 00)", "3F00", sel_mf, 0,
			0x3F00, SC_FILE_TYPE_DF, 0, SC_FILE_STATUS_CREATION, 0, 0, 0, "", DF_ACL_OPEN},
	{"select: path 3F00/4100", "3F004100", sel_path_4100, 0,
			0x4100, SC_FILE_TYPE_DF, 0, ACTIVE, 0, 0, 0,
			"41 43 4F 53 50 4B 43 53 2D 31 35 76 31 2E 30 30", DF_ACL_4100},
	{"select: PIN file 4101", "4101", sel_fid_4101, 0,
			0x4101, IEF, SC_FILE_EF_LINEAR_FIXED, ACTIVE, 0x15, 0x15, 1, "", EF_ACL_4101},
	{"select: RSA public key 4131", "4131", sel_fid_4131, 0,
			0x4131, IEF, SC_FILE_EF_TRANSPARENT, ACTIVE, 0x215, 0, 0, "", KEY_ACL_4131},
};

static void
assert_acl(const struct sc_file *file, const struct acl *want)
{
	for (; want->op != SC_MAX_AC_OPS; want++) {
		const sc_acl_entry_t *e = sc_file_get_acl_entry(file, want->op);

		if (!e)
			fail_msg("op %u: no ACL entry", want->op);
		if (e->method != want->method || e->key_ref != want->key_ref)
			fail_msg("op %u: ACL method %#x key %#x, expected %#x key %#x", want->op,
					e->method, e->key_ref, want->method, want->key_ref);
	}
}

static void
test_select_row(void **state)
{
	struct fr_fx *x = *state;
	const struct select_row *row = x->row;
	struct sc_file *file = NULL;
	struct sc_path path;
	int r;

	connect_card(&x->f, ATR_V2, init_v2);
	fr_expect(&x->f, row->script);
	sc_format_path(row->path, &path);
	r = sc_select_file(x->f.card, &path, &file);
	assert_int_equal(r, row->rc);
	if (r != 0) {
		assert_null(file);
		return;
	}
	assert_non_null(file);
	assert_int_equal(file->id, row->id);
	assert_int_equal(file->type, row->type);
	assert_int_equal(file->ef_structure, row->ef_structure);
	assert_int_equal(file->status, row->status);
	assert_int_equal(file->size, row->size);
	assert_int_equal(file->record_length, row->record_length);
	assert_int_equal(file->record_count, row->record_count);
	assert_hex_equal(file->name, file->namelen, row->dfname);
	assert_acl(file, row->acl);
	sc_file_free(file);
}

/* without file_out the driver selects every component, no FCI */
static void
test_select_no_file_out(void **state)
{
	struct fr_fx *x = *state;
	struct sc_path path;

	connect_card(&x->f, ATR_V2, init_v2);
	fr_expect(&x->f, sel_path_5031_quiet);
	sc_format_path("3F0041005031", &path);
	assert_int_equal(sc_select_file(x->f.card, &path, NULL), 0);
}

/* ---- list_files (80 14 01 00, 80 14 02 idx 08) ------------------------------ */

static const struct fr_step list_two[] = {
	{"80 14 01 00 00", "90 02"},
	{"80 14 02 00 08", "01 00 2F 00 00 21 00 05 90 00"},
	{"80 14 02 01 08", "38 00 41 00 41 03 00 05 90 00"},
	FR_END};
/* the driver checks for room before it reads a record */
static const struct fr_step list_two_count_only[] = {{"80 14 01 00 00", "90 02"}, FR_END};
static const struct fr_step list_two_first[] = {
	{"80 14 01 00 00", "90 02"},
	{"80 14 02 00 08", "01 00 2F 00 00 21 00 05 90 00"},
	FR_END};
static const struct fr_step list_none[] = {{"80 14 01 00 00", "90 00"}, FR_END};
static const struct fr_step list_count_fails[] = {{"80 14 01 00 00", "6A 82"}, FR_END};
static const struct fr_step list_short_record[] = {
	{"80 14 01 00 00", "90 01"},
	{"80 14 02 00 08", "01 00 2F 00 00 21 00 90 00"},
	FR_END};

struct list_row {
	const char *name;
	const struct fr_step *script;
	size_t buflen;
	int rc;
	const char *fids;
};

static const struct list_row list_rows[] = {
	{"list: buffer of 0 bytes", list_two_count_only, 0, SC_ERROR_BUFFER_TOO_SMALL},
	{"list: buffer one FID short", list_two_first, 2, SC_ERROR_BUFFER_TOO_SMALL},
	{"list: buffer one byte short", list_two_first, 3, SC_ERROR_BUFFER_TOO_SMALL},
	{"list: count answers 6A 82", list_count_fails, 16, SC_ERROR_FILE_NOT_FOUND},
	{"list: file info of 7 bytes", list_short_record, 16, SC_ERROR_INVALID_DATA},
	{"list: empty DF", list_none, 16, 0, ""},
	{"list: buffer exactly full", list_two, 4, 4, "2F00 4100"},
	{"list: two files", list_two, 64, 4, "2F00 4100"},
};

static void
test_list_row(void **state)
{
	struct fr_fx *x = *state;
	const struct list_row *row = x->row;
	u8 buf[64];
	int r;

	connect_card(&x->f, ATR_V2, init_v2);
	fr_expect(&x->f, row->script);
	memset(buf, 0xEE, sizeof(buf));
	r = sc_list_files(x->f.card, buf, row->buflen);
	assert_int_equal(r, row->rc);
	if (r >= 0)
		assert_hex_equal(buf, (size_t)r, row->fids);
	for (size_t i = row->buflen; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0xEE);
}

/* ---- GET CHALLENGE (00 84 00 00 08) ------------------------------------------ */

static void
test_challenge_steps_of_8(void **state)
{
	static const struct fr_step script[] = {
		{"00 84 00 00 08", "01 02 03 04 05 06 07 08 90 00"},
		{"00 84 00 00 08", "11 12 13 14 15 16 17 18 90 00"},
		{"00 84 00 00 08", "21 22 23 24 25 26 27 28 90 00"},
		FR_END};
	struct fr_fx *x = *state;
	u8 rnd[21];

	connect_card(&x->f, ATR_V2, init_v2);
	fr_expect(&x->f, script);
	memset(rnd, 0xEE, sizeof(rnd));
	assert_int_equal(sc_get_challenge(x->f.card, rnd, 20), 0);
	assert_hex_equal(rnd, sizeof(rnd), "0102030405060708 1112131415161718 21222324 EE");
}

static void
test_challenge_short_answer(void **state)
{
	static const struct fr_step script[] = {
		{"00 84 00 00 08", "01 02 03 04 90 00"}, FR_END};
	struct fr_fx *x = *state;
	u8 rnd[8];

	connect_card(&x->f, ATR_V2, init_v2);
	fr_expect(&x->f, script);
	assert_int_equal(sc_get_challenge(x->f.card, rnd, 8), SC_ERROR_INVALID_DATA);
}

static void
test_challenge_error_sw(void **state)
{
	static const struct fr_step script[] = {{"00 84 00 00 08", "69 85"}, FR_END};
	struct fr_fx *x = *state;
	u8 rnd[8];

	connect_card(&x->f, ATR_V2, init_v2);
	fr_expect(&x->f, script);
	assert_int_equal(sc_get_challenge(x->f.card, rnd, 8), SC_ERROR_NOT_ALLOWED);
}

/* No answer at all (no SW): the card left the reader during the command, or
 * it is there again. The reader guard (pk-guard.c) names the two cases:
 * removed, or reset (a card whose answer was lost has lost its volatile
 * state); OpenSC's minidriver: SCARD_W_REMOVED_CARD, SCARD_W_RESET_CARD. */
static void
test_no_answer(void **state, int gone, int rc)
{
	static const struct fr_step script[] = {{"00 84 00 00 08", ""}, FR_END};
	struct fr_fx *x = *state;
	u8 rnd[8];

	connect_card(&x->f, ATR_V2, init_v2);
	fr_expect(&x->f, script);
	x->f.card_gone = gone;
	assert_int_equal(sc_get_challenge(x->f.card, rnd, 8), rc);
	fr_assert_done(&x->f);
}

static void
test_no_answer_card_removed(void **state)
{
	test_no_answer(state, 1, SC_ERROR_CARD_REMOVED);
}

static void
test_no_answer_card_mute(void **state)
{
	test_no_answer(state, 0, SC_ERROR_CARD_RESET);
}

/* ---- status words ------------------------------------------------------------- */

/* A copy of acos5_errors in card-acos5.c (acos5-card.md §8): a changed row there
 * must show up here. Then ISO 7816 for everything else. */
static const struct {
	unsigned int sw;
	int rc;
} sw_rows[] = {
	{0x6282, SC_ERROR_FILE_END_REACHED},
	{0x6283, SC_ERROR_CARD_CMD_FAILED},
	{0x6700, SC_ERROR_WRONG_LENGTH},
	{0x6982, SC_ERROR_SECURITY_STATUS_NOT_SATISFIED},
	{0x6983, SC_ERROR_AUTH_METHOD_BLOCKED},
	{0x6985, SC_ERROR_NOT_ALLOWED},
	{0x6986, SC_ERROR_NOT_ALLOWED},
	{0x6A80, SC_ERROR_INCORRECT_PARAMETERS},
	{0x6A82, SC_ERROR_FILE_NOT_FOUND},
	{0x6A83, SC_ERROR_RECORD_NOT_FOUND},
	{0x6A84, SC_ERROR_NOT_ENOUGH_MEMORY},
	{0x6A86, SC_ERROR_INCORRECT_PARAMETERS},
	{0x6A87, SC_ERROR_INCORRECT_PARAMETERS},
	{0x6A88, SC_ERROR_DATA_OBJECT_NOT_FOUND},
	{0x6A89, SC_ERROR_FILE_ALREADY_EXISTS},
	{0x6B00, SC_ERROR_INCORRECT_PARAMETERS},
	{0x6D00, SC_ERROR_INS_NOT_SUPPORTED},
	{0x6E00, SC_ERROR_CLASS_NOT_SUPPORTED},
	{0x6F00, SC_ERROR_CARD_CMD_FAILED},
	{0x9540, SC_SUCCESS},
	/* not in the table: ISO 7816 */
	{0x9000, SC_SUCCESS},
	{0x63C2, SC_ERROR_PIN_CODE_INCORRECT},
	{0x6581, SC_ERROR_MEMORY_FAILURE},
};

static void
test_status_words(void **state)
{
	struct fr_fx *x = *state;
	size_t i, bad = 0;

	connect_card(&x->f, ATR_V2, init_v2);
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

/* ---- secrets never in the debug log ------------------------------------------- */

/* The context's debug output goes to a temporary file at full verbosity */
static void
log_capture(struct fr *f)
{
	f->ctx->debug = 9;
	f->ctx->debug_file = tmpfile();
	assert_non_null(f->ctx->debug_file);
}

/* Fail if the debug log holds @p secret (bytes) as ASCII or as hex, with or
 * without spaces, in either case. The context closes the file. */
static void
assert_log_clean(struct fr *f, const u8 *secret, size_t n)
{
	static char logbuf[1 << 20];
	char forms[4][1024];
	size_t len, i, j;

	assert_true(n > 0 && n * 3 < sizeof(forms[0]));
	fflush(f->ctx->debug_file);
	rewind(f->ctx->debug_file);
	len = fread(logbuf, 1, sizeof(logbuf) - 1, f->ctx->debug_file);
	logbuf[len] = '\0';
	assert_true(len > 0); /* the driver did log something */
	/* only what follows each line's header ("P:pid; T:thread time
	 * [program] "): its numbers may hold the digits of a short secret */
	for (i = 0, j = 0; i < len;) {
		char *eol = memchr(logbuf + i, '\n', len - i);
		size_t end = eol ? (size_t)(eol - logbuf) + 1 : len;
		char *hdr = strncmp(logbuf + i, "P:", 2) == 0 ? memchr(logbuf + i, ']', end - i) : NULL;
		size_t from = hdr ? (size_t)(hdr - logbuf) + 1 : i;

		memmove(logbuf + j, logbuf + from, end - from);
		j += end - from;
		i = end;
	}
	len = j;
	logbuf[len] = '\0';
	memcpy(forms[0], secret, n);
	forms[0][n] = '\0';
	for (i = 0; i < n; i++) {
		sprintf(forms[1] + 2 * i, "%02X", secret[i]);
		sprintf(forms[2] + 3 * i, "%02X ", secret[i]);
	}
	forms[2][3 * n - 1] = '\0';
	for (i = 0; i < len; i++)
		logbuf[i] = (char)toupper((unsigned char)logbuf[i]);
	for (j = 0; j < 3; j++) {
		for (i = 0; forms[j][i]; i++)
			forms[j][i] = (char)toupper((unsigned char)forms[j][i]);
		if (strstr(logbuf, forms[j]))
			fail_msg("secret in the debug log as \"%s\"", forms[j]);
	}
}

/* ---- remembered walk (acos5-card.md §2.1) -------------------------------------------- */

/* Within one card transaction a walk starts from the DF the last one left
 * the card in; a failed command, a FID alone, DELETE, a reset or a new
 * transaction sends the next walk from the MF again */
enum walk_op { W_END, W_LOCK, W_UNLOCK, W_SEL, W_SEL_FCI, W_READ, W_DELETE, W_RESET, W_MSE,
	W_APPS, W_PUBKEY };

struct walk_step {
	enum walk_op op;
	const char *path; /* W_SEL, W_SEL_FCI (with file_out), W_DELETE (FID), W_MSE (key FID) */
	int rc; /* a failed READ BINARY: as sc_read_binary reports it (pk-compat.h) */
};

struct walk_row {
	const char *name;
	const struct fr_step *script;
	struct walk_step steps[14];
};

#define RESEL_4100 {"00 A4 00 00 02 41 00", "61 32"}, {"00 C0 00 00 32", FCI_4100 " 90 00"}
#define SEL_5031_FCI {"00 A4 00 00 02 50 31", "61 20"}, {"00 C0 00 00 20", FCI_5031 " 90 00"}
#define FCI_5032 "6F 1E 83 02 50 32 88 01 22 8A 01 05 82 02 01 00 80 02 00 C0" \
		" 8C 08 7F 03 FF 00 03 FF 00 00 AB 00"
#define SEL_5032_FCI {"00 A4 00 00 02 50 32", "61 20"}, {"00 C0 00 00 20", FCI_5032 " 90 00"}
#define WALK_5031 SEL_MF_QUIET, SEL_4100_QUIET, SEL_5031_FCI
#define WALK_5032 SEL_MF_QUIET, SEL_4100_QUIET, SEL_5032_FCI
#define P_5031 "3F0041005031"
#define P_5032 "3F0041005032"

static const struct fr_step wk_same_df[] = {WALK_5031, SEL_5032_FCI, FR_END};
static const struct fr_step wk_df_again[] = {WALK_5031, FR_END};
static const struct fr_step wk_from_df[] = {SEL_MF_QUIET, SEL_4100_QUIET, SEL_5031_FCI, FR_END};
static const struct fr_step wk_last_fci[] = {SEL_MF_QUIET, SEL_4100_QUIET,
	{"00 A4 00 00 02 50 31", "61 20"}, SEL_5031_FCI, FR_END};
static const struct fr_step wk_sibling[] = {WALK_5031, SEL_MF_QUIET,
	{"00 A4 00 00 02 2F 00", "61 20"},
	{"00 C0 00 00 20", "6F 1E 83 02 2F 00 88 01 00 8A 01 05 82 02 01 00 80 02 00 21"
			   " 8C 08 7F 01 FF 01 01 FF 01 00 AB 00 90 00"}, FR_END};
static const struct fr_step wk_sel_failed[] = {WALK_5031,
	{"00 A4 00 00 02 50 99", "6A 82"}, WALK_5032, FR_END};
static const struct fr_step wk_cmd_failed[] = {WALK_5031,
	{"00 B0 00 00 10", "69 82"}, WALK_5032, FR_END};
static const struct fr_step wk_twice[] = {WALK_5031, WALK_5032, FR_END};
static const struct fr_step wk_fid[] = {WALK_5031,
	{"00 A4 00 00 02 41 01", "61 20"}, {"00 C0 00 00 20", FCI_4101 " 90 00"}, WALK_5032, FR_END};
static const struct fr_step wk_delete[] = {WALK_5031,
	{"00 E4 00 00 02 50 31", "90 00"}, WALK_5032, FR_END};

/* OpenSC selects the key file (without FCI) before MSE, which names it by
 * FID and needs only its DF (acos5-card.md §2.4): once an MSE took it, the
 * key file's SELECT sends nothing, also in a later card transaction; the DF
 * is selected again there (another process may have moved the card) */
#define P_KEY "3F00410041F1"
#define SEL_KEY_QUIET {"00 A4 00 00 02 41 F1", "61 20"}
#define MSE_KEY(sw) {"00 22 01 B6 0A 80 01 10 81 02 41 F1 95 01 40", sw}
static const struct fr_step wk_key_known[] = {SEL_MF_QUIET, SEL_4100_QUIET, SEL_KEY_QUIET,
	MSE_KEY("90 00"), SEL_MF_QUIET, SEL_4100_QUIET, MSE_KEY("90 00"), SEL_MF_QUIET, SEL_4100_QUIET,
	MSE_KEY("90 00"), FR_END};
/* a key file gone: MSE refuses it (6A 88), the caller hears what the SELECT
 * would have said (file not found), the next SELECT goes to the card */
static const struct fr_step wk_key_gone[] = {SEL_MF_QUIET, SEL_4100_QUIET, SEL_KEY_QUIET,
	MSE_KEY("90 00"), SEL_MF_QUIET, SEL_4100_QUIET, MSE_KEY("6A 88"), SEL_MF_QUIET,
	SEL_4100_QUIET, {"00 A4 00 00 02 41 F1", "6A 82"}, FR_END};
/* MSE of another FID than the path OpenSC selected: nothing learnt */
static const struct fr_step wk_key_other[] = {SEL_MF_QUIET, SEL_4100_QUIET, SEL_KEY_QUIET,
	{"00 22 01 B6 0A 80 01 10 81 02 41 F2 95 01 40", "90 00"}, SEL_MF_QUIET, SEL_4100_QUIET,
	SEL_KEY_QUIET, FR_END};

static const struct walk_row walk_rows[] = {
	{"walk: a key file MSE took is not selected again", wk_key_known,
			{{W_LOCK}, {W_SEL, P_KEY}, {W_MSE, "41F1"}, {W_UNLOCK}, {W_LOCK}, {W_SEL, P_KEY},
					{W_MSE, "41F1"}, {W_UNLOCK}, {W_LOCK}, {W_SEL, P_KEY}, {W_MSE, "41F1"},
					{W_UNLOCK}}},
	{"walk: a key file MSE refused is selected again", wk_key_gone,
			{{W_LOCK}, {W_SEL, P_KEY}, {W_MSE, "41F1"}, {W_UNLOCK}, {W_LOCK}, {W_SEL, P_KEY},
					{W_MSE, "41F1", SC_ERROR_FILE_NOT_FOUND}, {W_UNLOCK}, {W_LOCK},
					{W_SEL, P_KEY, SC_ERROR_FILE_NOT_FOUND}, {W_UNLOCK}}},
	{"walk: MSE of another key file than the one selected", wk_key_other,
			{{W_LOCK}, {W_SEL, P_KEY}, {W_MSE, "41F2"}, {W_UNLOCK}, {W_LOCK}, {W_SEL, P_KEY},
					{W_UNLOCK}}},
	{"walk: DFs without FCI, second EF of the DF with one SELECT", wk_same_df,
			{{W_LOCK}, {W_SEL_FCI, P_5031}, {W_SEL_FCI, P_5032}, {W_UNLOCK}}},
	{"walk: the DF of the EF selected last, twice: nothing sent", wk_df_again,
			{{W_LOCK}, {W_SEL_FCI, P_5031}, {W_SEL, "3F004100"}, {W_SEL, "3F004100"},
					{W_UNLOCK}}},
	{"walk: on from a DF selected without its FCI", wk_from_df,
			{{W_LOCK}, {W_SEL, "3F004100"}, {W_SEL_FCI, P_5031}, {W_UNLOCK}}},
	{"walk: the same path again for its FCI: last component only", wk_last_fci,
			{{W_LOCK}, {W_SEL, P_5031}, {W_SEL_FCI, P_5031}, {W_UNLOCK}}},
	{"walk: a file of the MF from 4100 starts at the MF (search order)", wk_sibling,
			{{W_LOCK}, {W_SEL_FCI, P_5031}, {W_SEL_FCI, "3F002F00"}, {W_UNLOCK}}},
	{"walk: forgotten after a failed SELECT", wk_sel_failed,
			{{W_LOCK}, {W_SEL_FCI, P_5031}, {W_SEL_FCI, "3F0041005099", SC_ERROR_FILE_NOT_FOUND},
					{W_SEL_FCI, P_5032}, {W_UNLOCK}}},
	{"walk: forgotten after a failed command", wk_cmd_failed,
			{{W_LOCK}, {W_SEL_FCI, P_5031}, {W_READ, NULL, PK_READ_BINARY_ERROR(SC_ERROR_SECURITY_STATUS_NOT_SATISFIED)},
					{W_SEL_FCI, P_5032}, {W_UNLOCK}}},
	{"walk: forgotten in a new transaction", wk_twice,
			{{W_LOCK}, {W_SEL_FCI, P_5031}, {W_UNLOCK}, {W_LOCK}, {W_SEL_FCI, P_5032},
					{W_UNLOCK}}},
	{"walk: not used outside a transaction", wk_twice,
			{{W_SEL_FCI, P_5031}, {W_SEL_FCI, P_5032}}},
	{"walk: forgotten after a card reset", wk_twice,
			{{W_LOCK}, {W_SEL_FCI, P_5031}, {W_RESET}, {W_SEL_FCI, P_5032}, {W_UNLOCK}}},
	{"walk: forgotten after a FID alone", wk_fid,
			{{W_LOCK}, {W_SEL_FCI, P_5031}, {W_SEL_FCI, "4101"}, {W_SEL_FCI, P_5032},
					{W_UNLOCK}}},
	{"walk: forgotten after DELETE FILE", wk_delete,
			{{W_LOCK}, {W_SEL_FCI, P_5031}, {W_DELETE, "5031"}, {W_SEL_FCI, P_5032},
					{W_UNLOCK}}},
};

static int
walk_do(struct sc_card *card, const struct walk_step *st)
{
	struct sc_file *file = NULL;
	struct sc_path path;
	u8 buf[16];
	int r;

	switch (st->op) {
	case W_LOCK:
		return sc_lock(card);
	case W_UNLOCK:
		return sc_unlock(card);
	case W_SEL:
	case W_SEL_FCI:
		sc_format_path(st->path, &path);
		if (path.len == 2)
			path.type = SC_PATH_TYPE_FILE_ID;
		r = sc_select_file(card, &path, st->op == W_SEL_FCI ? &file : NULL);
		sc_file_free(file);
		return r;
	case W_READ:
		return sc_read_binary(card, 0, buf, sizeof(buf), 0);
	case W_DELETE:
		sc_format_path(st->path, &path);
		path.type = SC_PATH_TYPE_FILE_ID;
		return sc_delete_file(card, &path);
	case W_MSE: {
		struct sc_security_env env;

		memset(&env, 0, sizeof(env));
		env.operation = SC_SEC_OPERATION_SIGN;
		env.algorithm = SC_ALGORITHM_RSA;
		env.algorithm_flags = SC_ALGORITHM_RSA_PAD_PKCS1 | SC_ALGORITHM_RSA_HASH_SHA256;
		env.flags = SC_SEC_ENV_FILE_REF_PRESENT;
		sc_format_path(st->path, &env.file_ref);
		return sc_set_security_env(card, &env, 0);
	}
	case W_RESET: /* what apdu.c does when the reader reports a reset */
		return card->ops->card_reader_lock_obtained(card, 1);
	case W_APPS: /* EF.DIR, as sc_pkcs15_bind reads it */
		r = sc_enum_apps(card);
		return r < 0 ? r : 0;
	case W_PUBKEY: { /* sc_pkcs15_read_pubkey of a key file by path */
		u8 *der = NULL;
		size_t derlen = 0;

		sc_format_path(st->path, &path);
		r = card->ops->read_public_key(card, SC_ALGORITHM_RSA, &path, 0, 512, &der, &derlen);
		free(der);
		return r;
	}
	default:
		return SC_ERROR_INTERNAL;
	}
}

static void
test_walk_row(void **state)
{
	struct fr_fx *x = *state;
	const struct walk_row *row = x->row;
	const struct walk_step *st;

	connect_card(&x->f, ATR_V2, init_v2);
	fr_expect(&x->f, row->script);
	for (st = row->steps; st->op != W_END; st++)
		assert_int_equal(walk_do(x->f.card, st), st->rc);
	fr_assert_done(&x->f);
}

/* With the file cache on (within one process; the original ACOS5, which
 * keeps no cache across processes and asks nothing at connect) */
#define AID_ACOS "41 43 4F 53 50 4B 43 53 2D 31 35 76 31 2E 30 30"
#define FCI_2F00 "6F 1E 83 02 2F 00 88 01 00 8A 01 05 82 02 01 00 80 02 00 29" \
		" 8C 08 7F 01 FF 00 FF FF 01 00 AB 00"
/* EF.DIR (read with its SELECT, acos5_prefetch): AID, label, path 3F004100 */
#define EF_DIR_APPS SEL_MF_QUIET, {"00 A4 00 00 02 2F 00", "61 20"}, \
		{"00 C0 00 00 20", FCI_2F00 " 90 00"}, \
		{"00 B0 00 00 29", "61 27 4F 10 " AID_ACOS " 50 0D 70 6B 69 63 61 72 64 73 20 75 73" \
				   " 65 72 51 04 3F 00 41 00 90 00"}
#define SEL_AID_4100 {"00 A4 04 00 10 " AID_ACOS, "61 32"}, {"00 C0 00 00 32", FCI_4100 " 90 00"}
#define FCI_4131_512 "6F 1E 83 02 41 31 88 01 11 8A 01 05 82 02 09 00 80 02 00 4D" \
		" 8C 08 7F 01 FF 00 01 00 01 00 AB 00"
#define M16 " C1 C1 C1 C1 C1 C1 C1 C1 C1 C1 C1 C1 C1 C1 C1 C1"
/* a 512-bit public key file of the original ACOS5 (LSB first): partner 41F1 */
#define PUB_4131 {"00 B0 00 00 4D", "00 04 41 F1 03 03 00 00 00 00 00 00 00" M16 M16 M16 M16 " 90 00"}
#define P_PUB "3F0041004131"

/* EF.DIR named the application DF's path and AID: in the next transaction
 * that DF is selected by its AID with its FCI (no SELECT of the MF), and the
 * walk goes on from it */
static const struct fr_step cw_aid[] = {EF_DIR_APPS, SEL_AID_4100, SEL_5031_FCI, FR_END};
/* the DF of that name is not 4100: walk from the MF */
static const struct fr_step cw_aid_other[] = {EF_DIR_APPS,
	{"00 A4 04 00 10 " AID_ACOS, "61 1A"}, {"00 C0 00 00 1A", FCI_MF " 90 00"},
	SEL_MF_QUIET, RESEL_4100, SEL_5031_FCI, FR_END};
/* no such name: walk from the MF */
static const struct fr_step cw_aid_none[] = {EF_DIR_APPS, {"00 A4 04 00 10 " AID_ACOS, "6A 82"},
	SEL_MF_QUIET, RESEL_4100, SEL_5031_FCI, FR_END};
/* without EF.DIR: the MF, then 4100 with its FCI, as before */
static const struct fr_step cw_no_dir[] = {SEL_MF_QUIET, RESEL_4100, SEL_5031_FCI, FR_END};
/* A public key file names its private key file (acos5-card.md §3.8): that
 * file's SELECT before MSE sends nothing the first time too; the next
 * transaction selects the DF by name for MSE */
#define SEL_NAME_4100 {"00 A4 04 00 10 " AID_ACOS, "61 32"}
static const struct fr_step cw_partner[] = {SEL_MF_QUIET, RESEL_4100,
	{"00 A4 00 00 02 41 31", "61 20"}, {"00 C0 00 00 20", FCI_4131_512 " 90 00"}, PUB_4131,
	SEL_NAME_4100, MSE_KEY("90 00"), FR_END};
/* the key file is not there: MSE refuses it (6A 88), the caller hears what
 * the SELECT would have said (file not found), and the next SELECT goes to
 * the card */
static const struct fr_step cw_partner_gone[] = {SEL_MF_QUIET, RESEL_4100,
	{"00 A4 00 00 02 41 31", "61 20"}, {"00 C0 00 00 20", FCI_4131_512 " 90 00"}, PUB_4131,
	SEL_NAME_4100, MSE_KEY("6A 88"), SEL_NAME_4100, {"00 A4 00 00 02 41 F1", "6A 82"}, FR_END};
/* another key file than the partner: selected as before */
static const struct fr_step cw_partner_other[] = {SEL_MF_QUIET, RESEL_4100,
	{"00 A4 00 00 02 41 31", "61 20"}, {"00 C0 00 00 20", FCI_4131_512 " 90 00"}, PUB_4131,
	SEL_NAME_4100, {"00 A4 00 00 02 41 F2", "61 20"}, FR_END};

/* A public key read from the card: the certificates the certificate
 * directory names in its DF are read in the same transaction; the next
 * transaction's SELECT and READ of one send nothing */
#define FCI_4115 "6F 1E 83 02 41 15 88 01 15 8A 01 05 82 02 01 00 80 02 00 20" \
		" 8C 08 7F 03 FF 00 FF FF 04 00 AB 00"
#define FCI_4120 "6F 1E 83 02 41 20 88 01 00 8A 01 05 82 02 01 00 80 02 00 10" \
		" 8C 08 7F 04 FF 00 FF FF 04 00 AB 00"
#define Z8 " 00 00 00 00 00 00 00 00"
static const struct fr_step cw_certs[] = {SEL_MF_QUIET, RESEL_4100, SEL_5031_FCI,
	{"00 B0 00 00 10", "A5 0A 30 08 04 06 3F 00 41 00 41 15 00 00 00 00 90 00"},
	{"00 A4 00 00 02 41 15", "61 20"}, {"00 C0 00 00 20", FCI_4115 " 90 00"},
	{"00 B0 00 00 20", "30 0E A1 0C 30 0A 30 08 04 06 3F 00 41 00 41 20" Z8 Z8 " 90 00"},
	SEL_NAME_4100, {"00 A4 00 00 02 41 31", "61 20"}, {"00 C0 00 00 20", FCI_4131_512 " 90 00"},
	PUB_4131, {"00 A4 00 00 02 41 20", "61 20"}, {"00 C0 00 00 20", FCI_4120 " 90 00"},
	{"00 B0 00 00 10", "30 0E 04 0C 01 02 03 04 05 06 07 08 09 0A 0B 0C 90 00"}, FR_END};

static const struct walk_row cached_walk_rows[] = {
	{"cached walk: the certificates of a public key's DF are read with it", cw_certs,
			{{W_LOCK}, {W_SEL_FCI, P_5031}, {W_READ, NULL, 16}, {W_UNLOCK}, {W_LOCK},
					{W_PUBKEY, P_PUB}, {W_UNLOCK}, {W_LOCK}, {W_SEL_FCI, "3F0041004120"},
					{W_READ, NULL, 16}, {W_UNLOCK}}},
	{"cached walk: the application DF by EF.DIR's AID", cw_aid,
			{{W_LOCK}, {W_APPS}, {W_UNLOCK}, {W_LOCK}, {W_SEL, "3F004100"}, {W_SEL_FCI, P_5031},
					{W_UNLOCK}}},
	{"cached walk: the AID names another DF", cw_aid_other,
			{{W_LOCK}, {W_APPS}, {W_UNLOCK}, {W_LOCK}, {W_SEL, "3F004100"}, {W_SEL_FCI, P_5031},
					{W_UNLOCK}}},
	{"cached walk: no DF of that AID", cw_aid_none,
			{{W_LOCK}, {W_APPS}, {W_UNLOCK}, {W_LOCK}, {W_SEL, "3F004100"}, {W_SEL_FCI, P_5031},
					{W_UNLOCK}}},
	{"cached walk: no EF.DIR read", cw_no_dir,
			{{W_LOCK}, {W_SEL, "3F004100"}, {W_SEL_FCI, P_5031}, {W_UNLOCK}}},
	{"cached walk: the public key's partner is not selected before MSE", cw_partner,
			{{W_LOCK}, {W_PUBKEY, P_PUB}, {W_UNLOCK}, {W_LOCK}, {W_SEL, P_KEY}, {W_MSE, "41F1"},
					{W_UNLOCK}}},
	{"cached walk: the partner is gone: MSE says file not found", cw_partner_gone,
			{{W_LOCK}, {W_PUBKEY, P_PUB}, {W_UNLOCK}, {W_LOCK}, {W_SEL, P_KEY},
					{W_MSE, "41F1", SC_ERROR_FILE_NOT_FOUND}, {W_UNLOCK}, {W_LOCK},
					{W_SEL, P_KEY, SC_ERROR_FILE_NOT_FOUND}, {W_UNLOCK}}},
	{"cached walk: another key file than the partner", cw_partner_other,
			{{W_LOCK}, {W_PUBKEY, P_PUB}, {W_UNLOCK}, {W_LOCK}, {W_SEL, "3F00410041F2"},
					{W_UNLOCK}}},
};

static void
test_cached_walk_row(void **state)
{
	struct fr_fx *x = *state;
	const struct walk_row *row = x->row;
	const struct walk_step *st;
	char dir[] = "/tmp/pkicards-unit-XXXXXX", conf[64];

	cache_conf(dir, conf, sizeof(conf));
	fr_open_conf(&x->f, pk_get_acos5_driver(), ATR_V1, SC_PROTO_T0, conf);
	assert_int_equal(fr_connect(&x->f), SC_SUCCESS);
	fr_expect(&x->f, row->script);
	for (st = row->steps; st->op != W_END; st++)
		assert_int_equal(walk_do(x->f.card, st), st->rc);
	fr_close(&x->f);
	cache_conf_done(dir, conf);
}

/* SC_CARDCTL_GET_CHV_REFERENCE_IN_SE after walks that left the DF's FCI
 * unread: the DF again with its FCI (its SE file, 8D 41 03), then the SE
 * record (acos5-card.md §3.4) */
#define FCI_4103 "6F 1E 83 02 41 03 88 01 03 8A 01 05 82 06 1C 00 00 38 00 08" \
		" 8C 08 7F 03 FF 00 FF 00 03 00 AB 00"
#define SE_4103_REC1 {"00 A4 00 00 02 41 03", "61 20"}, \
		{"00 C0 00 00 20", FCI_4103 " 90 00"}, \
		{"00 B2 01 04 00", "80 01 01 A4 06 83 01 81 95 01 08 90 00"}
static const struct fr_step chv_after_df[] = {SEL_MF_QUIET, SEL_4100_QUIET, RESEL_4100,
	SE_4103_REC1, FR_END};
static const struct fr_step chv_after_ef[] = {WALK_5031, RESEL_4100, SE_4103_REC1, FR_END};

struct chv_row {
	const char *name;
	const char *path; /* selected first (file_out for an EF) */
	int file_out;
	const struct fr_step *script;
};

static const struct chv_row chv_rows[] = {
	{"SE record: walk ended at 4100 without FCI", "3F004100", 0, chv_after_df},
	{"SE record: walk ended at 5031, 4100 passed without FCI", P_5031, 1, chv_after_ef},
};

static void
test_chv_row(void **state)
{
	struct fr_fx *x = *state;
	const struct chv_row *row = x->row;
	struct sc_file *file = NULL;
	struct sc_path path;
	int se = 1;

	connect_card(&x->f, ATR_V2, init_v2);
	fr_expect(&x->f, row->script);
	assert_int_equal(sc_lock(x->f.card), 0);
	sc_format_path(row->path, &path);
	assert_int_equal(sc_select_file(x->f.card, &path, row->file_out ? &file : NULL), 0);
	sc_file_free(file);
	assert_int_equal(sc_card_ctl(x->f.card, SC_CARDCTL_GET_CHV_REFERENCE_IN_SE, &se), 0x81);
	assert_int_equal(sc_unlock(x->f.card), 0);
	fr_assert_done(&x->f);
}

/* ---- PIN unblock (acos5-card.md §2.3, §3.6) ----------------------------------------- */

#define PUK_11223344 "31 31 32 32 33 33 34 34"
#define PIN_5678 "35 36 37 38 FF FF FF FF"

struct unblock_row {
	const char *name;
	const char *atr;
	const struct fr_step *init;
	int ref;
	const char *puk, *new_pin; /* ASCII; new_pin NULL: none given */
	const struct fr_step *script;
	int rc, tries;
};

/* the walk to 3F00/4100 left the last component's type open: 4100 again,
 * with its FCI, before the PUK is verified there (RESEL_4100) */
static const struct fr_step ub_v1_local[] = {RESEL_4100,
	{"00 20 00 82 08 " PUK_11223344, "90 00"},
	{"00 A4 00 00 02 41 01", "61 20"}, {"00 C0 00 00 20", FCI_4101 " 90 00"},
	{"00 DC 01 04 0A 81 88 " PIN_5678, "90 00"},
	{"80 2E 00 82 00", "90 00"},
	FR_END};
static const struct fr_step ub_v1_global[] = {
	{"00 20 00 02 08 31 32 33 34 35 36 37 38", "90 00"},
	SEL_MF_QUIET, {"00 A4 00 00 02 00 01", "61 20"},
	{"00 DC 01 04 0A 81 88 38 37 36 35 34 33 32 31", "90 00"},
	{"80 2E 00 02 00", "90 00"},
	FR_END};
static const struct fr_step ub_v1_wrong_puk[] = {RESEL_4100,
	{"00 20 00 82 08 " PUK_11223344, "63 C6"}, FR_END};
static const struct fr_step ub_v1_puk_blocked[] = {RESEL_4100,
	{"00 20 00 82 08 " PUK_11223344, "69 83"}, FR_END};
static const struct fr_step ub_v1_update_refused[] = {RESEL_4100,
	{"00 20 00 82 08 " PUK_11223344, "90 00"},
	{"00 A4 00 00 02 41 01", "61 20"}, {"00 C0 00 00 20", FCI_4101 " 90 00"},
	{"00 DC 01 04 0A 81 88 " PIN_5678, "69 82"},
	{"80 2E 00 82 00", "90 00"},
	FR_END};
static const struct fr_step ub_none[] = {FR_END};
static const struct fr_step ub_v2[] = {
	{"00 2C 00 81 10 " PUK_11223344 " " PIN_5678, "90 00"}, FR_END};

static const struct unblock_row unblock_rows[] = {
	{"unblock v1 local: VERIFY PUK 82, rewrite record 1 of 4101, LOGOUT 82", ATR_V1, init_v1,
			0x81, "11223344", "5678", ub_v1_local, 0, -1},
	{"unblock v1 global: VERIFY PUK 02, rewrite record 1 of 3F00/0001, LOGOUT 02", ATR_V1, init_v1,
			0x01, "12345678", "87654321", ub_v1_global, 0, -1},
	{"unblock v1: wrong PUK, nothing written", ATR_V1, init_v1,
			0x81, "11223344", "5678", ub_v1_wrong_puk, SC_ERROR_PIN_CODE_INCORRECT, 6},
	{"unblock v1: PUK blocked", ATR_V1, init_v1,
			0x81, "11223344", "5678", ub_v1_puk_blocked, SC_ERROR_AUTH_METHOD_BLOCKED, -1},
	{"unblock v1: PIN record not writable, PUK logged out", ATR_V1, init_v1,
			0x81, "11223344", "5678", ub_v1_update_refused, SC_ERROR_SECURITY_STATUS_NOT_SATISFIED, -1},
	{"unblock v1: no new PIN, no APDU", ATR_V1, init_v1,
			0x81, "11223344", NULL, ub_none, SC_ERROR_NOT_SUPPORTED, -1},
	{"unblock v1: PIN ID 1F has no PUK record", ATR_V1, init_v1,
			0x9F, "11223344", "5678", ub_none, SC_ERROR_INVALID_ARGUMENTS, -1},
	{"unblock V2: RESET RETRY COUNTER PUK||new", ATR_V2, init_v2,
			0x81, "11223344", "5678", ub_v2, 0, -1},
};

static void
test_unblock_row(void **state)
{
	struct fr_fx *x = *state;
	const struct unblock_row *row = x->row;
	struct sc_pin_cmd_data data;
	struct sc_path path;
	int tries = -1;

	connect_card(&x->f, row->atr, row->init);
	/* one card transaction, as OpenSC's sc_pkcs15_unblock_pin takes it:
	 * the driver knows where the card is only within one */
	assert_int_equal(sc_lock(x->f.card), 0);
	if (row->ref & 0x80) { /* the PIN's DF is the current one */
		fr_expect(&x->f, sel_path_4100_quiet);
		sc_format_path("3F004100", &path);
		assert_int_equal(sc_select_file(x->f.card, &path, NULL), 0);
	}
	log_capture(&x->f);
	fr_expect(&x->f, row->script);
	memset(&data, 0, sizeof(data));
	data.cmd = SC_PIN_CMD_UNBLOCK;
	data.pin_type = SC_AC_CHV;
	data.pin_reference = row->ref;
	data.flags = SC_PIN_CMD_NEED_PADDING;
	data.pin1.data = (const u8 *)row->puk;
	data.pin1.len = strlen(row->puk);
	data.pin1.pad_char = 0xFF;
	data.pin1.pad_length = 8;
	data.pin1.max_length = 8;
	data.pin1.encoding = SC_PIN_ENCODING_ASCII;
	if (row->new_pin) {
		data.pin2.data = (const u8 *)row->new_pin;
		data.pin2.len = strlen(row->new_pin);
	}
	data.pin2.pad_char = 0xFF;
	data.pin2.pad_length = 8;
	data.pin2.max_length = 8;
	data.pin2.encoding = SC_PIN_ENCODING_ASCII;
	assert_int_equal(sc_pin_cmd(x->f.card, &data, &tries), row->rc);
	sc_unlock(x->f.card);
	fr_assert_done(&x->f);
	if (row->tries >= 0)
		assert_int_equal(tries, row->tries);
	assert_log_clean(&x->f, (const u8 *)row->puk, strlen(row->puk));
	if (row->new_pin)
		assert_log_clean(&x->f, (const u8 *)row->new_pin, strlen(row->new_pin));
}

/* ---- PUT KEY (original ACOS5, acos5-card.md §2.1, §3.8) ------------------------------- */

/* A "key" of recognisable bytes (the driver does no arithmetic): n = C0 C1
 * .., e = 01 00 01, p = A7.., q = B7.., dP = 00 D7.. (one leading zero: a
 * byte shorter), dQ = E7.., qInv = F7.. 01 */
struct putkey_fx {
	u8 n[512], e[3], p[256], q[256], dp[256], dq[256], qinv[256];
	struct pk_acos5_import imp;
};

static void
putkey_init(struct putkey_fx *k, unsigned int bits)
{
	size_t i;

	memset(k, 0, sizeof(*k));
	for (i = 0; i < sizeof(k->n); i++)
		k->n[i] = (u8)(0xC0 + (i & 0x0F));
	k->e[0] = 0x01;
	k->e[2] = 0x01;
	for (i = 0; i < bits / 16; i++) {
		k->p[i] = 0xA7;
		k->q[i] = 0xB7;
		k->dp[i] = i ? 0xD7 : 0x00;
		k->dq[i] = 0xE7;
		k->qinv[i] = (u8)(i == bits / 16 - 1 ? 0x01 : 0xF7);
	}
	k->imp.priv_fid = 0x41F1;
	k->imp.pub_fid = 0x4131;
	k->imp.bits = bits;
	k->imp.n = (struct pk_bn){k->n, bits / 8};
	k->imp.e = (struct pk_bn){k->e, sizeof(k->e)};
	k->imp.p = (struct pk_bn){k->p, bits / 16};
	k->imp.q = (struct pk_bn){k->q, bits / 16};
	k->imp.dp = (struct pk_bn){k->dp, bits / 16};
	k->imp.dq = (struct pk_bn){k->dq, bits / 16};
	k->imp.qinv = (struct pk_bn){k->qinv, bits / 16};
}

static char *
hexof(char *out, const char *head, const u8 *p, size_t n)
{
	size_t i, o = (size_t)sprintf(out, "%s", head);

	for (i = 0; i < n; i++)
		o += (size_t)sprintf(out + o, " %02X", p[i]);
	return out;
}

/* The key file images the card must receive: v1 little-endian */
static size_t
v1_images(const struct putkey_fx *k, u8 *priv, u8 *pub)
{
	const u8 *parts[5] = {k->p, k->q, k->dp, k->dq, k->qinv};
	size_t h = k->imp.bits / 16, n = k->imp.bits / 8, i, j, o = 0;

	priv[o++] = 0x07;
	priv[o++] = (u8)(k->imp.bits / 128);
	priv[o++] = 0x41;
	priv[o++] = 0x31;
	priv[o++] = 0x03;
	for (i = 0; i < 5; i++)
		for (j = 0; j < h; j++)
			priv[o++] = parts[i][h - 1 - j];
	o = 0;
	pub[o++] = 0x00;
	pub[o++] = (u8)(k->imp.bits / 128);
	pub[o++] = 0x41;
	pub[o++] = 0xF1;
	pub[o++] = 0x03;
	pub[o++] = 0x01; /* e = 65537, 8 bytes LSB first */
	pub[o++] = 0x00;
	pub[o++] = 0x01;
	for (i = 0; i < 5; i++)
		pub[o++] = 0x00;
	for (j = 0; j < n; j++)
		pub[o++] = k->n[n - 1 - j];
	return o;
}

#define FCI_KEY(fid, size) "6F 1E 83 02 " fid " 88 01 00 8A 01 01 82 02 09 00 80 02 " size \
		" 8C 08 7F 01 FF 00 01 00 01 00 AB 00 90 00"

/* 1024 bits: private file 5 + 320 bytes in two commands (90 DA 00 00 FF,
 * 80 DA 00 FF 46), public 13 + 128 in one; private then public, twice */
static void
test_put_key_v1_1024(void **state)
{
	static char hex[4][2048];
	static struct fr_step script[15];
	struct fr_fx *x = *state;
	struct putkey_fx k;
	u8 priv[5 + 320], pub[13 + 128];
	size_t i = 0, pass;

	putkey_init(&k, 1024);
	assert_int_equal(v1_images(&k, priv, pub), sizeof(pub));
	hexof(hex[0], "90 DA 00 00 FF", priv, 255);
	hexof(hex[1], "80 DA 00 FF 46", priv + 255, sizeof(priv) - 255);
	hexof(hex[2], "80 DA 00 00 8D", pub, sizeof(pub));
	for (pass = 0; pass < 2; pass++) {
		script[i++] = (struct fr_step){"00 A4 00 00 02 41 F1", "61 20"};
		script[i++] = (struct fr_step){"00 C0 00 00 20", FCI_KEY("41 F1", "01 45")};
		script[i++] = (struct fr_step){hex[0], "90 00"};
		script[i++] = (struct fr_step){hex[1], "90 00"};
		script[i++] = (struct fr_step){"00 A4 00 00 02 41 31", "61 20"};
		script[i++] = (struct fr_step){"00 C0 00 00 20", FCI_KEY("41 31", "00 8D")};
		script[i++] = (struct fr_step){hex[2], "90 00"};
	}
	script[i] = (struct fr_step)FR_END;
	connect_card(&x->f, ATR_V1, init_v1);
	log_capture(&x->f);
	fr_expect(&x->f, script);
	assert_int_equal(sc_card_ctl(x->f.card, PK_CARDCTL_ACOS5_PUT_KEY, &k.imp), 0);
	fr_assert_done(&x->f);
	assert_log_clean(&x->f, k.p, 8);
	assert_log_clean(&x->f, k.dq, 8);
	assert_log_clean(&x->f, priv + 5, 8); /* p as sent */
}

/* 512 bits: one command per file */
static void
test_put_key_v1_512(void **state)
{
	static char hex[2][1024];
	static struct fr_step script[13];
	struct fr_fx *x = *state;
	struct putkey_fx k;
	u8 priv[5 + 160], pub[13 + 64];
	size_t i = 0, pass;

	putkey_init(&k, 512);
	v1_images(&k, priv, pub);
	hexof(hex[0], "80 DA 00 00 A5", priv, sizeof(priv));
	hexof(hex[1], "80 DA 00 00 4D", pub, sizeof(pub));
	for (pass = 0; pass < 2; pass++) {
		script[i++] = (struct fr_step){"00 A4 00 00 02 41 F1", "61 20"};
		script[i++] = (struct fr_step){"00 C0 00 00 20", FCI_KEY("41 F1", "00 A5")};
		script[i++] = (struct fr_step){hex[0], "90 00"};
		script[i++] = (struct fr_step){"00 A4 00 00 02 41 31", "61 20"};
		script[i++] = (struct fr_step){"00 C0 00 00 20", FCI_KEY("41 31", "00 4D")};
		script[i++] = (struct fr_step){hex[1], "90 00"};
	}
	script[i] = (struct fr_step)FR_END;
	connect_card(&x->f, ATR_V1, init_v1);
	fr_expect(&x->f, script);
	assert_int_equal(sc_card_ctl(x->f.card, PK_CARDCTL_ACOS5_PUT_KEY, &k.imp), 0);
}

/* The card refuses the private key file (69 82): nothing more is sent */
static void
test_put_key_v1_refused(void **state)
{
	static char hex[1024];
	static struct fr_step script[4];
	struct fr_fx *x = *state;
	struct putkey_fx k;
	u8 priv[5 + 160], pub[13 + 64];

	putkey_init(&k, 512);
	v1_images(&k, priv, pub);
	script[0] = (struct fr_step){"00 A4 00 00 02 41 F1", "61 20"};
	script[1] = (struct fr_step){"00 C0 00 00 20", FCI_KEY("41 F1", "00 A5")};
	script[2] = (struct fr_step){hexof(hex, "80 DA 00 00 A5", priv, sizeof(priv)), "69 82"};
	script[3] = (struct fr_step)FR_END;
	connect_card(&x->f, ATR_V1, init_v1);
	fr_expect(&x->f, script);
	assert_int_equal(sc_card_ctl(x->f.card, PK_CARDCTL_ACOS5_PUT_KEY, &k.imp),
			SC_ERROR_SECURITY_STATUS_NOT_SATISFIED);
}

struct putkey_row {
	const char *name;
	const char *atr;
	const struct fr_step *init, *script;
	unsigned int bits;
	int long_p; /* p one byte longer than N/2 */
	int rc;
};

static const struct fr_step pk_small_file[] = {
	{"00 A4 00 00 02 41 F1", "61 20"}, {"00 C0 00 00 20", FCI_KEY("41 F1", "00 A4")}, FR_END};

static const struct putkey_row putkey_rows[] = {
	{"PUT KEY: ACOS5-64 V2 has none, no APDU", ATR_V2, init_v2, ub_none, 1024, 0, SC_ERROR_NOT_SUPPORTED},
	{"PUT KEY: V3 has none, no APDU", ATR_V3, init_v3_64k, ub_none, 1024, 0, SC_ERROR_NOT_SUPPORTED},
	{"PUT KEY: v1 does not take 4096 bits", ATR_V1, init_v1, ub_none, 4096, 0, SC_ERROR_NOT_SUPPORTED},
	{"PUT KEY: p longer than N/2, no APDU", ATR_V1, init_v1, ub_none, 512, 1, SC_ERROR_INVALID_ARGUMENTS},
	{"PUT KEY: key file too small, nothing written", ATR_V1, init_v1, pk_small_file, 512, 0,
			SC_ERROR_FILE_TOO_SMALL},
};

static void
test_putkey_row(void **state)
{
	struct fr_fx *x = *state;
	const struct putkey_row *row = x->row;
	struct putkey_fx k;
	static u8 big[65];

	putkey_init(&k, row->bits);
	if (row->long_p) {
		memset(big, 0xA7, sizeof(big));
		k.imp.p = (struct pk_bn){big, row->bits / 16 + 1};
	}
	connect_card(&x->f, row->atr, row->init);
	fr_expect(&x->f, row->script);
	assert_int_equal(sc_card_ctl(x->f.card, PK_CARDCTL_ACOS5_PUT_KEY, &k.imp), row->rc);
	fr_assert_done(&x->f);
}

int
main(void)
{
	const struct CMUnitTest misc[] = {
		cmocka_unit_test_setup_teardown(test_card_ctl_unsupported, fr_fx_setup, fr_fx_teardown),
		cmocka_unit_test_setup_teardown(test_connect_cache_cold, fr_fx_setup, fr_fx_teardown),
		cmocka_unit_test_setup_teardown(test_select_no_file_out, fr_fx_setup, fr_fx_teardown),
		cmocka_unit_test_setup_teardown(test_challenge_steps_of_8, fr_fx_setup, fr_fx_teardown),
		cmocka_unit_test_setup_teardown(test_challenge_short_answer, fr_fx_setup, fr_fx_teardown),
		cmocka_unit_test_setup_teardown(test_challenge_error_sw, fr_fx_setup, fr_fx_teardown),
		cmocka_unit_test_setup_teardown(test_no_answer_card_removed, fr_fx_setup, fr_fx_teardown),
		cmocka_unit_test_setup_teardown(test_no_answer_card_mute, fr_fx_setup, fr_fx_teardown),
		cmocka_unit_test_setup_teardown(test_status_words, fr_fx_setup, fr_fx_teardown),
		cmocka_unit_test_setup_teardown(test_put_key_v1_1024, fr_fx_setup, fr_fx_teardown),
		cmocka_unit_test_setup_teardown(test_put_key_v1_512, fr_fx_setup, fr_fx_teardown),
		cmocka_unit_test_setup_teardown(test_put_key_v1_refused, fr_fx_setup, fr_fx_teardown),
	};
	int r = 0;

	r |= UNIT_RUN_ROWS_FIXTURE("acos5 connect", connect_rows, test_connect_row,
			fr_fx_setup, fr_fx_teardown);
	r |= UNIT_RUN_ROWS_FIXTURE("acos5 GET SERIALNR", serial_rows, test_serial_row,
			fr_fx_setup, fr_fx_teardown);
	r |= UNIT_RUN_ROWS_FIXTURE("acos5 select_file", select_rows, test_select_row,
			fr_fx_setup, fr_fx_teardown);
	r |= UNIT_RUN_ROWS_FIXTURE("acos5 remembered walk", walk_rows, test_walk_row,
			fr_fx_setup, fr_fx_teardown);
	r |= UNIT_RUN_ROWS_FIXTURE("acos5 walk with the file cache", cached_walk_rows,
			test_cached_walk_row, fr_fx_setup, fr_fx_teardown);
	r |= UNIT_RUN_ROWS_FIXTURE("acos5 SE record of the current DF", chv_rows, test_chv_row,
			fr_fx_setup, fr_fx_teardown);
	r |= UNIT_RUN_ROWS_FIXTURE("acos5 list_files", list_rows, test_list_row,
			fr_fx_setup, fr_fx_teardown);
	r |= UNIT_RUN_ROWS_FIXTURE("acos5 PIN unblock", unblock_rows, test_unblock_row,
			fr_fx_setup, fr_fx_teardown);
	r |= UNIT_RUN_ROWS_FIXTURE("acos5 PUT KEY", putkey_rows, test_putkey_row,
			fr_fx_setup, fr_fx_teardown);
	r |= cmocka_run_group_tests_name("acos5 misc", misc, NULL, NULL);
	return r ? 1 : 0;
}
