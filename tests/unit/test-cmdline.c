/*
 * test-cmdline.c: the --so-pin of pkcs15-init's command line
 * (pkcs15-emu/pk-cmdline.c), which pkcs15-init itself ignores on erase.
 *
 * One cmocka test per table row. The argument lists are laid out as
 * /proc/self/cmdline: NUL-separated, argv[0] first.
 *
 * Copyright (C) 2026 pkicards contributors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "unit.h"

#include "libopensc/errors.h"
#include "pk-cmdline.h"

struct args_row {
	const char *name;
	const char *args; /* NUL-separated */
	size_t len;       /* sizeof the literal: the last NUL is the terminator */
	int rc;
	const char *value;
};

#define ARGS(s) s, sizeof(s)
#define NOT_FOUND SC_ERROR_OBJECT_NOT_FOUND

static const struct args_row args_rows[] = {
	{"empty list", "", 0, NOT_FOUND, NULL},
	{"program only", ARGS("pkcs15-init"), NOT_FOUND, NULL},
	{"argv[0] named like the option", ARGS("--so-pin\0" "x"), NOT_FOUND, NULL},
	{"other options only", ARGS("pkcs15-init\0--erase-card\0--pin\0" "1234"), NOT_FOUND, NULL},
	{"--so-puk is not --so-pin", ARGS("p\0--so-puk\0" "1"), NOT_FOUND, NULL},
	{"--so-pinx is not --so-pin", ARGS("p\0--so-pinx=1"), NOT_FOUND, NULL},
	{"single dash", ARGS("p\0-so-pin\0" "1"), NOT_FOUND, NULL},
	{"after --", ARGS("p\0--\0--so-pin\0" "1"), NOT_FOUND, NULL},
	{"as the value of another option", ARGS("p\0--so-pin\0--so-pin"), 0, "--so-pin"},
	{"option without value at the end", ARGS("p\0--erase-card\0--so-pin"), SC_ERROR_INVALID_ARGUMENTS, NULL},
	{"no terminating NUL", "p\0--so-pin\0" "87654321", 19, 0, "87654321"},
	{"separate value", ARGS("pkcs15-init\0--erase-card\0--so-pin\0" "87654321"), 0, "87654321"},
	{"value after =", ARGS("p\0--so-pin=87654321\0--erase-card"), 0, "87654321"},
	{"empty value after =", ARGS("p\0--so-pin="), 0, ""},
	{"last one wins", ARGS("p\0--so-pin\0" "1111\0--so-pin=2222"), 0, "2222"},
	{"value with a space", ARGS("p\0--so-pin\0" "12 34"), 0, "12 34"},
};

static void
test_args(void **state)
{
	const struct args_row *row = *state;
	const char *val = NULL;
	size_t vlen = 0;
	int r = pk_args_option(row->args, row->len, "so-pin", &val, &vlen);

	assert_int_equal(r, row->rc);
	if (row->value) {
		assert_non_null(val);
		assert_int_equal(vlen, strlen(row->value));
		assert_memory_equal(val, row->value, vlen);
		/* the value lies inside the list */
		assert_true(val >= row->args && val + vlen <= row->args + row->len);
	}
}

/* Only pkcs15-init's command line counts: this test program is another */
static void
test_other_program(void **state)
{
	struct sc_context ctx = {.app_name = "pkcs15-tool"};
	unsigned char out[16];
	size_t len = sizeof(out);

	(void)state;
	assert_int_equal(pk_cmdline_secret(&ctx, "so-pin", out, &len), NOT_FOUND);
	ctx.app_name = NULL;
	assert_int_equal(pk_cmdline_secret(&ctx, "so-pin", out, &len), NOT_FOUND);
}

/* argv[0] names pkcs15-init: as run on Linux and on Windows */
static void
test_program_is(void **state)
{
	(void)state;
	assert_true(pk_args_program_is(ARGS("pkcs15-init\0--so-pin\0" "1"), "pkcs15-init"));
	assert_true(pk_args_program_is(ARGS("/usr/bin/pkcs15-init"), "pkcs15-init"));
	assert_true(pk_args_program_is(ARGS("C:\\Program Files\\OpenSC Project\\OpenSC\\tools\\pkcs15-init.exe"),
			"pkcs15-init"));
	assert_true(pk_args_program_is(ARGS("PKCS15-INIT.EXE"), "PKCS15-INIT"));
	assert_true(pk_args_program_is(ARGS("pkcs15-init.EXE"), "pkcs15-init"));
	assert_false(pk_args_program_is(ARGS("pkcs15-tool"), "pkcs15-init"));
	assert_false(pk_args_program_is(ARGS("my-pkcs15-init"), "pkcs15-init"));
	assert_false(pk_args_program_is(ARGS("pkcs15-init.exe.bak"), "pkcs15-init"));
	assert_false(pk_args_program_is(ARGS("pkcs15-init/"), "pkcs15-init"));
	assert_false(pk_args_program_is("", 0, "pkcs15-init"));
}

int
main(void)
{
	const struct CMUnitTest other[] = {cmocka_unit_test(test_other_program), cmocka_unit_test(test_program_is)};
	int r = UNIT_RUN_ROWS("pk_args_option", args_rows, test_args);

	return r + cmocka_run_group_tests(other, NULL, NULL);
}
