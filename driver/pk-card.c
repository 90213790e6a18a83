/*
 * pk-card.c: helpers shared by the card drivers of this plug-in.
 *
 * Copyright (C) 2026 pkicards contributors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "libopensc/internal.h"
#include "libopensc/log.h"
#include "pk-args.h"
#include "pk-card.h"
#include "pk-compat.h"
#include "pk-text.h"

const struct sc_card_error *
pk_sw_lookup(const struct sc_card_error *table, unsigned int sw)
{
	for (; table && table->SWs != 0; table++) {
		if (table->SWs == sw)
			return table;
	}
	return NULL;
}

int
pk_check_sw_table(struct sc_card *card, const struct sc_card_error *table,
		unsigned int sw1, unsigned int sw2)
{
	const struct sc_card_error *row = pk_sw_lookup(table, sw1 << 8 | sw2);

	if (row) {
		if (row->errorno != SC_SUCCESS)
			sc_log(card->ctx, "%02X %02X: %s", sw1, sw2, row->errorstr);
		return row->errorno;
	}
	return sc_get_iso7816_driver()->ops->check_sw(card, sw1, sw2);
}

void
pk_apdu(struct sc_apdu *apdu, u8 cla, u8 ins, u8 p1, u8 p2,
		const struct pk_buf *data, u8 *resp, size_t resplen)
{
	const u8 *d = data ? data->data : NULL;
	size_t dlen = data ? data->len : 0;

	sc_format_apdu_ex(apdu, cla, ins, p1, p2, d, dlen, resp, resplen);
}

/*
 * A command the card did not answer: no status word came back. OpenSC's
 * PC/SC layer reports a removed card only when the reader returns an error;
 * a reader that hands back an empty answer (vpcd does, when the card leaves
 * during the command) ends as SC_ERROR_UNKNOWN_DATA_RECEIVED, which OpenSC's
 * minidriver turns into an internal error. Name it for what it is: the card
 * is gone (SC_ERROR_CARD_REMOVED, SCARD_W_REMOVED_CARD on Windows) or, still
 * in the reader, mute (SC_ERROR_CARD_UNRESPONSIVE, SCARD_W_UNRESPONSIVE_CARD).
 */
static int
pk_no_answer(struct sc_card *card, int r)
{
	int present;

	if (r != SC_ERROR_UNKNOWN_DATA_RECEIVED && r != SC_ERROR_TRANSMIT_FAILED)
		return r;
	present = card->reader ? sc_detect_card_presence(card->reader) : SC_ERROR_INTERNAL;
	if (present >= 0 && !(present & SC_READER_CARD_PRESENT)) {
		sc_log(card->ctx, "no answer: the card has left the reader");
		return SC_ERROR_CARD_REMOVED;
	}
	sc_log(card->ctx, "no answer from the card");
	return SC_ERROR_CARD_UNRESPONSIVE;
}

int
pk_transmit_sw(struct sc_card *card, struct sc_apdu *apdu,
		const struct pk_sw_class *answers, unsigned int *sw)
{
	unsigned int got;
	int r = sc_transmit_apdu(card, apdu);

	if (r < 0)
		r = pk_no_answer(card, r);
	LOG_TEST_RET(card->ctx, r, "APDU transmit failed");
	got = apdu->sw1 << 8 | apdu->sw2;
	if (sw)
		*sw = got;
	for (; answers && (answers->value || answers->mask != 0xFFFF); answers++) {
		if ((got & answers->mask) == answers->value)
			return 0;
	}
	return pk_sw_error(card, got);
}

int
pk_transmit(struct sc_card *card, struct sc_apdu *apdu)
{
	return pk_transmit_sw(card, apdu, NULL, NULL);
}

int
pk_sw_error(struct sc_card *card, unsigned int sw)
{
	return sc_check_sw(card, PK_SW1(sw), PK_SW2(sw));
}

int
pk_set_serial(struct sc_card *card, const u8 *sn, size_t len)
{
	if (len == 0 || len > sizeof(card->serialnr.value))
		return SC_ERROR_INVALID_DATA;
	memcpy(card->serialnr.value, sn, len);
	card->serialnr.len = len;
	return 0;
}

int
pk_get_serial(struct sc_card *card, struct sc_serial_number *out)
{
	if (!out)
		return SC_ERROR_INVALID_ARGUMENTS;
	if (card->serialnr.len == 0)
		return SC_ERROR_OBJECT_NOT_FOUND;
	*out = card->serialnr;
	return 0;
}

int
pk_get_challenge(struct sc_card *card, u8 *rnd, size_t len)
{
	struct sc_apdu apdu;
	u8 buf[8];
	size_t n = len < sizeof(buf) ? len : sizeof(buf);
	int r;

	sc_format_apdu_ex(&apdu, 0x00, 0x84, 0x00, 0x00, NULL, 0, buf, sizeof(buf));
	r = pk_transmit(card, &apdu);
	LOG_TEST_RET(card->ctx, r, "GET CHALLENGE failed");
	if (apdu.resplen != sizeof(buf))
		LOG_TEST_RET(card->ctx, SC_ERROR_INVALID_DATA, "GET CHALLENGE: short answer");
	memcpy(rnd, buf, n);
	sc_mem_clear(buf, sizeof(buf));
	return (int)n;
}

/* The RSA sizes @p card generates on board, from OpenSC's algorithm list
 * (which the drivers fill per generation and mode): "512 to 4096 bits in
 * steps of 256", "2048, 3072 bits" or "" */
static void
pk_card_keygen_sizes(const struct sc_card *card, char *text, size_t len)
{
	unsigned int first = 0, last = 0, step = 0, uniform = 1;
	size_t n = 0, count = 0;
	int i;

	text[0] = '\0';
	for (i = 0; i < card->algorithm_count; i++) {
		const struct sc_algorithm_info *a = &card->algorithms[i];
		unsigned int bits = PK_ALG_BITS(a);

		if (a->algorithm != SC_ALGORITHM_RSA || !(a->flags & SC_ALGORITHM_ONBOARD_KEY_GEN))
			continue;
		if (count == 1)
			step = bits - last;
		else if (count > 1 && bits - last != step)
			uniform = 0;
		if (!count)
			first = bits;
		last = bits;
		count++;
		if (n < len)
			n += (size_t)snprintf(text + n, len - n, "%s%u", n ? ", " : "", bits);
	}
	if (count >= 3 && uniform && step)
		snprintf(text, len, "%u to %u bits in steps of %u", first, last, step);
	else if (count && n < len)
		snprintf(text + n, len - n, " bits");
}

void
pk_card_explain_keygen(struct sc_card *card)
{
	char *args, spec[32], text[160];
	const char *v = NULL;
	size_t len = 0, vlen = 0;
	unsigned long bits;
	char *end;
	int i;

	if (!card->ctx->app_name || strcmp(card->ctx->app_name, "pkcs15-init") != 0)
		return;
	args = pk_args_own(&len);
	if (!args)
		return;
	if (pk_args_option(args, len, "generate-key", &v, &vlen) == 0 && vlen > 3 && vlen < sizeof(spec) &&
			strncasecmp(v, "rsa", 3) == 0) {
		/* pkcs15-init's key spec: rsa, an optional '/', '-' or ':', the bits */
		memcpy(spec, v, vlen);
		spec[vlen] = '\0';
		v = spec + 3;
		if (*v == '/' || *v == '-' || *v == ':')
			v++;
		bits = strtoul(v, &end, 10);
		for (i = 0; end != v && !*end && bits <= 65536 && i < card->algorithm_count; i++) {
			if (card->algorithms[i].algorithm == SC_ALGORITHM_RSA &&
					(card->algorithms[i].flags & SC_ALGORITHM_ONBOARD_KEY_GEN) &&
					PK_ALG_BITS(&card->algorithms[i]) == bits)
				break;
		}
		pk_card_keygen_sizes(card, text, sizeof(text));
		if (end != v && !*end && bits <= 65536 && i == card->algorithm_count && text[0])
			fprintf(stderr, "pkicards: this card (%s) generates RSA keys of %s, not %lu bits; nothing "
					"was written to the card\n", card->name ? card->name : "?", text, bits);
		else if (end != v && !*end && bits <= 65536 && i == card->algorithm_count)
			fprintf(stderr, "pkicards: this card (%s) generates no keys itself; nothing was written "
					"to the card\n", card->name ? card->name : "?");
	}
	sc_mem_clear(args, len);
	free(args);
}

int
pk_card_check_new_pin(struct sc_card *card, const struct sc_pin_cmd_data *data)
{
	size_t len, ok;

	if ((data->cmd != SC_PIN_CMD_CHANGE && data->cmd != SC_PIN_CMD_UNBLOCK) || !data->pin2.data ||
			data->pin2.len == 0)
		return 0;
	len = (size_t)data->pin2.len;
	ok = pk_text_pin_len(data->pin2.data, len);
	if (ok == len)
		return 0;
	sc_log(card->ctx, "new PIN refused: character %zu is not printable ASCII", ok + 1);
	fprintf(stderr, "pkicards: the new PIN has a character outside ASCII (character %zu), which Linux and "
			"Windows send as different bytes: the PIN would not be accepted on the other system. Use "
			"letters a-z and A-Z, digits and punctuation only; the PIN was not changed\n",
			ok + 1);
	return SC_ERROR_KEYPAD_PIN_MISMATCH;
}

void
pk_card_explain_update_cert(struct sc_card *card)
{
	char *args, id[64];
	const char *v = NULL;
	size_t len = 0, vlen = 0;

	if (!card->ctx->app_name || strcmp(card->ctx->app_name, "pkcs15-init") != 0)
		return;
	args = pk_args_own(&len);
	if (!args)
		return;
	if (pk_args_option(args, len, "update-certificate", &v, &vlen) == 0) {
		if (pk_args_option(args, len, "id", &v, &vlen) == 0 && vlen && vlen < sizeof(id)) {
			memcpy(id, v, vlen);
			id[vlen] = '\0';
		} else {
			snprintf(id, sizeof(id), "ID");
		}
		fprintf(stderr, "pkicards: this card keeps its certificates in the certificate directory, "
				"not in files of their own, so pkcs15-init --update-certificate cannot replace "
				"one; nothing was written to the card. Delete it and store the new one: "
				"pkcs15-init --delete-objects cert --id %s, then pkcs15-init "
				"--store-certificate FILE --id %s\n", id, id);
	}
	sc_mem_clear(args, len);
	free(args);
}
