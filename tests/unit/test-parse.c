/*
 * test-parse.c: the pure response parsers (acos5-parse, starcos-parse).
 *
 * ACOS5 FCIs are the real bytes of doc/acos5-card.md §3.2 (the same
 * as the CryptoMate64 dump in tests/traces/acos5-09.log); file-info and OS
 * version records follow acos5-card.md §1 and §2.2. StarCOS FCIs/FCPs are built
 * from starcos-card.md §3.1.1 (2.x) and §3.2 (3.x). Every field is asserted.
 *
 * Copyright (C) 2026 pkicards contributors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "unit.h"

#include "libopensc/errors.h"
#include "acos5-parse.h"
#include "starcos-parse.h"

#define BAD SC_ERROR_INVALID_DATA

/* ---- acos5_parse_fci ------------------------------------------------------ */

#define F_SIZE ACOS5_FCI_HAS_SIZE
#define F_SAC ACOS5_FCI_HAS_SAC
#define F_SE ACOS5_FCI_HAS_SE
#define F_LCSI ACOS5_FCI_HAS_LCSI
#define F_SFI ACOS5_FCI_HAS_SFI

struct fci_row {
	const char *name;
	int rc;
	unsigned int flags, fid, fdb, dcb, mrl, nor;
	size_t size;
	unsigned int sfi, lcsi, se_fid;
	const char *scb;  /* 7 bytes, index = AM bit 0..6 */
	const char *dfname;
};

#define NO_SCB "00 00 00 00 00 00 00"

static const struct fci_row fci_rows[] = {
	/* malformed */
	{"fci: empty", BAD},
	{"fci: outer tag neither 6F nor 62", BAD},
	{"fci: outer length past the data", BAD},
	{"fci: no FDB", BAD},
	{"fci: FDB of 0 bytes", BAD},
	{"fci: FDB of 3 bytes", BAD},
	{"fci: FDB of 4 bytes", BAD},
	{"fci: FDB of 7 bytes", BAD},
	{"fci: FID of 1 byte", BAD},
	{"fci: FID of 3 bytes", BAD},
	{"fci: size of 1 byte", BAD},
	{"fci: size of 3 bytes", BAD},
	{"fci: SFI of 2 bytes", BAD},
	{"fci: LCSI of 0 bytes", BAD},
	{"fci: SE FID of 1 byte", BAD},
	{"fci: SAC AM bit 7 set", BAD},
	{"fci: SAC one SCB missing", BAD},
	{"fci: SAC one SCB too many", BAD},
	{"fci: DF name of 17 bytes", BAD},
	{"fci: inner TLV cut short", BAD},
	/* real cards (acos5-card.md §3.2) */
	{"fci: MF",
			0, F_SFI | F_LCSI | F_SE | F_SAC, 0x3F00, 0x3F, 0, 0, 0, 0, 0, 0x01, 0x0003,
			NO_SCB, ""},
	{"fci: DF 4100",
			0, F_SFI | F_LCSI | F_SE | F_SAC, 0x4100, 0x38, 0, 0, 0, 0, 0, 0x05, 0x4103,
			"01 01 01 01 00 FF 03", "41 43 4F 53 50 4B 43 53 2D 31 35 76 31 2E 30 30"},
	{"fci: EF.DIR 2F00",
			0, F_SFI | F_LCSI | F_SIZE | F_SAC, 0x2F00, 0x01, 0, 0, 0, 0x21, 0, 0x05, 0,
			"00 01 FF 01 01 FF 01", ""},
	{"fci: PIN file 4101",
			0, F_SFI | F_LCSI | F_SAC, 0x4101, 0x0A, 0, 0x15, 0x01, 0, 0x01, 0x05, 0,
			"FF 01 FF FF 00 FF 03", ""},
	{"fci: SE file 4103",
			0, F_SFI | F_LCSI | F_SAC, 0x4103, 0x1C, 0, 0x38, 0x08, 0, 0x03, 0x05, 0,
			"00 03 00 FF 00 FF 03", ""},
	{"fci: RSA public key 4131",
			0, F_SFI | F_LCSI | F_SIZE | F_SAC, 0x4131, 0x09, 0, 0, 0, 0x215, 0x11, 0x05, 0,
			"00 01 00 01 00 FF 01", ""},
	/* other accepted forms */
	{"fci: FCP 62 as for CREATE FILE",
			0, 0, 0x5031, 0x01, 0, 0, 0, 0, 0, 0, 0, NO_SCB, ""},
	{"fci: 5-byte record descriptor",
			0, 0, 0, 0x02, 0x01, 0x20, 0x04, 0, 0, 0, 0, NO_SCB, ""},
	{"fci: 1-byte FDB, empty SFI, AM 41",
			0, F_SFI | F_SAC, 0, 0x04, 0, 0, 0, 0, 0, 0, 0, "87 00 00 00 00 00 05", ""},
	{"fci: AM 00 has no SCBs",
			0, F_SAC, 0, 0x01, 0, 0, 0, 0, 0, 0, 0, NO_SCB, ""},
};

static void
test_fci_row(void **state)
{
	const struct fci_row *row = *state;
	u8 in[128];
	size_t n = unit_vector("acos5-fci", row->name, in, sizeof(in));
	struct acos5_fci fci;

	memset(&fci, 0xA5, sizeof(fci));
	assert_int_equal(acos5_parse_fci(in, n, &fci), row->rc);
	if (row->rc != 0)
		return;
	assert_int_equal(fci.flags, row->flags);
	assert_int_equal(fci.fid, row->fid);
	assert_int_equal(fci.fdb, row->fdb);
	assert_int_equal(fci.dcb, row->dcb);
	assert_int_equal(fci.mrl, row->mrl);
	assert_int_equal(fci.nor, row->nor);
	assert_int_equal(fci.size, row->size);
	assert_int_equal(fci.sfi, row->sfi);
	assert_int_equal(fci.lcsi, row->lcsi);
	assert_int_equal(fci.se_fid, row->se_fid);
	assert_hex_equal(fci.scb, sizeof(fci.scb), row->scb);
	assert_hex_equal(fci.name, fci.name_len, row->dfname);
}

/* ---- acos5_parse_file_info (80 14 02 idx 08) ------------------------------ */

struct info_row {
	const char *name;
	int rc;
	unsigned int fdb, dcb, fid, size_or_mrl_nor, sfi, lcsi;
};

static const struct info_row info_rows[] = {
	{"file info: empty", BAD},
	{"file info: 7 bytes", BAD},
	{"file info: 9 bytes", BAD},
	{"file info: EF.DIR", 0, 0x01, 0x00, 0x2F00, 0x0021, 0x00, 0x05},
	{"file info: DF 4100 with its SE file", 0, 0x38, 0x00, 0x4100, 0x4103, 0x00, 0x05},
	{"file info: PIN file MRL|NOR", 0, 0x0A, 0x00, 0x4101, 0x1501, 0x01, 0x05},
	{"file info: RSA key created", 0, 0x09, 0x00, 0x41F1, 0x0505, 0x00, 0x01},
};

static void
test_info_row(void **state)
{
	const struct info_row *row = *state;
	u8 in[16];
	size_t n = unit_vector("acos5-file-info", row->name, in, sizeof(in));
	struct acos5_file_info fi;

	memset(&fi, 0, sizeof(fi));
	assert_int_equal(acos5_parse_file_info(in, n, &fi), row->rc);
	if (row->rc != 0)
		return;
	assert_int_equal(fi.fdb, row->fdb);
	assert_int_equal(fi.dcb, row->dcb);
	assert_int_equal(fi.fid, row->fid);
	assert_int_equal(fi.size_or_mrl_nor, row->size_or_mrl_nor);
	assert_int_equal(fi.sfi, row->sfi);
	assert_int_equal(fi.lcsi, row->lcsi);
}

/* ---- acos5_parse_os_version (80 14 06 00 08) ------------------------------ */

struct os_row {
	const char *name;
	int rc;
	unsigned int major, minor, cap;
};

static const struct os_row os_rows[] = {
	{"os version: empty", SC_ERROR_INVALID_CARD},
	{"os version: magic cut short", SC_ERROR_INVALID_CARD},
	{"os version: not ACOS", SC_ERROR_INVALID_CARD},
	{"os version: not family 05", SC_ERROR_INVALID_CARD},
	{"os version: 7 bytes", BAD},
	{"os version: 9 bytes", BAD},
	{"os version: V2 CryptoMate64", 0, 2, 0, 0x40},
	{"os version: V3 64K mode", 0, 3, 1, 0x40},
	{"os version: V3 FIPS mode", 0, 3, 0, 0x40},
	{"os version: EVO revision 2", 0, 4, 0x20, 0xC0},
};

static void
test_os_row(void **state)
{
	const struct os_row *row = *state;
	u8 in[16];
	size_t n = unit_vector("acos5-os-version", row->name, in, sizeof(in));
	struct acos5_os_version v;

	memset(&v, 0, sizeof(v));
	assert_int_equal(acos5_parse_os_version(in, n, &v), row->rc);
	if (row->rc != 0)
		return;
	assert_int_equal(v.major, row->major);
	assert_int_equal(v.minor, row->minor);
	assert_int_equal(v.cap, row->cap);
}

static void
test_fdb_is_df(void **state)
{
	static const struct {
		unsigned int fdb;
		int df;
	} t[] = {{0x3F, 1}, {0x38, 1}, {0x00, 0}, {0x01, 0}, {0x02, 0}, {0x09, 0},
			{0x0A, 0}, {0x0C, 0}, {0x1C, 0}, {0x39, 0}, {0xFF, 0}};
	size_t i;

	for (i = 0; i < N_ELEM(t); i++)
		assert_int_equal(acos5_fdb_is_df(t[i].fdb), t[i].df);
}

/* ---- starcos2_parse_fci / starcos3_parse_fcp ------------------------------- */

enum { S2 = 2, S3 = 3 };

struct sfci_row {
	const char *name;
	int gen;
	int rc;
	enum starcos_ftype type;
	int has_fid;
	unsigned int fid;
	size_t size;
	unsigned int reclen, nrec;
	int has_lcs;
	unsigned int lcs;
	const char *dfname;
};

static const struct sfci_row sfci_rows[] = {
	/* malformed, 2.x */
	{"2.x: empty", S2, BAD},
	{"2.x: outer tag 6E", S2, BAD},
	{"2.x: outer length past the data", S2, BAD},
	{"2.x: empty FCI is no file", S2, BAD},
	{"2.x: no FDB", S2, BAD},
	{"2.x: 1-byte FDB of a record file", S2, BAD},
	{"2.x: 2-byte FDB", S2, BAD},
	{"2.x: 3-byte FDB of unknown type", S2, BAD},
	{"2.x: size of 0 bytes", S2, BAD},
	{"2.x: size of 3 bytes", S2, BAD},
	{"2.x: FID of 1 byte", S2, BAD},
	{"2.x: name of 17 bytes", S2, BAD},
	/* 2.x (starcos-card.md §3.1.1) */
	{"2.x: transparent EF", S2,
			0, STARCOS_FT_TRANSPARENT, 1, 0x5031, 0x80, 0, 0, 0, 0, ""},
	{"2.x: object EF 11 is transparent", S2,
			0, STARCOS_FT_TRANSPARENT, 0, 0, 0x100, 0, 0, 0, 0, ""},
	{"2.x: linear fixed 02 21 reclen", S2,
			0, STARCOS_FT_LINEAR_FIXED, 0, 0, 0x40, 0x10, 0, 0, 0, ""},
	{"2.x: compute records 17 are linear fixed", S2,
			0, STARCOS_FT_LINEAR_FIXED, 0, 0, 0, 0x08, 0, 0, 0, ""},
	{"2.x: cyclic 07", S2,
			0, STARCOS_FT_CYCLIC, 0, 0, 0, 0x0C, 0, 0, 0, ""},
	{"2.x: EF with a name and LCS", S2,
			0, STARCOS_FT_TRANSPARENT, 0, 0, 0, 0, 0, 1, 0x05, "A0000001"},
	/* malformed, 3.x */
	{"3.x: empty FCP is no file", S3, BAD},
	{"3.x: 2-byte FDB", S3, BAD},
	{"3.x: 4-byte FDB", S3, BAD},
	{"3.x: 1-byte FDB of unknown type", S3, BAD},
	{"3.x: 5-byte FDB of unknown type", S3, BAD},
	{"3.x: FID of 3 bytes", S3, BAD},
	{"3.x: LCS of 2 bytes", S3, BAD},
	{"3.x: C5 size of 3 bytes", S3, BAD},
	{"3.x: inner TLV past the FCP", S3, BAD},
	/* 3.x (starcos-card.md §3.2) */
	{"3.x: EF.GDO transparent", S3,
			0, STARCOS_FT_TRANSPARENT, 1, 0x2F02, 0x0C, 0, 0, 1, 0x05, ""},
	{"3.x: size from C5 alone", S3,
			0, STARCOS_FT_TRANSPARENT, 1, 0xC000, 0x100, 0, 0, 0, 0, ""},
	{"3.x: 80 wins over an earlier C5", S3,
			0, STARCOS_FT_TRANSPARENT, 0, 0, 0x10, 0, 0, 0, 0, ""},
	{"3.x: 80 wins over a later C5", S3,
			0, STARCOS_FT_TRANSPARENT, 0, 0, 0x10, 0, 0, 0, 0, ""},
	{"3.x: linear fixed xx 41 reclen nrec", S3,
			0, STARCOS_FT_LINEAR_FIXED, 1, 0x0015, 0xA0, 0x20, 5, 0, 0, ""},
	{"3.x: linear variable", S3,
			0, STARCOS_FT_LINEAR_VARIABLE, 0, 0, 0x90, 0x30, 3, 0, 0, ""},
	{"3.x: cyclic", S3,
			0, STARCOS_FT_CYCLIC, 0, 0, 0x50, 0x08, 0x0A, 0, 0, ""},
	{"3.x: record size from 80 beats reclen*nrec", S3,
			0, STARCOS_FT_LINEAR_FIXED, 0, 0, 0x100, 0x20, 5, 0, 0, ""},
	{"3.x: DF in an FCP", S3,
			0, STARCOS_FT_DF, 1, 0xDF01, 0, 0, 0, 1, 0x05, ""},
	{"3.x: DF with an empty FCI", S3,
			0, STARCOS_FT_DF, 0, 0, 0, 0, 0, 0, 0, ""},
	{"3.x: DF FCI with the eSign AID", S3,
			0, STARCOS_FT_DF, 0, 0, 0, 0, 0, 0, 0, "A0 00 00 02 45 53 69 67 6E"},
};

static void
test_sfci_row(void **state)
{
	const struct sfci_row *row = *state;
	u8 in[128];
	size_t n = unit_vector(row->gen == S2 ? "starcos2-fci" : "starcos3-fcp", row->name, in, sizeof(in));
	struct starcos_fci fci;
	int r;

	memset(&fci, 0xA5, sizeof(fci));
	r = row->gen == S2 ? starcos2_parse_fci(in, n, &fci) : starcos3_parse_fcp(in, n, &fci);
	assert_int_equal(r, row->rc);
	if (row->rc != 0)
		return;
	assert_int_equal(fci.type, row->type);
	assert_int_equal(fci.has_fid, row->has_fid);
	assert_int_equal(fci.fid, row->fid);
	assert_int_equal(fci.size, row->size);
	assert_int_equal(fci.record_len, row->reclen);
	assert_int_equal(fci.record_count, row->nrec);
	assert_int_equal(fci.has_lcs, row->has_lcs);
	assert_int_equal(fci.lcs, row->lcs);
	assert_hex_equal(fci.name, fci.name_len, row->dfname);
}

/* ---- starcos_parse_gdo_serial (EF.GDO, starcos-card.md §2.5) -------------------- */

struct gdo_row {
	const char *name;
	int rc;
	const char *sn;
};

static const struct gdo_row gdo_rows[] = {
	{"gdo: empty", SC_ERROR_OBJECT_NOT_FOUND},
	{"gdo: no 5A", SC_ERROR_OBJECT_NOT_FOUND},
	{"gdo: empty 5A", SC_ERROR_OBJECT_NOT_FOUND},
	{"gdo: malformed before 5A", BAD},
	{"gdo: 5A cut short", BAD},
	{"gdo: ICCSN of 10 BCD bytes", 0,
			"12 34 56 78 90 12 34 56 78 90"},
	{"gdo: ICCSN after the holder name", 0, "0102"},
	{"gdo: zero padding after the ICCSN", 0, "0102"},
};

static void
test_gdo_row(void **state)
{
	const struct gdo_row *row = *state;
	u8 in[64];
	size_t n = unit_vector("starcos-gdo", row->name, in, sizeof(in)), sn_len = 0;
	const u8 *sn = NULL;

	assert_int_equal(starcos_parse_gdo_serial(in, n, &sn, &sn_len), row->rc);
	if (row->rc != 0)
		return;
	assert_true(sn >= in && sn + sn_len <= in + n);
	assert_hex_equal(sn, sn_len, row->sn);
}

/* ---- starcos2_parse_pubkey (READ PUBLIC KEY / IPF entry, starcos-card.md §2.2, §3.1.1) -- */

struct pub2_row {
	const char *name;
	int rc;
	unsigned int kid;
	const char *n_le, *e_le;
};

/* inputs: tests/vectors/starcos2-pubkey.vec (mostly KID 91, an 8-byte
 * modulus, e = 65537: template length 8 + 8 + 3 + 1 = 0x14) */

static const struct pub2_row pub2_rows[] = {
	{"pub2: empty", BAD},
	{"pub2: header cut short", BAD},
	{"pub2: template length without bit 8000", BAD},
	{"pub2: template longer than the data", BAD},
	{"pub2: template too short for its tags", BAD},
	{"pub2: wrong first tag", BAD},
	{"pub2: wrong modulus tag", BAD},
	{"pub2: wrong exponent tag", BAD},
	{"pub2: modulus length 0", BAD},
	{"pub2: exponent length byte 1 (no exponent)", BAD},
	{"pub2: modulus longer than the template", BAD},
	{"pub2: exponent cut off", BAD},
	{"pub2: 8-byte modulus, e 65537", 0, 0x91,
			"01 02 03 04 05 06 07 88", "01 00 01"},
	{"pub2: without the trailing CPI", 0, 0x91,
			"01 02 03 04 05 06 07 88", "01 00 01"},
	{"pub2: exponent 3, no padding byte", 0, 0x92, "11 22 33 44", "03"},
};

static void
test_pub2_row(void **state)
{
	const struct pub2_row *row = *state;
	struct starcos2_pubkey k;
	u8 in[128];
	size_t n = unit_vector("starcos2-pubkey", row->name, in, sizeof(in));

	assert_int_equal(starcos2_parse_pubkey(in, n, &k), row->rc);
	if (row->rc != 0)
		return;
	assert_int_equal(k.kid, row->kid);
	assert_true(k.n_le >= in && k.n_le + k.n_len <= in + n);
	assert_true(k.e_le >= in && k.e_le + k.e_len <= in + n);
	assert_hex_equal(k.n_le, k.n_len, row->n_le);
	assert_hex_equal(k.e_le, k.e_len, row->e_le);
}

/* ---- starcos2_ac_for_pin / starcos2_pin_state (starcos-card.md §3.1.2) -------------- */

static const struct {
	unsigned int ref;
	u8 state, ac;
} ac_rows[] = {
	{0x01, 0x01, 0x01}, /* SO PIN: state 1 */
	{0x81, 0x01, 0x11}, /* the same, DF-local */
	{0x03, 0x0E, 0x0E}, /* PIN KID 3: 0F - 1 */
	{0x83, 0x0E, 0x1E},
	{0x85, 0x0D, 0x1D},
	{0x8F, 0x08, 0x18},
};

static void
test_ac_for_pin(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < N_ELEM(ac_rows); i++) {
		assert_int_equal(starcos2_pin_state(ac_rows[i].ref), ac_rows[i].state);
		assert_int_equal(starcos2_ac_for_pin(ac_rows[i].ref), ac_rows[i].ac);
	}
}

int
main(void)
{
	const struct CMUnitTest misc[] = {
		cmocka_unit_test(test_fdb_is_df),
		cmocka_unit_test(test_ac_for_pin),
	};
	int r = 0;

	r |= UNIT_RUN_ROWS("acos5_parse_fci", fci_rows, test_fci_row);
	r |= UNIT_RUN_ROWS("acos5_parse_file_info", info_rows, test_info_row);
	r |= UNIT_RUN_ROWS("acos5_parse_os_version", os_rows, test_os_row);
	r |= cmocka_run_group_tests_name("acos5_fdb_is_df", misc, NULL, NULL);
	r |= UNIT_RUN_ROWS("starcos2_parse_fci/starcos3_parse_fcp", sfci_rows, test_sfci_row);
	r |= UNIT_RUN_ROWS("starcos_parse_gdo_serial", gdo_rows, test_gdo_row);
	r |= UNIT_RUN_ROWS("starcos2_parse_pubkey", pub2_rows, test_pub2_row);
	return r ? 1 : 0;
}
