/*
 * test-minidriver-reg.c: the Windows registration (.reg) against the drivers.
 *
 * Windows hands a card to OpenSC's minidriver when one of the card types in
 * the .reg covers its ATR (card ATR & ATRMask == ATR, same length); OpenSC
 * then needs one of our drivers to claim it. This test reads the generated
 * .reg file (argv[1]) and asks the drivers themselves (their match_card,
 * through libopensc's ATR matching), not the generator's reading of the
 * tables:
 *
 *  - every registered ATR, and the same ATR with all its masked-out bits
 *    set, is claimed by acos5_ext or starcos_ext;
 *  - around every registered ATR (each single bit flipped, one byte more,
 *    one byte less) the drivers claim exactly the ATRs the .reg covers: a
 *    mask wider than the driver's would send cards to the minidriver that
 *    no driver takes, a narrower one would leave claimed cards unbound;
 *  - both registry views (64-bit and WOW6432Node) hold the same card types.
 *
 * Copyright (C) 2026 pkicards contributors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "unit.h"

#include <stdio.h>

#include "libopensc/opensc.h"
#include "pk-card.h"

#define HIVE64 "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Cryptography\\Calais\\SmartCards\\"
#define HIVE32 "HKEY_LOCAL_MACHINE\\SOFTWARE\\WOW6432Node\\Microsoft\\Cryptography\\Calais\\SmartCards\\"
#define MAX_ENTRIES 256

struct entry {
	char name[256];
	int wow64;
	u8 atr[SC_MAX_ATR_SIZE], mask[SC_MAX_ATR_SIZE];
	size_t atr_len, mask_len;
};

static const char *reg_path;
static struct entry entries[MAX_ENTRIES];
static size_t nentries;
static sc_context_t *ctx;

/* "hex:3b,be,..." -> bytes; SIZE_MAX when malformed */
static size_t
parse_hex(const char *s, u8 *out, size_t outlen)
{
	size_t n = 0;
	unsigned int b;
	int used;

	if (strncmp(s, "hex:", 4) != 0)
		return SIZE_MAX;
	s += 4;
	while (*s) {
		if (n == outlen || sscanf(s, "%2x%n", &b, &used) != 1 || used != 2)
			return SIZE_MAX;
		out[n++] = (u8)b;
		s += 2;
		if (*s == ',')
			s++;
		else if (*s)
			return SIZE_MAX;
	}
	return n;
}

static void
load_reg(void)
{
	FILE *f = fopen(reg_path, "rb");
	char line[1024];
	struct entry *cur = NULL;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '[') {
			size_t len = strlen(line);
			const char *key = line + 1;
			int wow64 = 0;

			assert_true(len > 2 && line[len - 1] == ']');
			line[len - 1] = '\0';
			if (strncmp(key, HIVE64, strlen(HIVE64)) == 0) {
				wow64 = 0;
				key += strlen(HIVE64);
			} else if (strncmp(key, HIVE32, strlen(HIVE32)) == 0) {
				wow64 = 1;
				key += strlen(HIVE32);
			} else {
				fail_msg("key outside the SmartCards keys: %s", key);
			}
			assert_true(nentries < MAX_ENTRIES);
			cur = &entries[nentries++];
			cur->wow64 = wow64;
			assert_true(strlen(key) < sizeof(cur->name));
			strcpy(cur->name, key);
			cur->atr_len = cur->mask_len = SIZE_MAX;
		} else if (strncmp(line, "\"ATR\"=", 6) == 0) {
			assert_non_null(cur);
			cur->atr_len = parse_hex(line + 6, cur->atr, sizeof(cur->atr));
		} else if (strncmp(line, "\"ATRMask\"=", 10) == 0) {
			assert_non_null(cur);
			cur->mask_len = parse_hex(line + 10, cur->mask, sizeof(cur->mask));
		}
	}
	fclose(f);
}

static int
setup(void **state)
{
	sc_context_param_t param;

	load_reg();
	setenv("OPENSC_CONF", "/dev/null", 1);
	memset(&param, 0, sizeof(param));
	param.app_name = "pkicards-unit";
	return sc_context_create(&ctx, &param) == SC_SUCCESS ? 0 : -1;
}

static int
teardown(void **state)
{
	sc_release_context(ctx);
	return 0;
}

/* does one of our drivers claim a card with this ATR? */
static int
claimed(const u8 *atr, size_t len)
{
	struct sc_card_driver *drvs[2] = {pk_get_acos5_driver(), pk_get_starcos_driver()};
	size_t i;
	int hit = 0;

	for (i = 0; i < N_ELEM(drvs); i++) {
		struct sc_card *card = calloc(1, sizeof(*card));

		assert_non_null(card);
		card->ctx = ctx;
		memcpy(card->atr.value, atr, len);
		card->atr.len = len;
		if (drvs[i]->ops->match_card(card) == 1)
			hit = 1;
		free(card);
	}
	return hit;
}

/* does a card type of this view send the ATR to the minidriver? */
static int
covered(const u8 *atr, size_t len, int wow64)
{
	size_t i, j;

	for (i = 0; i < nentries; i++) {
		const struct entry *e = &entries[i];

		if (e->wow64 != wow64 || e->atr_len != len)
			continue;
		for (j = 0; j < len; j++)
			if ((atr[j] & e->mask[j]) != e->atr[j])
				break;
		if (j == len)
			return 1;
	}
	return 0;
}

static void
hex(const u8 *b, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 3 * i, "%02X ", b[i]);
	out[n ? 3 * n - 1 : 0] = '\0';
}

static void
test_entries_well_formed(void **state)
{
	size_t i, j, n64 = 0, n32 = 0;

	assert_true(nentries > 0);
	for (i = 0; i < nentries; i++) {
		const struct entry *e = &entries[i];

		if (e->atr_len == SIZE_MAX || e->mask_len == SIZE_MAX)
			fail_msg("%s: ATR or ATRMask missing or malformed", e->name);
		if (e->atr_len != e->mask_len || e->atr_len < 2)
			fail_msg("%s: ATR (%zu bytes) and ATRMask (%zu bytes) differ", e->name,
					e->atr_len, e->mask_len);
		for (j = 0; j < e->atr_len; j++)
			if ((e->atr[j] & e->mask[j]) != e->atr[j])
				fail_msg("%s: ATR byte %zu has bits outside the mask", e->name, j);
		*(e->wow64 ? &n32 : &n64) += 1;
	}
	assert_true(n64 > 0);
	assert_int_equal(n64, n32);
	/* the same card types, with the same ATR and mask, in both views */
	for (i = 0; i < nentries; i++) {
		const struct entry *e = &entries[i];
		int twin = 0;

		for (j = 0; j < nentries; j++) {
			const struct entry *o = &entries[j];

			if (o->wow64 != e->wow64 && strcmp(o->name, e->name) == 0 &&
					o->atr_len == e->atr_len && !memcmp(o->atr, e->atr, e->atr_len) &&
					!memcmp(o->mask, e->mask, e->atr_len))
				twin++;
		}
		if (twin != 1)
			fail_msg("%s: %d entries in the other registry view, 1 expected", e->name, twin);
	}
}

static void
test_registered_atrs_claimed(void **state)
{
	char buf[3 * SC_MAX_ATR_SIZE];
	size_t i, j;

	for (i = 0; i < nentries; i++) {
		const struct entry *e = &entries[i];
		u8 loose[SC_MAX_ATR_SIZE];

		if (!claimed(e->atr, e->atr_len)) {
			hex(e->atr, e->atr_len, buf);
			fail_msg("%s: no driver claims its ATR %s", e->name, buf);
		}
		for (j = 0; j < e->atr_len; j++)
			loose[j] = e->atr[j] | (u8)~e->mask[j];
		if (!claimed(loose, e->atr_len)) {
			hex(loose, e->atr_len, buf);
			fail_msg("%s: mask too wide: no driver claims %s", e->name, buf);
		}
	}
}

static void
check_neighbour(const struct entry *e, const u8 *atr, size_t len)
{
	char buf[3 * SC_MAX_ATR_SIZE];
	int c = claimed(atr, len), w = covered(atr, len, e->wow64);

	if (c != w) {
		hex(atr, len, buf);
		fail_msg("next to %s%s: %s is %s by a driver but %s by the .reg", e->name,
				e->wow64 ? " (WOW6432Node)" : "", buf, c ? "claimed" : "not claimed",
				w ? "covered" : "not covered");
	}
}

static void
test_neighbours_agree(void **state)
{
	size_t i, j;
	unsigned int bit;

	for (i = 0; i < nentries; i++) {
		const struct entry *e = &entries[i];
		u8 atr[SC_MAX_ATR_SIZE];

		for (j = 0; j < e->atr_len; j++) {
			for (bit = 0; bit < 8; bit++) {
				memcpy(atr, e->atr, e->atr_len);
				atr[j] ^= (u8)(1u << bit);
				check_neighbour(e, atr, e->atr_len);
			}
		}
		memcpy(atr, e->atr, e->atr_len);
		check_neighbour(e, atr, e->atr_len - 1);
		if (e->atr_len < SC_MAX_ATR_SIZE) {
			atr[e->atr_len] = 0x00;
			check_neighbour(e, atr, e->atr_len + 1);
		}
	}
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_entries_well_formed),
		cmocka_unit_test(test_registered_atrs_claimed),
		cmocka_unit_test(test_neighbours_agree),
	};

	if (argc != 2) {
		fprintf(stderr, "usage: %s pkicards-minidriver.reg\n", argv[0]);
		return 2;
	}
	reg_path = argv[1];
	return cmocka_run_group_tests_name("minidriver-reg", tests, setup, teardown);
}
