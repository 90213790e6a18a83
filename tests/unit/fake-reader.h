/*
 * fake-reader.h: an in-process reader for driver unit tests.
 *
 * Built only from symbols that Debian's libopensc.so.8 exports
 * (doc/opensc-plugin.md §3.5): the reader is calloc'ed with our
 * own ops and never added to ctx->readers; ctx->forced_driver selects the
 * driver under test and sc_connect_card() does the rest.
 *
 * The reader's transmit encodes each C-APDU exactly as reader-pcsc.c hands
 * it to PC/SC (sc_apdu2bytes rules for T=0 and T=1), compares it with the
 * next step of an expected script and answers the canned R-APDU. A C-APDU
 * that differs from the script fails the running cmocka test with both
 * APDUs in hex; fr_close() fails the test if steps were left unconsumed.
 *
 * Copyright (C) 2026 pkicards contributors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef FAKE_READER_H
#define FAKE_READER_H

#include <stddef.h>

#include "libopensc/opensc.h"

/** One exchange: C-APDU and R-APDU (data then SW1 SW2), hex; spaces and
 * colons are ignored. An empty R-APDU ("") is a reader that hands back no
 * answer at all: the transmit fails as reader-pcsc.c's does for fewer than
 * two bytes (SC_ERROR_UNKNOWN_DATA_RECEIVED). */
struct fr_step {
	const char *capdu;
	const char *rapdu;
};

#define FR_END {NULL, NULL}
#define FR_MAX_STEPS 64
#define FR_MAX_APDU (5 + 65535 + 3)

struct fr {
	sc_context_t *ctx;
	sc_reader_t *reader;
	sc_card_t *card;
	unsigned int proto; /* SC_PROTO_T0 or SC_PROTO_T1 */
	u8 atr[SC_MAX_ATR_SIZE];
	size_t atr_len;
	const struct fr_step *steps[FR_MAX_STEPS];
	size_t nsteps, pos;
	int card_gone; /* the reader's presence check reports no card */
};

/** Create a context (OPENSC_CONF=/dev/null) and an unconnected reader
 * holding a card with @p atr_hex, spoken to with @p proto. Fails the test
 * on error. */
void fr_open(struct fr *f, struct sc_card_driver *drv, const char *atr_hex,
		unsigned int proto);
/** fr_open() with the OpenSC configuration file @p conf instead of none */
void fr_open_conf(struct fr *f, struct sc_card_driver *drv, const char *atr_hex,
		unsigned int proto, const char *conf);
/** Append the steps up to FR_END to the expected script */
void fr_expect(struct fr *f, const struct fr_step *steps);
/** sc_connect_card() through the fake reader; @return its result */
int fr_connect(struct fr *f);
/** Fail the test unless every expected step has been consumed */
void fr_assert_done(struct fr *f);
/** fr_assert_done(), then disconnect, free the reader, release the context */
void fr_close(struct fr *f);

/** cmocka fixture: a reader per test; the test's initial state (a table
 * row, or NULL) stays reachable as row. Teardown is fr_close(). */
struct fr_fx {
	const void *row;
	struct fr f;
};
int fr_fx_setup(void **state);
int fr_fx_teardown(void **state);

/** Encode @p apdu as reader-pcsc.c sends it for @p proto. @return length,
 * or a negative SC_ERROR_* */
int fr_encode_apdu(const sc_apdu_t *apdu, unsigned int proto, u8 *out, size_t outlen);

#endif
