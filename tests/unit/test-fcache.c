/*
 * test-fcache.c: the drivers' file cache (driver/pk-fcache.c): where a
 * padded PKCS#15 file's content ends, what is served from memory, how
 * writes keep it right, and that a persisted cache that does not parse is
 * refused as a whole.
 *
 * Copyright (C) 2026 pkicards contributors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "unit.h"

#include "libopensc/errors.h"
#include "pk-fcache.h"

/* ---- content end ----------------------------------------------------------- */

struct end_row {
	const char *name;
	const char *hex; /* the first bytes of the file */
	int rc;
	size_t end;
};

static const struct end_row end_rows[] = {
	/* not such a sequence: nothing is cut */
	{"00 inside the padding is followed by data", "3003020101 00 00 41", -1},
	{"indefinite length", "3080 00", -1},
	{"length of 4 bytes", "3084000000010100", -1},
	{"tag of 4 bytes", "1F818181 00 00", -1},
	/* more needed */
	{"the object runs past what is known", "3082 0100 0102", 0},
	{"objects end exactly at the end of what is known", "3003 020101", 0},
	{"header cut in the length", "3082 01", 0},
	{"all 00, fewer than 128 bytes", "0000000000000000", 0},
	/* ends */
	{"one object, then 00", "3003020101 0000", 1, 5},
	{"two objects (an ODF), then 00", "A0 06 3004 0402 4401 A1 06 3004 0402 4402 00", 1, 16},
	{"a certificate of 81 form, then 00", "30 81 03 020101 00 00 00", 1, 6},
	{"EF.DIR record, then 00", "61 03 4F 01 AA 00", 1, 5},
};

static void
test_end_row(void **state)
{
	const struct end_row *row = *state;
	u8 buf[256];
	size_t n = unit_hex(row->hex, buf, sizeof(buf)), end = 999;

	assert_int_equal(pk_fcache_content_end(buf, n, &end), row->rc);
	if (row->rc == 1)
		assert_int_equal(end, row->end);
}

static void
test_end_all_zero(void **state)
{
	u8 buf[200] = {0};
	size_t end = 999;

	(void)state;
	assert_int_equal(pk_fcache_content_end(buf, sizeof(buf), &end), 1);
	assert_int_equal(end, 0);
}

/* ---- entries ------------------------------------------------------------------ */

static const u8 path_cdf[] = {0x3F, 0x00, 0x41, 0x00, 0x41, 0x15};

/* A 1000-byte file holding a 6-byte object and 00s: read in 4-byte chunks */
static void
test_learn_stops_at_padding(void **state)
{
	struct pk_fcache fc;
	struct pk_fcache_entry *e;
	u8 file[1000] = {0x30, 0x04, 0x02, 0x02, 0x01, 0x02}, out[16];

	(void)state;
	memset(&fc, 0, sizeof(fc));
	e = pk_fcache_add(&fc, path_cdf, sizeof(path_cdf));
	assert_non_null(e);
	pk_fcache_set_fci(&fc, e, (const u8 *)"\x6F\x00", 2, sizeof(file), 1);
	assert_int_equal(pk_fcache_read(e, 0, out, 4), -1); /* nothing known yet */
	pk_fcache_learn(&fc, e, 0, file, 4);
	assert_false(e->complete);
	assert_int_equal(pk_fcache_read(e, 0, out, 4), 4);
	assert_int_equal(pk_fcache_read(e, 0, out, 8), -1); /* partly known: the card answers */
	pk_fcache_learn(&fc, e, 8, file + 8, 4); /* not contiguous: ignored */
	assert_int_equal(e->datalen, 4);
	pk_fcache_learn(&fc, e, 4, file + 4, 4);
	assert_true(e->complete);
	assert_int_equal(e->end, 6);
	/* within what was read: the content and the padding after it, as the
	 * card answers (a writer looks for the 00 after the objects) */
	assert_int_equal(pk_fcache_read(e, 0, out, 8), 8);
	assert_hex_equal(out, 8, "3004020201020000");
	assert_int_equal(pk_fcache_read(e, 0, out, 6), 6);
	assert_int_equal(pk_fcache_read(e, 6, out, 2), 2);
	assert_hex_equal(out, 2, "0000");
	/* past what was read: the content only, never an answer that ends
	 * inside the padding (OpenSC refuses an ODF ending in one 00 byte) */
	assert_int_equal(pk_fcache_read(e, 0, out, 16), 6);
	assert_hex_equal(out, 6, "300402020102");
	assert_int_equal(pk_fcache_read(e, 0, out, 7), 7);
	assert_int_equal(pk_fcache_read(e, 6, out, 16), 0); /* end of the content */
	assert_int_equal(pk_fcache_read(e, 8, out, 16), 0);
	assert_int_equal(pk_fcache_read(e, 512, out, 16), 0);
	/* a write inside the content keeps its end */
	pk_fcache_written(e, 2, (const u8 *)"\x03", 1);
	assert_true(e->complete);
	assert_int_equal(e->end, 6);
	assert_int_equal(pk_fcache_read(e, 0, out, 16), 6);
	assert_hex_equal(out, 6, "300403020102");
	/* a write over the padding: where the content now ends is not known */
	pk_fcache_written(e, 6, (const u8 *)"\x04\x00", 2);
	assert_false(e->complete);
	assert_int_equal(pk_fcache_read(e, 0, out, 16), -1);
	/* a write beyond what is known: the content is forgotten */
	pk_fcache_written(e, 100, (const u8 *)"\x01", 1);
	assert_false(e->complete);
	assert_int_equal(pk_fcache_read(e, 0, out, 4), -1);
	pk_fcache_free(&fc);
}

static void
test_exact_size_and_drop(void **state)
{
	static const u8 df[] = {0x3F, 0x00, 0x41, 0x00};
	struct pk_fcache fc;
	struct pk_fcache_entry *e;
	u8 out[8];

	(void)state;
	memset(&fc, 0, sizeof(fc));
	e = pk_fcache_add(&fc, path_cdf, sizeof(path_cdf));
	pk_fcache_set_fci(&fc, e, (const u8 *)"\x6F\x00", 2, 3, 1);
	pk_fcache_learn(&fc, e, 0, (const u8 *)"\x01\x02\x03", 3);
	assert_true(e->complete); /* the whole file, whatever its bytes */
	assert_int_equal(pk_fcache_read(e, 1, out, 8), 2);
	/* another FCI with another size: another file, its content unknown */
	pk_fcache_set_fci(&fc, e, (const u8 *)"\x6F\x01\x00", 3, 4, 1);
	assert_false(e->complete);
	assert_non_null(pk_fcache_add(&fc, df, sizeof(df)));
	pk_fcache_drop(&fc, df, sizeof(df)); /* the DF and all below it */
	assert_null(pk_fcache_get(&fc, path_cdf, sizeof(path_cdf)));
	assert_null(pk_fcache_get(&fc, df, sizeof(df)));
	pk_fcache_free(&fc);
}

/* ---- persisted form ----------------------------------------------------------- */

struct parse_row {
	const char *name;
	const char *text;
	int rc;
	int entries;
};

#define MAGIC "pkicards file cache 1\n"
#define FP "f 0102\n"
#define E1 "e 3F0041005032 6F00 3 1 1 1 3 303100\n"

static const struct parse_row parse_rows[] = {
	{"empty", "", SC_ERROR_INVALID_DATA},
	{"other magic", "pkicards file cache 2\n" FP, SC_ERROR_INVALID_DATA},
	{"no fingerprint", MAGIC E1, SC_ERROR_INVALID_DATA},
	{"no final newline", MAGIC FP "e 3F00 - 0 0 0 0 0 -", SC_ERROR_INVALID_DATA},
	{"odd hex", MAGIC FP "e 3F0 - 0 0 0 0 0 -\n", SC_ERROR_INVALID_DATA},
	{"lower-case hex", MAGIC FP "e 3f00 - 0 0 0 0 0 -\n", SC_ERROR_INVALID_DATA},
	{"path too long", MAGIC FP "e 3F00" "1111111111111111111111111111111111" " - 0 0 0 0 0 -\n",
			SC_ERROR_INVALID_DATA},
	{"data longer than the file", MAGIC FP "e 3F002F00 - 2 1 0 0 0 010203\n", SC_ERROR_INVALID_DATA},
	{"end beyond the data", MAGIC FP "e 3F002F00 - 9 1 0 1 5 0102\n", SC_ERROR_INVALID_DATA},
	{"flag not 0 or 1", MAGIC FP "e 3F002F00 - 0 2 0 0 0 -\n", SC_ERROR_INVALID_DATA},
	{"a field too many", MAGIC FP "e 3F002F00 - 0 0 0 0 0 - x\n", SC_ERROR_INVALID_DATA},
	{"the same path twice", MAGIC FP E1 E1, SC_ERROR_INVALID_DATA},
	{"unknown line", MAGIC FP "x 1\n", SC_ERROR_INVALID_DATA},
	{"a good entry before a bad one: none kept", MAGIC FP E1 "e zz\n", SC_ERROR_INVALID_DATA},
	{"fingerprint only", MAGIC FP, 0, 0},
	{"two entries", MAGIC FP E1 "e 3F00 6F00 0 0 0 0 0 -\n", 0, 2},
};

static void
test_parse_row(void **state)
{
	const struct parse_row *row = *state;
	struct pk_fcache fc;
	const struct pk_fcache_entry *e;
	int n = 0;

	memset(&fc, 0, sizeof(fc));
	assert_int_equal(pk_fcache_parse(&fc, (const u8 *)row->text, strlen(row->text)), row->rc);
	for (e = fc.head; e; e = e->next)
		n++;
	assert_int_equal(n, row->entries);
	if (row->rc == 0) {
		assert_int_equal(fc.fplen, 2);
		assert_hex_equal(fc.fp, 2, "0102");
	}
	if (row->entries == 2) {
		static const u8 ti[] = {0x3F, 0x00, 0x41, 0x00, 0x50, 0x32};
		u8 out[4];

		e = pk_fcache_get(&fc, ti, sizeof(ti));
		assert_non_null(e);
		assert_true(e->validator && e->pub && e->complete);
		assert_int_equal(pk_fcache_read(e, 0, out, 4), 3);
		assert_hex_equal(out, 3, "303100");
	}
	pk_fcache_free(&fc);
}

/* The object directories an ODF names: paths of Path entries only (the
 * layouts of our ACOS5 and StarCOS personalisation, a direct value skipped),
 * from the MF: a relative one joined onto the ODF's DF, one that would not
 * fit a path skipped */
static void
test_odf_paths(void **state)
{
	static const u8 odfpath[] = {0x3F, 0x00, 0x41, 0x00, 0x50, 0x31};
	u8 odf[128], paths[4][SC_MAX_PATH_SIZE];
	size_t lens[4], n;

	(void)state;
	n = unit_hex("A80A300804063F0041004111 A00A300804063F0041004112"
		     "A1083006040441134114 A7053003020101 A4023000", odf, sizeof(odf));
	assert_int_equal(pk_fcache_odf_paths(odf, n, odfpath, sizeof(odfpath), paths, lens, 4), 3);
	assert_hex_equal(paths[0], lens[0], "3F0041004111");
	assert_hex_equal(paths[1], lens[1], "3F0041004112");
	assert_hex_equal(paths[2], lens[2], "3F00410041134114");
	assert_int_equal(pk_fcache_odf_paths(odf, n, odfpath, sizeof(odfpath), paths, lens, 1), 1);
	/* no DF to join a relative path onto: only the absolute ones */
	assert_int_equal(pk_fcache_odf_paths(odf, n, odfpath, 0, paths, lens, 4), 2);
	/* a relative path of 14 bytes does not fit after the 4 of 3F00 4100,
	 * and does after the 2 of 3F00 (an ODF 3F00 4100) */
	n = unit_hex("A0123010040E4401440244034404440544064407", odf, sizeof(odf));
	assert_int_equal(pk_fcache_odf_paths(odf, n, odfpath, sizeof(odfpath), paths, lens, 4), 0);
	assert_int_equal(pk_fcache_odf_paths(odf, n, odfpath, 4, paths, lens, 4), 1);
	assert_hex_equal(paths[0], lens[0], "3F004401440244034404440544064407");
	n = unit_hex("A80A3008", odf, sizeof(odf)); /* runs past its end */
	assert_true(pk_fcache_odf_paths(odf, n, odfpath, sizeof(odfpath), paths, lens, 4) < 0);
}

/* An EF known to exist without its FCI (ACOS5: a key file an MSE took) is
 * persisted as an entry without FCI; an entry with an FCI is not such a note */
static void
test_ef_exists(void **state)
{
	static const u8 key[] = {0x3F, 0x00, 0x41, 0x00, 0x41, 0xF1};
	static const char text[] = MAGIC FP "e 3F00410041F1 - 0 0 0 0 0 -\n" E1;
	static const u8 ti[] = {0x3F, 0x00, 0x41, 0x00, 0x50, 0x32};
	struct pk_fcache fc;
	const struct pk_fcache_entry *e;

	(void)state;
	memset(&fc, 0, sizeof(fc));
	assert_int_equal(pk_fcache_parse(&fc, (const u8 *)text, strlen(text)), 0);
	e = pk_fcache_get(&fc, key, sizeof(key));
	assert_non_null(e);
	assert_true(e->ef_exists && !e->fcilen && !e->missing);
	e = pk_fcache_get(&fc, ti, sizeof(ti));
	assert_non_null(e);
	assert_false(e->ef_exists);
	pk_fcache_free(&fc);

	/* noted in a process: kept, and the cache is to be saved */
	memset(&fc, 0, sizeof(fc));
	pk_fcache_ef_exists(&fc, key, sizeof(key));
	e = pk_fcache_get(&fc, key, sizeof(key));
	assert_non_null(e);
	assert_true(e->ef_exists && fc.dirty);
	pk_fcache_drop(&fc, key, sizeof(key));
	assert_null(pk_fcache_get(&fc, key, sizeof(key)));
	pk_fcache_free(&fc);
}

/* EF(TokenInfo)'s lastUpdate: found in our layout, absent or of another
 * form (nothing to rewrite in place), malformed */
struct last_row {
	const char *name;
	int rc;
	size_t off;
};

static const struct last_row last_rows[] = {
	{"our layout", 1, 64},
	{"no lastUpdate", 0},
	{"referenced time", 0},
	{"time of another length", 0},
	{"empty lastUpdate", 0},
	{"runs past its end", SC_ERROR_INVALID_ASN1_OBJECT},
	{"not a SEQUENCE", SC_ERROR_INVALID_ASN1_OBJECT},
	{"empty", SC_ERROR_INVALID_ASN1_OBJECT},
};

static void
test_last_row(void **state)
{
	const struct last_row *row = *state;
	u8 buf[256];
	size_t n = unit_vector("fcache-last-update", row->name, buf, sizeof(buf)), off = 999;

	assert_int_equal(pk_fcache_last_update(buf, n, &off), row->rc);
	if (row->rc == 1) {
		assert_int_equal(off, row->off);
		assert_memory_equal(buf + off, "20261205063000Z", PK_FCACHE_STAMP_LEN);
	}
}

/* The stamp is the UTC time, and never the time already there */
static void
test_stamp(void **state)
{
	u8 out[PK_FCACHE_STAMP_LEN];

	(void)state;
	pk_fcache_stamp((const u8 *)"20000101000000Z", (time_t)1796452200, out);
	assert_memory_equal(out, "20261205063000Z", sizeof(out));
	pk_fcache_stamp((const u8 *)"20261205063000Z", (time_t)1796452200, out);
	assert_memory_equal(out, "20261205063001Z", sizeof(out));
	pk_fcache_stamp((const u8 *)"20261205063000Z", (time_t)951868799, out); /* a leap day */
	assert_memory_equal(out, "20000229235959Z", sizeof(out));
	pk_fcache_stamp((const u8 *)"20000229235959Z", (time_t)951868799, out);
	assert_memory_equal(out, "20000301000000Z", sizeof(out));
	pk_fcache_stamp((const u8 *)"20000101000000Z", (time_t)0, out);
	assert_memory_equal(out, "19700101000000Z", sizeof(out));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_odf_paths),
		cmocka_unit_test(test_end_all_zero),
		cmocka_unit_test(test_learn_stops_at_padding),
		cmocka_unit_test(test_exact_size_and_drop),
		cmocka_unit_test(test_ef_exists),
		cmocka_unit_test(test_stamp),
	};
	int r = 0;

	r |= UNIT_RUN_ROWS("content end", end_rows, test_end_row);
	r |= cmocka_run_group_tests(tests, NULL, NULL);
	r |= UNIT_RUN_ROWS("persisted form", parse_rows, test_parse_row);
	r |= UNIT_RUN_ROWS("lastUpdate", last_rows, test_last_row);
	return r;
}
