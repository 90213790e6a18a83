/*
 * pk-card.h: helpers shared by the card drivers of this plug-in.
 *
 * Copyright (C) 2026 pkicards contributors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef PK_CARD_H
#define PK_CARD_H

#include "libopensc/opensc.h"
#include "pk-buf.h"

/* Card types of this plug-in: outside every range OpenSC uses (cards.h), so
 * that OpenSC's type-keyed code (emulators, pkcs15-lib) never mistakes them. */
enum {
	PK_CARD_TYPE_ACOS5_BASE = 61000,
	PK_CARD_TYPE_ACOS5_V1,
	PK_CARD_TYPE_ACOS5_64_V2,
	PK_CARD_TYPE_ACOS5_64_V3,
	PK_CARD_TYPE_STARCOS_BASE = 62000,
	PK_CARD_TYPE_STARCOS_SPK23,
	PK_CARD_TYPE_STARCOS_SPK24,
	PK_CARD_TYPE_STARCOS_3_4,
	PK_CARD_TYPE_STARCOS_3_5,
};

#define PK_ACOS5_SHORT_NAME "acos5_ext"
#define PK_STARCOS_SHORT_NAME "starcos_ext"

struct sc_card_driver *pk_get_acos5_driver(void);
struct sc_card_driver *pk_get_starcos_driver(void);

/**
 * pkcs15-init --generate-key rsa/BITS of a size @p card does not generate:
 * OpenSC refuses it with "Not supported" alone before any module code runs.
 * Called by a driver once it knows the card's generation and mode (its
 * algorithm list is filled): the sizes the card does generate go to
 * stderr. Nothing in any other program.
 */
void pk_card_explain_keygen(struct sc_card *card);

/**
 * pkcs15-init --update-certificate of a certificate that is a value in the
 * certificate directory, not a file (our SPK 2.x layout): OpenSC selects
 * the certificate's empty path and says only "Invalid arguments". Called by
 * a driver asked to select an empty path: in that program, with that
 * option, what to do instead goes to stderr. Nothing otherwise.
 */
void pk_card_explain_update_cert(struct sc_card *card);

/**
 * A PIN command that sets a new PIN (change, unblock with a new PIN): the
 * new PIN must be printable ASCII (pk_text_pin_len), else it is refused
 * before any APDU, with what to do on stderr. VERIFY is never refused: a
 * card may hold such a PIN from elsewhere.
 * @return 0, or SC_ERROR_KEYPAD_PIN_MISMATCH (OpenSC's code that PKCS#11
 *   reports as CKR_PIN_INVALID and its minidriver as SCARD_E_INVALID_CHV)
 */
int pk_card_check_new_pin(struct sc_card *card, const struct sc_pin_cmd_data *data);

/**
 * Map a status word through a family's table, then through ISO 7816.
 * @param[in] table rows {SW, SC_ERROR_*, text}, terminated by a zero SW
 */
int pk_check_sw_table(struct sc_card *card, const struct sc_card_error *table,
		unsigned int sw1, unsigned int sw2);
/** Look up one SW in a table: the row, or NULL. */
const struct sc_card_error *pk_sw_lookup(const struct sc_card_error *table,
		unsigned int sw);

/**
 * Format an APDU from a built data field (may be NULL) and a response buffer.
 * The case follows from the lengths, as sc_format_apdu_ex does.
 */
void pk_apdu(struct sc_apdu *apdu, u8 cla, u8 ins, u8 p1, u8 p2,
		const struct pk_buf *data, u8 *resp, size_t resplen);
/** Transmit and map the SW with the card's check_sw. @return 0 or error */
int pk_transmit(struct sc_card *card, struct sc_apdu *apdu);

/* Status words a command answers with (a count in SW2, tries left, more
 * data waiting): (sw & mask) == value. A list ends with PK_SW_END. */
struct pk_sw_class {
	unsigned int value, mask;
};
#define PK_SW_END {0, 0xFFFF}
#define PK_SW_ANY {0, 0} /* every status word is the answer */
#define PK_SW1(sw) ((unsigned int)(sw) >> 8)
#define PK_SW2(sw) ((unsigned int)(sw) & 0xFF)
/**
 * The one way an APDU goes to the card: like pk_transmit, but a status word
 * of a class in @p answers is the command's answer, not an error: 0, and
 * the status word in @p sw. Every other status word goes through the
 * driver's translation (check_sw); those it takes for success (90 00 ...)
 * also give 0 and @p sw.
 */
int pk_transmit_sw(struct sc_card *card, struct sc_apdu *apdu,
		const struct pk_sw_class *answers, unsigned int *sw);
/** The driver's translation of a status word (its check_sw) */
int pk_sw_error(struct sc_card *card, unsigned int sw);

/** Store a serial number in card->serialnr. */
int pk_set_serial(struct sc_card *card, const u8 *sn, size_t len);
/** SC_CARDCTL_GET_SERIALNR from card->serialnr. */
int pk_get_serial(struct sc_card *card, struct sc_serial_number *out);

/** GET CHALLENGE of 8 bytes (both families): @return bytes given, or error */
int pk_get_challenge(struct sc_card *card, u8 *rnd, size_t len);

/**
 * A card lost during a card transaction (pk-guard.c): from attach (driver
 * init) to detach (driver finish), the first transport failure of a
 * transaction is reported as "Card was removed" or "Card was reset" and
 * no further APDU of that transaction is sent.
 */
void pk_guard_attach(struct sc_card *card);
void pk_guard_detach(struct sc_card *card);
/** PK_CARDCTL_LOST: the error of the last transaction since attach that
 * lost the card, 0: none */
int pk_guard_lost(struct sc_card *card);

#endif
