/*
 * pcsc-wait: wait until pcscd shows a card in each of the first N readers
 * whose name starts with PREFIX. Used by tests/with-card.
 *
 *   pcsc-wait PREFIX N TIMEOUT_MS
 *
 * N = 0 waits for no card in the first reader matching PREFIX (a card
 * taken out: tests that replace the simulator in a reader).
 *
 * Exit 0 when ready, 1 on timeout (with the readers' state on stderr),
 * 2 on bad usage or PC/SC errors.
 *
 * Copyright (C) 2026 pkicards contributors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <winscard.h>

#define MAX_READERS 16

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* Is there a card in the first reader matching @prefix? -1: no reader */
static int
first_has_card(SCARDCONTEXT ctx, const char *prefix)
{
	SCARD_READERSTATE st;
	char names[4096];
	DWORD len = sizeof(names);
	const char *p;

	if (SCardListReaders(ctx, NULL, names, &len) != SCARD_S_SUCCESS)
		return -1;
	for (p = names; *p && (size_t)(p - names) < len; p += strlen(p) + 1) {
		if (strncmp(p, prefix, strlen(prefix)) != 0)
			continue;
		memset(&st, 0, sizeof(st));
		st.szReader = p;
		st.dwCurrentState = SCARD_STATE_UNAWARE;
		if (SCardGetStatusChange(ctx, 0, &st, 1) != SCARD_S_SUCCESS)
			return -1;
		return (st.dwEventState & SCARD_STATE_PRESENT) != 0;
	}
	return -1;
}

/* Count matching readers with a card; fills @report for diagnostics */
static int
cards_present(SCARDCONTEXT ctx, const char *prefix, char *report, size_t replen)
{
	SCARD_READERSTATE st[MAX_READERS];
	char names[4096];
	DWORD len = sizeof(names), n = 0;
	const char *p;
	int present = 0;

	report[0] = '\0';
	if (SCardListReaders(ctx, NULL, names, &len) != SCARD_S_SUCCESS)
		return 0;
	for (p = names; *p && n < MAX_READERS && (size_t)(p - names) < len; p += strlen(p) + 1) {
		if (strncmp(p, prefix, strlen(prefix)) != 0)
			continue;
		memset(&st[n], 0, sizeof(st[n]));
		st[n].szReader = p;
		st[n].dwCurrentState = SCARD_STATE_UNAWARE;
		n++;
	}
	if (n == 0 || SCardGetStatusChange(ctx, 0, st, n) != SCARD_S_SUCCESS)
		return 0;
	for (DWORD i = 0; i < n; i++) {
		int yes = (st[i].dwEventState & SCARD_STATE_PRESENT) != 0;
		size_t used = strlen(report);

		snprintf(report + used, replen - used, "  %s: %s\n", st[i].szReader,
				yes ? "card" : "no card");
		/* readers are listed in order; count the leading run with cards */
		if (yes && present == (int)i)
			present++;
	}
	return present;
}

int
main(int argc, char **argv)
{
	SCARDCONTEXT ctx;
	char report[2048];
	long deadline;
	int want;

	if (argc != 4) {
		fprintf(stderr, "usage: pcsc-wait PREFIX N TIMEOUT_MS\n");
		return 2;
	}
	want = atoi(argv[2]);
	deadline = now_ms() + atol(argv[3]);
	while (SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx) != SCARD_S_SUCCESS) {
		if (now_ms() > deadline) {
			fprintf(stderr, "pcsc-wait: pcscd does not answer\n");
			return 1;
		}
		sleep_ms(100);
	}
	while (want == 0 && first_has_card(ctx, argv[1]) != 0) {
		if (now_ms() > deadline) {
			fprintf(stderr, "pcsc-wait: the card in '%s' was not taken out\n", argv[1]);
			SCardReleaseContext(ctx);
			return 1;
		}
		sleep_ms(50);
	}
	while (cards_present(ctx, argv[1], report, sizeof(report)) < want) {
		if (now_ms() > deadline) {
			fprintf(stderr, "pcsc-wait: timed out waiting for %d card(s):\n%s", want,
					report[0] ? report : "  no reader\n");
			SCardReleaseContext(ctx);
			return 1;
		}
		sleep_ms(100);
	}
	SCardReleaseContext(ctx);
	return 0;
}
