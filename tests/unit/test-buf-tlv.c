/*
 * test-buf-tlv.c: the bounded builder (pk-buf), the TLV cursor (pk-tlv) and
 * the check of text users give (pk-text).
 *
 * One cmocka test per table row, negative cases first.
 *
 * Copyright (C) 2026 pkicards contributors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "unit.h"

#include "libopensc/errors.h"
#include "pk-buf.h"
#include "pk-text.h"
#include "pk-tlv.h"

/* value bytes for BYTES/TLV ops: 00 01 02 ... */
static u8 pattern[0x10000 + 16];

/* ---- pk-buf ------------------------------------------------------------- */

enum op_kind { OP_END, OP_U8, OP_U16, OP_BYTES, OP_TAG_LEN, OP_TLV };

struct buf_op {
	enum op_kind kind;
	unsigned int v; /* value or tag */
	size_t n;       /* byte count or length */
};

struct buf_row {
	const char *name;
	size_t cap;
	struct buf_op ops[4];
	int rc;            /* pk_buf_result */
	const char *bytes; /* buffer contents afterwards (hex) */
};

#define TOO_SMALL SC_ERROR_BUFFER_TOO_SMALL

static const struct buf_row buf_rows[] = {
	/* failures: nothing of a failed put is written, and failure is sticky */
	{"u8 into capacity 0", 0, {{OP_U8, 0x01, 0}}, TOO_SMALL, ""},
	{"u8 value above 0xFF", 4, {{OP_U8, 0x100, 0}}, TOO_SMALL, ""},
	{"u16 with one byte left", 1, {{OP_U16, 0x1234, 0}}, TOO_SMALL, ""},
	{"u16 value above 0xFFFF", 4, {{OP_U16, 0x10000, 0}}, TOO_SMALL, ""},
	{"bytes one over capacity", 3, {{OP_BYTES, 0, 4}}, TOO_SMALL, ""},
	{"sticky: a fitting put after a failed one", 4,
			{{OP_BYTES, 0, 5}, {OP_U8, 0xAA, 0}}, TOO_SMALL, ""},
	{"sticky: the earlier puts stay, later ones are dropped", 2,
			{{OP_U8, 0xAA, 0}, {OP_U16, 0x1234, 0}, {OP_U8, 0xBB, 0}}, TOO_SMALL, "AA"},
	{"tlv one over capacity", 4, {{OP_TLV, 0x04, 3}}, TOO_SMALL, "0403"},
	{"tag_len 82 form one over capacity", 3, {{OP_TAG_LEN, 0x80, 0x100}}, TOO_SMALL, "8082"},
	{"tag_len 81 form one over capacity", 2, {{OP_TAG_LEN, 0x80, 0x80}}, TOO_SMALL, "8081"},
	{"length above 0xFFFF", 8, {{OP_TAG_LEN, 0x04, 0x10000}}, TOO_SMALL, "04"},
	{"3-byte tag one over capacity", 3, {{OP_TAG_LEN, 0x1F8101, 0}}, TOO_SMALL, "1F8101"},
	/* successes */
	{"zero bytes into capacity 0", 0, {{OP_BYTES, 0, 0}}, 0, ""},
	{"capacity exactly full", 5, {{OP_TLV, 0x04, 3}}, 0, "04 03 000102"},
	{"u8 and u16 big-endian", 3, {{OP_U8, 0xFF, 0}, {OP_U16, 0x1234, 0}}, 0, "FF 1234"},
	{"zero-length tlv", 2, {{OP_TLV, 0x05, 0}}, 0, "0500"},
	{"length 7F short form", 2, {{OP_TAG_LEN, 0x04, 0x7F}}, 0, "047F"},
	{"length 80 takes 81", 3, {{OP_TAG_LEN, 0x04, 0x80}}, 0, "048180"},
	{"length FF takes 81", 3, {{OP_TAG_LEN, 0x04, 0xFF}}, 0, "0481FF"},
	{"length 100 takes 82", 4, {{OP_TAG_LEN, 0x04, 0x100}}, 0, "04820100"},
	{"length FFFF takes 82", 4, {{OP_TAG_LEN, 0x04, 0xFFFF}}, 0, "0482FFFF"},
	{"2-byte tag 5F20", 3, {{OP_TAG_LEN, 0x5F20, 2}}, 0, "5F2002"},
	{"3-byte tag 1F8101", 4, {{OP_TAG_LEN, 0x1F8101, 0}}, 0, "1F810100"},
	{"tlv with 81 length fills 131 bytes", 131, {{OP_TLV, 0x53, 0x80}}, 0, NULL},
};

static void
buf_apply(struct pk_buf *b, const struct buf_op *op)
{
	switch (op->kind) {
	case OP_U8:
		pk_buf_u8(b, op->v);
		break;
	case OP_U16:
		pk_buf_u16(b, op->v);
		break;
	case OP_BYTES:
		pk_buf_bytes(b, pattern, op->n);
		break;
	case OP_TAG_LEN:
		pk_buf_tag_len(b, op->v, op->n);
		break;
	case OP_TLV:
		pk_buf_tlv(b, op->v, pattern, op->n);
		break;
	case OP_END:
		break;
	}
}

static void
test_buf_row(void **state)
{
	const struct buf_row *row = *state;
	u8 mem[256];
	struct pk_buf b;
	size_t i;

	/* guard bytes: nothing is written at or beyond the capacity */
	memset(mem, 0xEE, sizeof(mem));
	pk_buf_init(&b, mem, row->cap);
	for (i = 0; i < N_ELEM(row->ops) && row->ops[i].kind != OP_END; i++)
		buf_apply(&b, &row->ops[i]);
	assert_int_equal(pk_buf_result(&b), row->rc);
	assert_true(b.len <= row->cap);
	if (row->bytes)
		assert_hex_equal(b.data, b.len, row->bytes);
	else
		assert_int_equal(b.len, row->cap);
	for (i = row->cap; i < sizeof(mem); i++)
		assert_int_equal(mem[i], 0xEE);
}

static void
test_buf_null_memory(void **state)
{
	struct pk_buf b;

	pk_buf_init(&b, NULL, 16);
	assert_int_equal(b.cap, 0);
	pk_buf_u8(&b, 1);
	assert_int_equal(pk_buf_result(&b), SC_ERROR_BUFFER_TOO_SMALL);
}

static void
test_buf_large_tlv(void **state)
{
	static u8 mem[4 + 0xFFFF];
	struct pk_buf b;

	pk_buf_init(&b, mem, sizeof(mem));
	pk_buf_tlv(&b, 0x04, pattern, 0xFFFF);
	assert_int_equal(pk_buf_result(&b), 0);
	assert_int_equal(b.len, sizeof(mem));
	assert_hex_equal(mem, 4, "0482FFFF");
	assert_memory_equal(mem + 4, pattern, 0xFFFF);
	pk_buf_u8(&b, 0); /* full: one more byte is one over */
	assert_int_equal(pk_buf_result(&b), SC_ERROR_BUFFER_TOO_SMALL);
}

/* ---- pk-tlv: pk_cur_tlv ----------------------------------------------------- */

#define BAD_TLV SC_ERROR_INVALID_ASN1_OBJECT

struct tlv_row {
	const char *name;
	size_t pad;      /* after the vector, this many pattern bytes */
	int rc;          /* first pk_cur_tlv */
	unsigned int tag;
	size_t len;
	size_t left; /* cursor afterwards (unchanged on error) */
};

static const struct tlv_row tlv_rows[] = {
	/* failures */
	{"tag only", 0, BAD_TLV, 0, 0, 1},
	{"value shorter than length", 0, BAD_TLV, 0, 0, 4},
	{"81 without its length byte", 0, BAD_TLV, 0, 0, 2},
	{"82 with one length byte", 0, BAD_TLV, 0, 0, 3},
	{"81 length one over the data", 0x7F, BAD_TLV, 0, 0, 3 + 0x7F},
	{"82 length one over the data", 0xFF, BAD_TLV, 0, 0, 4 + 0xFF},
	{"indefinite length 80", 0, BAD_TLV, 0, 0, 4},
	{"length of length 84", 0, BAD_TLV, 0, 0, 7},
	{"2-byte tag truncated", 0, BAD_TLV, 0, 0, 1},
	{"3-byte tag truncated", 0, BAD_TLV, 0, 0, 2},
	{"4-byte tag", 0, BAD_TLV, 0, 0, 5},
	{"83 length FFFFFF over the data", 0, BAD_TLV, 0, 0, 5},
	/* successes */
	{"empty input is the end", 0, 0, 0, 0, 0},
	{"zero length", 0, 1, 0x05, 0, 0},
	{"short form", 0, 1, 0x04, 2, 0},
	{"81 form", 0x80, 1, 0x04, 0x80, 0},
	{"82 form", 0x100, 1, 0x04, 0x100, 0},
	{"83 form", 0x100, 1, 0x04, 0x100, 0},
	{"2-byte tag 5F20", 0, 1, 0x5F20, 1, 0},
	{"2-byte tag 7F49", 0, 1, 0x7F49, 0, 0},
	{"3-byte tag 1F8101", 0, 1, 0x1F8101, 0, 0},
	{"the next item stays", 0, 1, 0x04, 1, 2},
};

static void
test_tlv_row(void **state)
{
	const struct tlv_row *row = *state;
	static u8 in[0x200];
	struct pk_cur c;
	struct pk_tlv t;
	size_t n = unit_vector("tlv", row->name, in, sizeof(in) - row->pad);
	int r;

	memcpy(in + n, pattern, row->pad);
	n += row->pad;
	pk_cur_init(&c, in, n);
	memset(&t, 0, sizeof(t));
	r = pk_cur_tlv(&c, &t);
	assert_int_equal(r, row->rc);
	assert_int_equal(c.left, row->left);
	assert_ptr_equal(c.p, in + (n - row->left));
	if (r != 1)
		return;
	assert_int_equal(t.tag, row->tag);
	assert_int_equal(t.len, row->len);
	assert_ptr_equal(t.value, in + (n - row->left - row->len));
}

/* ---- pk-tlv: the primitive readers --------------------------------------- */

static void
test_cur_short_reads(void **state)
{
	static const u8 one[1] = {0x12};
	struct pk_cur c;
	const u8 *p = NULL;
	unsigned int v = 0xDEAD;

	pk_cur_init(&c, one, 1);
	assert_int_equal(pk_cur_u16(&c, &v), SC_ERROR_INVALID_DATA);
	assert_int_equal(v, 0xDEAD);
	assert_int_equal(pk_cur_bytes(&c, 2, &p), SC_ERROR_INVALID_DATA);
	assert_null(p);
	assert_int_equal(c.left, 1);
	assert_int_equal(pk_cur_u8(&c, &v), 0);
	assert_int_equal(v, 0x12);
	assert_int_equal(pk_cur_u8(&c, &v), SC_ERROR_INVALID_DATA);
	assert_int_equal(pk_cur_bytes(&c, 0, &p), 0);
	assert_int_equal(c.left, 0);

	pk_cur_init(&c, NULL, 5);
	assert_int_equal(c.left, 0);
	assert_int_equal(pk_cur_u8(&c, &v), SC_ERROR_INVALID_DATA);
}

static void
test_cur_u16_big_endian(void **state)
{
	static const u8 in[3] = {0x12, 0x34, 0x56};
	struct pk_cur c;
	unsigned int v;

	pk_cur_init(&c, in, sizeof(in));
	assert_int_equal(pk_cur_u16(&c, &v), 0);
	assert_int_equal(v, 0x1234);
	assert_int_equal(c.left, 1);
}

struct find_row {
	const char *name;
	unsigned int tag;
	int rc;
	const char *value; /* when found */
};

static const struct find_row find_rows[] = {
	{"find: malformed before the tag", 0x06, BAD_TLV, NULL},
	{"find: absent", 0x06, 0, NULL},
	{"find: empty input", 0x04, 0, NULL},
	{"find: nested tags are not searched", 0x80, 0, NULL},
	{"find: second item", 0x5A, 1, "1234"},
	{"find: the first of two", 0x5A, 1, "01"},
	{"find: garbage after the tag is not read", 0x5A, 1, "01"},
	{"find: 2-byte tag", 0x5F20, 1, "4142"},
};

static void
test_find_row(void **state)
{
	const struct find_row *row = *state;
	u8 in[64];
	size_t n = unit_vector("tlv", row->name, in, sizeof(in));
	struct pk_tlv t;

	assert_int_equal(pk_tlv_find(in, n, row->tag, &t), row->rc);
	if (row->rc == 1) {
		assert_int_equal(t.tag, row->tag);
		assert_hex_equal(t.value, t.len, row->value);
	}
}

struct uint_row {
	const char *name;
	const char *hex;
	int rc;
	unsigned int v;
};

static const struct uint_row uint_rows[] = {
	{"uint: 5 bytes is too long", "01 02 03 04 05", SC_ERROR_INVALID_DATA, 0},
	{"uint: 0 bytes is 0", "", 0, 0},
	{"uint: 1 byte", "7F", 0, 0x7F},
	{"uint: 2 bytes big-endian", "01 02", 0, 0x0102},
	{"uint: 4 bytes", "FF FF FF FE", 0, 0xFFFFFFFE},
};

static void
test_uint_row(void **state)
{
	const struct uint_row *row = *state;
	u8 in[8];
	struct pk_tlv t = {0x02, in, unit_hex(row->hex, in, sizeof(in))};
	unsigned int v = 0xDEAD;

	assert_int_equal(pk_tlv_uint(&t, &v), row->rc);
	if (row->rc == 0)
		assert_int_equal(v, row->v);
}

/* ---- pk-text ------------------------------------------------------------ */

struct text_row {
	const char *name; /* in tests/vectors/text.vec */
	size_t valid;     /* bytes of text before the first fault */
	size_t (*check)(const unsigned char *s, size_t len); /* NULL: pk_text_valid_len */
};

/* refused (the offset of the first byte of the character that is not text),
 * then text (all of it) */
static const struct text_row text_rows[] = {
	{"latin-1 Juergen with an u-umlaut", 1},
	{"windows-1252 euro sign", 2},
	{"tab", 1},
	{"CR at the end", 2},
	{"NUL", 1},
	{"DEL", 1},
	{"C1 control U+0085 (NEL)", 1},
	{"overlong slash C0 AF", 1},
	{"overlong E0 80 AF", 1},
	{"overlong F0 80 80 AF", 1},
	{"surrogate U+D800", 1},
	{"past U+10FFFF: F4 90 80 80", 1},
	{"F5 lead byte", 1},
	{"lone continuation byte", 1},
	{"two-byte character cut off", 1},
	{"three-byte character cut off", 1},
	{"continuation missing inside", 1},
	{"empty", 0},
	{"ascii label", 13},
	{"utf-8 Juergen Mueller with u-umlauts", 15},
	{"utf-8 euro sign", 5},
	{"utf-8 U+10FFFF, the last code point", 5},
	{"utf-8 U+00A0, the first after C1", 3},
};

/* pk_text_pin_len over the same vectors: printable ASCII only */
static const struct text_row pin_rows[] = {
	{"latin-1 Juergen with an u-umlaut", 1, pk_text_pin_len},
	{"utf-8 Juergen Mueller with u-umlauts", 1, pk_text_pin_len},
	{"utf-8 U+00A0, the first after C1", 1, pk_text_pin_len},
	{"tab", 1, pk_text_pin_len},
	{"CR at the end", 2, pk_text_pin_len},
	{"NUL", 1, pk_text_pin_len},
	{"DEL", 1, pk_text_pin_len},
	{"empty", 0, pk_text_pin_len},
	{"ascii label", 13, pk_text_pin_len},
};

static void
test_text_row(void **state)
{
	const struct text_row *row = *state;
	u8 in[64];
	size_t n = unit_vector("text", row->name, in, sizeof(in));

	assert_int_equal((row->check ? row->check : pk_text_valid_len)(in, n), row->valid);
}

int
main(void)
{
	const struct CMUnitTest misc[] = {
		cmocka_unit_test(test_buf_null_memory),
		cmocka_unit_test(test_buf_large_tlv),
		cmocka_unit_test(test_cur_short_reads),
		cmocka_unit_test(test_cur_u16_big_endian),
	};
	size_t i;
	int r = 0;

	for (i = 0; i < sizeof(pattern); i++)
		pattern[i] = (u8)i;
	r |= UNIT_RUN_ROWS("pk_buf", buf_rows, test_buf_row);
	r |= UNIT_RUN_ROWS("pk_cur_tlv", tlv_rows, test_tlv_row);
	r |= UNIT_RUN_ROWS("pk_tlv_find", find_rows, test_find_row);
	r |= UNIT_RUN_ROWS("pk_tlv_uint", uint_rows, test_uint_row);
	r |= UNIT_RUN_ROWS("pk_text_valid_len", text_rows, test_text_row);
	r |= UNIT_RUN_ROWS("pk_text_pin_len", pin_rows, test_text_row);
	r |= cmocka_run_group_tests_name("pk_buf/pk_cur misc", misc, NULL, NULL);
	return r ? 1 : 0;
}
