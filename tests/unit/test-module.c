/*
 * test-module.c: the loader entry points (module.c) and their version guard.
 *
 * Copyright (C) 2026 pkicards contributors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "unit.h"

#include "libopensc/opensc.h"
#include "pk-card.h"
#include "pk-module.h"

typedef struct sc_card_driver *(*get_driver_fn)(void);

struct compat_row {
	const char *name;
	const char *runtime, *built;
	int ok;
};

static const struct compat_row compat_rows[] = {
	{"compatible: runtime NULL", NULL, "0.23.0", 0},
	{"compatible: built NULL", "0.23.0", NULL, 0},
	{"compatible: older minor", "0.22.0", "0.23.0", 0},
	{"compatible: newer fix", "0.23.1", "0.23.0", 0},
	{"compatible: runtime with a suffix", "0.23.0-rc1", "0.23.0", 0},
	{"compatible: runtime a prefix", "0.23", "0.23.0", 0},
	{"compatible: empty runtime", "", "0.23.0", 0},
	{"compatible: equal", "0.23.0", "0.23.0", 1},
};

static void
test_compat_row(void **state)
{
	const struct compat_row *row = *state;

	assert_int_equal(pk_version_compatible(row->runtime, row->built), row->ok);
}

struct init_row {
	const char *name;
	const char *driver;
	const char *runtime; /* NULL: the version this module was built for */
	const char *short_name; /* NULL: sc_module_init must refuse */
};

static const struct init_row init_rows[] = {
	{"init: acos5_ext on another OpenSC", "acos5_ext", "0.22.0", NULL},
	{"init: starcos_ext on another OpenSC", "starcos_ext", "0.24.0", NULL},
	{"init: unknown runtime version", "acos5_ext", "", NULL},
	{"init: unknown driver name", "cardos_ext", NULL, NULL},
	{"init: the built-in name acos5", "acos5", NULL, NULL},
	{"init: NULL name", NULL, NULL, NULL},
	{"init: acos5_ext", "acos5_ext", NULL, "acos5_ext"},
	{"init: starcos_ext", "starcos_ext", NULL, "starcos_ext"},
};

static void
test_init_row(void **state)
{
	const struct init_row *row = *state;
	const char *runtime = row->runtime ? row->runtime : PKICARDS_OPENSC_VERSION;
	get_driver_fn get = (get_driver_fn)pk_module_init(row->driver, runtime);
	struct sc_card_driver *drv;

	if (!row->short_name) {
		assert_null((void *)get);
		return;
	}
	assert_non_null((void *)get);
	drv = get();
	assert_non_null(drv);
	assert_string_equal(drv->short_name, row->short_name);
	assert_non_null(drv->ops);
	assert_non_null(drv->ops->match_card);
	assert_non_null(drv->ops->init);
}

/* the exported wrappers, as OpenSC's loader calls them */
static void
test_exported_entry_points(void **state)
{
	const char *v = sc_driver_version();
	get_driver_fn get;

	/* ctx.c load_dynamic_driver: prefix match against PACKAGE_VERSION */
	assert_string_equal(v, PKICARDS_OPENSC_VERSION);
	assert_int_equal(strncmp(v, sc_get_version(), strlen(sc_get_version())), 0);
	get = (get_driver_fn)sc_module_init(PK_ACOS5_SHORT_NAME);
	assert_non_null((void *)get);
	assert_ptr_equal(get(), pk_get_acos5_driver());
	get = (get_driver_fn)sc_module_init(PK_STARCOS_SHORT_NAME);
	assert_non_null((void *)get);
	assert_ptr_equal(get(), pk_get_starcos_driver());
	assert_null(sc_module_init("nonexistent"));
}

int
main(void)
{
	const struct CMUnitTest misc[] = {
		cmocka_unit_test(test_exported_entry_points),
	};
	int r = 0;

	r |= UNIT_RUN_ROWS("pk_version_compatible", compat_rows, test_compat_row);
	r |= UNIT_RUN_ROWS("pk_module_init", init_rows, test_init_row);
	r |= cmocka_run_group_tests_name("exported entry points", misc, NULL, NULL);
	return r ? 1 : 0;
}
