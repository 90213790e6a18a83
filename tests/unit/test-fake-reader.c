/*
 * test-fake-reader.c: the fake reader encodes C-APDUs as reader-pcsc.c does
 * (apdu.c sc_apdu2bytes in OpenSC 0.23.0): P3=00 for case 1 on T=0, no Le
 * for case 4 on T=0, 3-byte extended lengths on T=1.
 *
 * Copyright (C) 2026 pkicards contributors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "unit.h"

#include "libopensc/opensc.h"
#include "fake-reader.h"

#define T0 SC_PROTO_T0
#define T1 SC_PROTO_T1

struct enc_row {
	const char *name;
	unsigned int proto;
	int cse;
	size_t lc, le; /* data: lc bytes 00 01 02 ... */
	int rc;        /* < 0: error */
	const char *hex;
};

static const struct enc_row enc_rows[] = {
	{"T=0 case 3 extended with Lc 256 needs ENVELOPE", T0, SC_APDU_CASE_3_EXT, 256, 0,
			SC_ERROR_INVALID_ARGUMENTS},
	{"unresolved case 4 (no short/extended)", T1, SC_APDU_CASE_4, 1, 1,
			SC_ERROR_INVALID_ARGUMENTS},
	{"T=0 case 1 sends P3 00", T0, SC_APDU_CASE_1, 0, 0, 0, "80140500 00"},
	{"T=1 case 1 is the header", T1, SC_APDU_CASE_1, 0, 0, 0, "80140500"},
	{"T=0 case 2 short", T0, SC_APDU_CASE_2_SHORT, 0, 8, 0, "80140500 08"},
	{"T=1 case 2 short Le 256 is 00", T1, SC_APDU_CASE_2_SHORT, 0, 256, 0, "80140500 00"},
	{"T=1 case 2 extended", T1, SC_APDU_CASE_2_EXT, 0, 0x200, 0, "80140500 000200"},
	{"T=1 case 2 extended Le 65536", T1, SC_APDU_CASE_2_EXT, 0, 0x10000, 0, "80140500 000000"},
	{"T=0 case 2 extended looks short", T0, SC_APDU_CASE_2_EXT, 0, 0x102, 0, "80140500 02"},
	{"T=0 case 3 short", T0, SC_APDU_CASE_3_SHORT, 2, 0, 0, "80140500 02 0001"},
	{"T=1 case 3 short", T1, SC_APDU_CASE_3_SHORT, 2, 0, 0, "80140500 02 0001"},
	{"T=1 case 3 extended", T1, SC_APDU_CASE_3_EXT, 2, 0, 0, "80140500 000002 0001"},
	{"T=0 case 3 extended looks short", T0, SC_APDU_CASE_3_EXT, 2, 0, 0, "80140500 02 0001"},
	{"T=0 case 4 short drops Le", T0, SC_APDU_CASE_4_SHORT, 2, 256, 0, "80140500 02 0001"},
	{"T=1 case 4 short keeps Le", T1, SC_APDU_CASE_4_SHORT, 2, 256, 0, "80140500 02 0001 00"},
	{"T=1 case 4 extended", T1, SC_APDU_CASE_4_EXT, 2, 0x200, 0, "80140500 000002 0001 0200"},
	{"T=0 case 4 extended drops Le", T0, SC_APDU_CASE_4_EXT, 2, 0x200, 0, "80140500 02 0001"},
};

static void
test_enc_row(void **state)
{
	const struct enc_row *row = *state;
	static u8 data[300], out[FR_MAX_APDU];
	sc_apdu_t apdu;
	int n;
	size_t i;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (u8)i;
	memset(&apdu, 0, sizeof(apdu));
	apdu.cse = row->cse;
	apdu.cla = 0x80, apdu.ins = 0x14, apdu.p1 = 0x05, apdu.p2 = 0x00;
	apdu.lc = apdu.datalen = row->lc;
	apdu.data = row->lc ? data : NULL;
	apdu.le = row->le;
	n = fr_encode_apdu(&apdu, row->proto, out, sizeof(out));
	if (row->rc < 0) {
		assert_int_equal(n, row->rc);
		return;
	}
	assert_true(n > 0);
	assert_hex_equal(out, (size_t)n, row->hex);
}

int
main(void)
{
	return UNIT_RUN_ROWS("fake reader APDU encoding", enc_rows, test_enc_row) ? 1 : 0;
}
