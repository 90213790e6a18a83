/*
 * unit.h: includes and helpers shared by the unit tests.
 *
 * Copyright (C) 2026 pkicards contributors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef PK_UNIT_H
#define PK_UNIT_H

#include "config.h" /* before any OpenSC header: ENABLE_SM changes sc_card */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Run one cmocka test per row of a table, named after the row: every row
 * struct starts with "const char *name"; the row is the test's state.
 */
static inline int
unit_run_rows(const char *group, const void *rows, size_t nrows, size_t rowsize,
		CMUnitTestFunction fn, CMFixtureFunction setup, CMFixtureFunction teardown)
{
	struct CMUnitTest *t = calloc(nrows, sizeof(*t));
	size_t i;
	int r;

	if (!t)
		return 1;
	for (i = 0; i < nrows; i++) {
		const void *row = (const char *)rows + i * rowsize;

		t[i].name = *(const char *const *)row;
		t[i].test_func = fn;
		t[i].setup_func = setup;
		t[i].teardown_func = teardown;
		t[i].initial_state = (void *)(uintptr_t)row;
	}
	r = _cmocka_run_group_tests(group, t, nrows, NULL, NULL);
	free(t);
	return r;
}

#define UNIT_RUN_ROWS(group, rows, fn) \
	unit_run_rows(group, rows, N_ELEM(rows), sizeof((rows)[0]), fn, NULL, NULL)
/** the same with a per-row setup and teardown */
#define UNIT_RUN_ROWS_FIXTURE(group, rows, fn, setup, teardown) \
	unit_run_rows(group, rows, N_ELEM(rows), sizeof((rows)[0]), fn, setup, teardown)

/** assert that @p got (n bytes) equals the hex string @p want */
#define assert_hex_equal(got, n, want) \
	unit_assert_hex(got, n, want, __FILE__, __LINE__)

/** Parse hex (spaces and colons ignored; "AB*56" = byte AB 56 times);
 * fails the test on malformed input or overflow. @return the number of
 * bytes */
size_t unit_hex(const char *hex, unsigned char *out, size_t outlen);
/* The bytes of test vector NAME in tests/vectors/FILE.vec ("[NAME] hex",
 * continued on indented lines; the same files seed the fuzz corpus). Fails
 * the test if the file or the name is missing. */
size_t unit_vector(const char *file, const char *name, unsigned char *out, size_t outlen);
void unit_tohex(const unsigned char *p, size_t n, char *out, size_t outlen);
void unit_assert_hex(const unsigned char *got, size_t n, const char *want,
		const char *file, int line);

#endif
