/*
 * cardsim - bounded response builder, bounded TLV reader, hex helpers.
 * Every read compares a length with the remaining count; no pointer
 * arithmetic past the end is ever formed.
 */
#include <ctype.h>
#include <string.h>

#include "sim.h"

void
buf_init(struct sim_buf *b, uint8_t *mem, size_t cap)
{
	b->p = mem;
	b->len = 0;
	b->cap = cap;
	b->failed = 0;
}

void
buf_put(struct sim_buf *b, const uint8_t *src, size_t n)
{
	if (b->failed || n > b->cap - b->len) {
		b->failed = 1;
		return;
	}
	if (n)
		memcpy(b->p + b->len, src, n);
	b->len += n;
}

void
buf_put_u8(struct sim_buf *b, uint8_t v)
{
	buf_put(b, &v, 1);
}

void
buf_put_u16(struct sim_buf *b, uint16_t v)
{
	uint8_t t[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	buf_put(b, t, 2);
}

static size_t
len_size(size_t n)
{
	if (n < 0x80)
		return 1;
	return n < 0x100 ? 2 : 3;
}

static void
put_len(uint8_t *dst, size_t n)
{
	if (n < 0x80) {
		dst[0] = (uint8_t)n;
	} else if (n < 0x100) {
		dst[0] = 0x81;
		dst[1] = (uint8_t)n;
	} else {
		dst[0] = 0x82;
		dst[1] = (uint8_t)(n >> 8);
		dst[2] = (uint8_t)n;
	}
}

void
buf_put_tlv(struct sim_buf *b, uint8_t tag, const uint8_t *val, size_t n)
{
	uint8_t hdr[4];

	if (n > 0xFFFF) {
		b->failed = 1;
		return;
	}
	hdr[0] = tag;
	put_len(hdr + 1, n);
	buf_put(b, hdr, 1 + len_size(n));
	buf_put(b, val, n);
}

void
buf_wrap(struct sim_buf *b, size_t start, uint8_t tag)
{
	size_t body, hl;

	if (b->failed || start > b->len) {
		b->failed = 1;
		return;
	}
	body = b->len - start;
	hl = 1 + len_size(body);
	if (body > 0xFFFF || hl > b->cap - b->len) {
		b->failed = 1;
		return;
	}
	memmove(b->p + start + hl, b->p + start, body);
	b->p[start] = tag;
	put_len(b->p + start + 1, body);
	b->len += hl;
}

void
tlv_begin(struct tlv_reader *r, const uint8_t *p, size_t n)
{
	r->p = p;
	r->left = n;
}

static int
take(struct tlv_reader *r, uint8_t *v)
{
	if (r->left < 1)
		return -1;
	*v = r->p[0];
	r->p++;
	r->left--;
	return 0;
}

int
tlv_next(struct tlv_reader *r, struct tlv *t)
{
	uint8_t b, b2;
	size_t len;

	if (r->left == 0)
		return 0;
	if (take(r, &b) < 0)
		return -1;
	t->tag = b;
	if ((b & 0x1F) == 0x1F) {
		if (take(r, &b2) < 0 || (b2 & 0x80))
			return -1;	/* only two-byte tags */
		t->tag = ((unsigned int)b << 8) | b2;
	}
	if (take(r, &b) < 0)
		return -1;
	if (b < 0x80) {
		len = b;
	} else if (b == 0x81) {
		if (take(r, &b2) < 0)
			return -1;
		len = b2;
	} else if (b == 0x82) {
		uint8_t hi, lo;

		if (take(r, &hi) < 0 || take(r, &lo) < 0)
			return -1;
		len = ((size_t)hi << 8) | lo;
	} else {
		return -1;
	}
	if (len > r->left)
		return -1;
	t->val = r->p;
	t->len = len;
	r->p += len;
	r->left -= len;
	return 1;
}

int
tlv_find(const uint8_t *p, size_t n, unsigned int tag, struct tlv *out)
{
	struct tlv_reader r;
	struct tlv t;
	int rv;

	tlv_begin(&r, p, n);
	while ((rv = tlv_next(&r, &t)) == 1) {
		if (t.tag == tag) {
			*out = t;
			return 1;
		}
	}
	return rv;
}

static int
hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch = tolower(ch);
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

long
hex_decode(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;

	for (; *s; s++) {
		int v;

		if (*s == ' ' || *s == ':' || *s == '\t')
			continue;
		v = hexval((unsigned char)*s);
		if (v < 0)
			return -1;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n >= cap)
			return -1;
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	if (hi >= 0)
		return -1;
	return (long)n;
}

void
hex_encode(const uint8_t *p, size_t n, char *out)
{
	static const char digits[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 0x0F];
	}
	out[2 * n] = '\0';
}
