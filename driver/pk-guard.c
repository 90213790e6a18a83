/*
 * pk-guard.c: a card lost in the middle of a card transaction.
 *
 * A card that is pulled out, loses power or stops answering while a command
 * runs leaves the host not knowing what the card did with the command. Any
 * further APDU of the same transaction would go to a card in an unknown
 * state (or, after a silent reset, to a card that has forgotten the verified
 * PINs and selected files) and could make a half-written structure worse.
 *
 * So while one of our cards is in a reader, the reader's transmit passes
 * through pk_guard_transmit: the first transport failure of a transaction
 * (no answer, a short answer, card removed or reset) is named as what it
 * was - "Card was removed" if the reader shows no card within 0.4 s,
 * "Card was reset" if the card is there again - and every later APDU of the
 * same transaction fails with that error without being sent. The next card
 * transaction (the reader's lock) starts afresh: the drivers' lock hooks
 * then forget what they remembered about the card.
 *
 * OpenSC's tools print only the name of the error they get, and some of
 * their paths lose it (sc_update_binary of 0.23 reports "EF offset too
 * large" for any failed write; a failed read of a directory file reads as
 * "object not found"). So the guard also says once, on stderr, what
 * happened and what to do: check the card and run the command again. Once:
 * OpenSC goes on to connect or lock again, and each of those attempts fails
 * the same way (each with a guard of its own when the connect fails), so the
 * line is printed again only after a card has answered in between (one flag
 * for the process; with several readers, as in the issuing station, an
 * answer from another card also counts).
 *
 * OpenSC calls the reader through card->reader->ops; the guard replaces
 * that pointer with its own copy of the reader's operations while our card
 * is connected (attach in the drivers' init, detach in their finish).
 *
 * Copyright (C) 2026 pkicards contributors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#ifdef _WIN32
#include <windows.h>
#endif

#include "libopensc/log.h"
#include "pk-card.h"

struct pk_guard {
	struct sc_reader_operations ops; /* first: reader->ops points here */
	const struct sc_reader_operations *orig;
	int lost;                        /* error of this transaction, 0: none */
	int lost_before;		 /* of any transaction since attach */
};

static struct pk_guard *
guard_of(struct sc_reader *reader)
{
	return (struct pk_guard *)(void *)((char *)(uintptr_t)reader->ops -
					   offsetof(struct pk_guard, ops));
}

static void
sleep_100ms(void)
{
#ifdef _WIN32
	Sleep(100);
#else
	struct timespec ts = {0, 100000000L};

	nanosleep(&ts, NULL);
#endif
}

static int
transport_error(int r)
{
	switch (r) {
	case SC_ERROR_CARD_REMOVED:
	case SC_ERROR_CARD_RESET:
	case SC_ERROR_CARD_NOT_PRESENT:
	case SC_ERROR_CARD_UNRESPONSIVE:
	case SC_ERROR_READER_DETACHED:
	case SC_ERROR_READER_REATTACHED:
	case SC_ERROR_TRANSMIT_FAILED:
	case SC_ERROR_UNKNOWN_DATA_RECEIVED: /* an answer of less than 2 bytes */
		return 1;
	default:
		return 0;
	}
}

/* Removed or reset: the reader's view during 0.4 s (a reader that polls
 * for the card, as pcscd does every 0.4 s, notices a removal late), or as
 * long as PKICARDS_GUARD_WAIT_MS says (tests that tear cards by the
 * hundred accept either answer and set it shorter) */
static int
what_happened(struct pk_guard *g, struct sc_reader *reader, int r)
{
	const char *env = getenv("PKICARDS_GUARD_WAIT_MS");
	long ms = env ? strtol(env, NULL, 10) : 400;
	int i;

	if (r == SC_ERROR_CARD_RESET)
		return r;
	if (!g->orig->detect_card_presence)
		return SC_ERROR_CARD_REMOVED;
	for (i = 0;; i++) {
		int p = g->orig->detect_card_presence(reader);

		if (p >= 0 && !(p & SC_READER_CARD_PRESENT))
			return SC_ERROR_CARD_REMOVED;
		if ((i + 1) * 100L > ms)
			break;
		sleep_100ms();
	}
	return SC_ERROR_CARD_RESET;
}

/* the notice went out and no card has answered since (atomic: readers may
 * run in threads of their own; a thread-local would pull in libgcc's emutls
 * on Windows) */
static atomic_int guard_told;

static int
pk_guard_transmit(struct sc_reader *reader, struct sc_apdu *apdu)
{
	struct pk_guard *g = guard_of(reader);
	int r;

	if (g->lost) {
		sc_log(reader->ctx, "card lost earlier in this transaction: APDU not sent");
		return g->lost;
	}
	r = g->orig->transmit(reader, apdu);
	if (r < 0 && transport_error(r)) {
		g->lost = g->lost_before = what_happened(g, reader, r);
		sc_log(reader->ctx, "transmit failed (%s): %s; no more APDUs in this card transaction",
				sc_strerror(r), sc_strerror(g->lost));
		if (!atomic_exchange(&guard_told, 1))
			fprintf(stderr, "pkicards: the card was %s in the middle of a command; nothing more "
					"was sent to it. Check it (pkcs15-tool -D) and run the command again.\n",
					g->lost == SC_ERROR_CARD_REMOVED ? "removed" : "reset");
		return g->lost;
	}
	if (r >= 0 && atomic_load_explicit(&guard_told, memory_order_relaxed))
		atomic_store(&guard_told, 0);
	return r;
}

static int
pk_guard_lock(struct sc_reader *reader)
{
	struct pk_guard *g = guard_of(reader);

	g->lost = 0; /* a new card transaction */
	return g->orig->lock(reader);
}

void
pk_guard_attach(struct sc_card *card)
{
	struct sc_reader *reader = card->reader;
	struct pk_guard *g;

	if (!reader || !reader->ops || !reader->ops->transmit ||
			reader->ops->transmit == pk_guard_transmit)
		return;
	g = calloc(1, sizeof(*g));
	if (!g)
		return; /* unguarded: errors keep OpenSC's names */
	g->ops = *reader->ops;
	g->orig = reader->ops;
	g->ops.transmit = pk_guard_transmit;
	if (g->ops.lock)
		g->ops.lock = pk_guard_lock;
	reader->ops = &g->ops;
}

int
pk_guard_lost(struct sc_card *card)
{
	struct sc_reader *reader = card->reader;

	if (!reader || !reader->ops || reader->ops->transmit != pk_guard_transmit)
		return 0;
	return guard_of(reader)->lost_before;
}

void
pk_guard_detach(struct sc_card *card)
{
	struct sc_reader *reader = card->reader;
	struct pk_guard *g;

	if (!reader || !reader->ops || reader->ops->transmit != pk_guard_transmit)
		return;
	g = guard_of(reader);
	reader->ops = g->orig;
	free(g);
}
