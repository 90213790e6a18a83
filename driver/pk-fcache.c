/*
 * pk-fcache.c: the drivers' file cache (pk-fcache.h).
 *
 * Copyright (C) 2026 pkicards contributors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _WIN32
#include <windows.h>
#else
#include <fcntl.h>
#include <unistd.h>
#endif

#include "libopensc/log.h"
#include "pk-fcache.h"
#include "pk-tlv.h"

#define PK_FCACHE_MAGIC "pkicards file cache 1"
#define PK_FCACHE_FILE_LIMIT (1024 * 1024) /* a persisted cache larger than this is not read */

static void
pk_fcache_entry_free(struct pk_fcache_entry *e)
{
	free(e->data);
	free(e);
}

void
pk_fcache_clear(struct pk_fcache *fc)
{
	struct pk_fcache_entry *e, *n;

	for (e = fc->head; e; e = n) {
		n = e->next;
		pk_fcache_entry_free(e);
	}
	fc->head = NULL;
	fc->fplen = 0;
	fc->dirty = 0;
}

void
pk_fcache_free(struct pk_fcache *fc)
{
	pk_fcache_clear(fc);
}

struct pk_fcache_entry *
pk_fcache_get(struct pk_fcache *fc, const u8 *path, size_t len)
{
	struct pk_fcache_entry *e;

	for (e = fc->head; e; e = e->next) {
		if (e->pathlen == len && memcmp(e->path, path, len) == 0)
			return e;
	}
	return NULL;
}

struct pk_fcache_entry *
pk_fcache_add(struct pk_fcache *fc, const u8 *path, size_t len)
{
	struct pk_fcache_entry *e = pk_fcache_get(fc, path, len);

	if (e)
		return e;
	if (len == 0 || len > SC_MAX_PATH_SIZE)
		return NULL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	memcpy(e->path, path, len);
	e->pathlen = len;
	e->next = fc->head;
	fc->head = e;
	return e;
}

static int
pk_fcache_below(const struct pk_fcache_entry *e, const u8 *path, size_t len)
{
	return e->pathlen >= len && memcmp(e->path, path, len) == 0;
}

void
pk_fcache_drop(struct pk_fcache *fc, const u8 *path, size_t len)
{
	struct pk_fcache_entry **pp = &fc->head;

	while (*pp) {
		struct pk_fcache_entry *e = *pp;

		if (pk_fcache_below(e, path, len)) {
			*pp = e->next;
			pk_fcache_entry_free(e);
		} else {
			pp = &e->next;
		}
	}
}

void
pk_fcache_drop_data(struct pk_fcache *fc, const u8 *path, size_t len)
{
	struct pk_fcache_entry *e = pk_fcache_get(fc, path, len);

	if (!e)
		return;
	free(e->data);
	e->data = NULL;
	e->datalen = 0;
	e->end = 0;
	e->complete = 0;
}

void
pk_fcache_ef_exists(struct pk_fcache *fc, const u8 *path, size_t len)
{
	struct pk_fcache_entry *e = pk_fcache_add(fc, path, len);

	if (!e || (e->ef_exists && !e->missing))
		return;
	e->ef_exists = 1;
	e->missing = 0;
	fc->dirty = 1;
}

void
pk_fcache_set_fci(struct pk_fcache *fc, struct pk_fcache_entry *e, const u8 *fci, size_t fcilen,
		size_t size, int pub)
{
	if (fcilen > sizeof(e->fci))
		return;
	if (e->fcilen != fcilen || memcmp(e->fci, fci, fcilen) != 0) {
		memcpy(e->fci, fci, fcilen);
		e->fcilen = fcilen;
		fc->dirty = 1;
	}
	if (e->size != size) { /* another file than the one whose content is known */
		free(e->data);
		e->data = NULL;
		e->datalen = e->end = 0;
		e->complete = 0;
	}
	e->size = size;
	e->pub = pub ? 1 : 0;
	e->missing = 0;
}

int
pk_fcache_read(const struct pk_fcache_entry *e, size_t off, u8 *buf, size_t count)
{
	size_t stop;

	/* a request within what was read is answered as the card would, the
	 * padding after the content included: a writer looks for the 00 that
	 * ends the objects (pk-p15df.c) */
	if (off <= e->datalen && count <= e->datalen - off) {
		memcpy(buf, e->data + off, count);
		return (int)count;
	}
	if (!e->complete)
		return -1; /* only part of it is known: the card answers the whole */
	/* the request reaches past what was read: the answer stops at the end
	 * of the file when all of it is known, else at the end of the content,
	 * never inside the padding (OpenSC's ASN.1 decoder refuses an EF(ODF)
	 * that ends in a single 00 byte: "PKCS#15 compatible smart card not
	 * found") */
	stop = e->size && e->datalen == e->size ? e->datalen : e->end;
	if (off >= stop)
		return 0;
	if (count > stop - off)
		count = stop - off;
	memcpy(buf, e->data + off, count);
	return (int)count;
}

/* Length of the BER-TLV at @p p (@p n bytes known) in *tlvlen.
 * @return 1 known, 0 more bytes needed, -1 not a TLV any PKCS#15 file holds */
static int
pk_tlv_extent(const u8 *p, size_t n, size_t *tlvlen)
{
	size_t i = 1, len, k, lenbytes;

	if ((p[0] & 0x1F) == 0x1F) { /* tag of up to 3 bytes */
		while (i < n && (p[i] & 0x80) && i < 3)
			i++;
		if (i >= n)
			return 0;
		if (p[i] & 0x80)
			return -1;
		i++;
	}
	if (i >= n)
		return 0;
	if (p[i] < 0x80) {
		len = p[i];
		i++;
	} else {
		lenbytes = p[i] & 0x7F;
		if (lenbytes == 0 || lenbytes > 3)
			return -1;
		if (i + 1 + lenbytes > n)
			return 0;
		for (len = 0, k = 0; k < lenbytes; k++)
			len = len << 8 | p[i + 1 + k];
		i += 1 + lenbytes;
	}
	if (len > PK_FCACHE_FILE_MAX)
		return -1;
	if (i + len > n)
		return 0;
	*tlvlen = i + len;
	return 1;
}

int
pk_fcache_content_end(const u8 *p, size_t n, size_t *end)
{
	size_t at = 0, i, tl;
	int r, objects = 0;

	while (at < n && p[at] != 0x00) {
		r = pk_tlv_extent(p + at, n - at, &tl);
		if (r <= 0)
			return r;
		at += tl;
		objects++;
	}
	if (at >= n)
		return 0; /* what follows the objects is not known yet */
	if (!objects && n < 128)
		return 0; /* an empty file is all 00: a little more to be sure */
	for (i = at; i < n; i++) {
		if (p[i] != 0x00)
			return -1;
	}
	*end = at;
	return 1;
}

int
pk_fcache_last_update(const u8 *p, size_t n, size_t *off)
{
	struct pk_cur c, in;
	struct pk_tlv t, g;
	int r;

	pk_cur_init(&c, p, n);
	r = pk_cur_tlv(&c, &t);
	if (r <= 0 || t.tag != 0x30)
		return r < 0 ? r : SC_ERROR_INVALID_ASN1_OBJECT;
	pk_cur_init(&c, t.value, t.len);
	while ((r = pk_cur_tlv(&c, &t)) == 1) {
		if (t.tag != 0xA5)
			continue;
		pk_cur_init(&in, t.value, t.len);
		r = pk_cur_tlv(&in, &g);
		if (r < 0)
			return r;
		if (r == 0 || g.tag != 0x18 || g.len != PK_FCACHE_STAMP_LEN)
			return 0; /* a referenced time, or another form */
		*off = (size_t)(g.value - p);
		return 1;
	}
	return r;
}

/* Days since 1970-01-01 to year, month, day (proleptic Gregorian) */
static void
pk_fcache_civil(long long days, long long *y, unsigned int *m, unsigned int *d)
{
	long long era, z = days + 719468;
	unsigned int doe, yoe, doy, mp;

	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned int)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (long long)yoe + era * 400 + (*m <= 2);
}

/* @p v as @p n decimal digits (the lowest ones) */
static u8 *
pk_fcache_digits(u8 *out, unsigned int v, int n)
{
	int i;

	for (i = n - 1; i >= 0; i--, v /= 10)
		out[i] = (u8)('0' + v % 10);
	return out + n;
}

static void
pk_fcache_time(long long t, u8 *out)
{
	long long days = t >= 0 ? t / 86400 : (t - 86399) / 86400, y;
	unsigned int secs = (unsigned int)(t - days * 86400), m, d;
	u8 *p = out;

	pk_fcache_civil(days, &y, &m, &d);
	y = y < 0 ? 0 : y > 9999 ? 9999 : y;
	p = pk_fcache_digits(p, (unsigned int)y, 4);
	p = pk_fcache_digits(p, m, 2);
	p = pk_fcache_digits(p, d, 2);
	p = pk_fcache_digits(p, secs / 3600, 2);
	p = pk_fcache_digits(p, secs / 60 % 60, 2);
	p = pk_fcache_digits(p, secs % 60, 2);
	*p = 'Z';
}

void
pk_fcache_stamp(const u8 *old, time_t now, u8 *out)
{
	pk_fcache_time((long long)now, out);
	if (memcmp(out, old, PK_FCACHE_STAMP_LEN) == 0)
		pk_fcache_time((long long)now + 1, out);
}

/* Whether the known bytes are the whole content: all of the file, or a
 * sequence of objects followed by 00 (pk_fcache_content_end) */
static void
pk_fcache_settle(struct pk_fcache_entry *e)
{
	size_t end;

	e->complete = 0;
	e->end = 0;
	if (e->size && e->datalen == e->size) {
		e->complete = 1;
		e->end = e->size;
	} else if (e->datalen && pk_fcache_content_end(e->data, e->datalen, &end) == 1) {
		e->complete = 1;
		e->end = end;
	}
}

void
pk_fcache_learn(struct pk_fcache *fc, struct pk_fcache_entry *e, size_t off, const u8 *buf, size_t n)
{
	size_t want;
	u8 *d;

	if (off != e->datalen || n == 0)
		return;
	want = e->datalen + n;
	if (want > PK_FCACHE_FILE_MAX || (e->size && want > e->size))
		return;
	d = realloc(e->data, want);
	if (!d)
		return;
	memcpy(d + e->datalen, buf, n);
	e->data = d;
	e->datalen = want;
	fc->dirty = 1;
	pk_fcache_settle(e);
}

void
pk_fcache_set_data(struct pk_fcache *fc, struct pk_fcache_entry *e, const u8 *buf, size_t n)
{
	u8 *d = n ? malloc(n) : NULL;

	free(e->data);
	e->data = NULL;
	e->datalen = e->end = 0;
	e->complete = 0;
	if (n && !d)
		return;
	if (n)
		memcpy(d, buf, n);
	e->data = d;
	e->datalen = e->end = n;
	e->complete = 1;
	e->missing = 0;
	fc->dirty = 1;
}

void
pk_fcache_written(struct pk_fcache_entry *e, size_t off, const u8 *buf, size_t n)
{
	if (!e->data || off > e->datalen || off + n > e->datalen) {
		/* what the card now holds is not all known here */
		free(e->data);
		e->data = NULL;
		e->datalen = e->end = 0;
		e->complete = 0;
		return;
	}
	memcpy(e->data + off, buf, n);
	pk_fcache_settle(e);
}

int
pk_fcache_odf_paths(const u8 *p, size_t n, const u8 *odfpath, size_t odfpathlen,
		u8 (*paths)[SC_MAX_PATH_SIZE], size_t *lens, size_t max)
{
	struct pk_cur c, in;
	struct pk_tlv t, seq, path;
	size_t count = 0, df = 0;
	int r;

	if (odfpathlen >= 2 && odfpathlen <= SC_MAX_PATH_SIZE)
		df = odfpathlen - 2; /* the ODF's DF: its path without the ODF's FID */
	pk_cur_init(&c, p, n);
	while ((r = pk_cur_tlv(&c, &t)) == 1) {
		if (t.tag < 0xA0 || t.tag > 0xA8)
			continue;
		pk_cur_init(&in, t.value, t.len);
		if (pk_cur_tlv(&in, &seq) != 1 || seq.tag != 0x30)
			continue; /* a direct value or an unknown choice */
		pk_cur_init(&in, seq.value, seq.len);
		if (pk_cur_tlv(&in, &path) != 1 || path.tag != 0x04 || path.len < 2 || path.len % 2 ||
				path.len > SC_MAX_PATH_SIZE || count >= max)
			continue;
		if (path.value[0] == 0x3F && path.value[1] == 0x00) {
			memcpy(paths[count], path.value, path.len);
			lens[count++] = path.len;
		} else if (df && df + path.len <= SC_MAX_PATH_SIZE) {
			memcpy(paths[count], odfpath, df);
			memcpy(paths[count] + df, path.value, path.len);
			lens[count++] = df + path.len;
		}
	}
	return r < 0 ? r : (int)count;
}

size_t
pk_fcache_cert_paths(struct pk_fcache *fc, u8 (*paths)[SC_MAX_PATH_SIZE], size_t *lens, size_t max)
{
	const struct pk_fcache_entry *o, *d;
	u8 dirs[8][SC_MAX_PATH_SIZE], odf[512];
	size_t dlens[8], n, count = 0;
	struct pk_cur c, in;
	struct pk_tlv t, a, path;
	const u8 *start;
	int i, ndirs;

	for (o = fc->head; o; o = o->next) {
		if (!o->complete || o->pathlen < 4 || o->path[0] != 0x3F || o->path[1] != 0x00 ||
				o->path[o->pathlen - 2] != 0x50 || o->path[o->pathlen - 1] != 0x31)
			continue;
		n = 0; /* the ODF's certificate directory entries alone */
		pk_cur_init(&c, o->data, o->end);
		for (start = c.p; pk_cur_tlv(&c, &t) == 1; start = c.p) {
			if ((t.tag == 0xA4 || t.tag == 0xA5 || t.tag == 0xA6) &&
					n + (size_t)(c.p - start) <= sizeof(odf)) {
				memcpy(odf + n, start, (size_t)(c.p - start));
				n += (size_t)(c.p - start);
			}
		}
		ndirs = pk_fcache_odf_paths(odf, n, o->path, o->pathlen, dirs, dlens, 8);
		for (i = 0; i < ndirs; i++) {
			d = pk_fcache_get(fc, dirs[i], dlens[i]);
			if (!d || !d->complete)
				continue;
			/* each certificate object: 30 { ..., A1 { 30 { 30 { 04 path } } } } */
			pk_cur_init(&c, d->data, d->end);
			while (pk_cur_tlv(&c, &t) == 1) {
				if (t.tag != 0x30 || pk_tlv_find(t.value, t.len, 0xA1, &a) != 1)
					continue;
				pk_cur_init(&in, a.value, a.len);
				if (pk_cur_tlv(&in, &a) != 1 || a.tag != 0x30 ||
						pk_tlv_find(a.value, a.len, 0x30, &a) != 1 ||
						pk_tlv_find(a.value, a.len, 0x04, &path) != 1 || path.len < 4 ||
						path.len % 2 || path.len > SC_MAX_PATH_SIZE || path.value[0] != 0x3F ||
						path.value[1] != 0x00 || count >= max)
					continue;
				memcpy(paths[count], path.value, path.len);
				lens[count++] = path.len;
			}
		}
	}
	return count;
}

/* ---- persisted form ------------------------------------------------------ */

int
pk_fcache_name(struct sc_context *ctx, struct pk_fcache *fc, const char *driver, const u8 *serial,
		size_t seriallen)
{
	char dir[400], hex[2 * SC_MAX_SERIALNR + 1];
	size_t i;

	fc->file[0] = '\0';
	if (seriallen == 0 || seriallen > SC_MAX_SERIALNR)
		return SC_ERROR_INVALID_ARGUMENTS;
	if (sc_get_cache_dir(ctx, dir, sizeof(dir)) != SC_SUCCESS)
		return SC_ERROR_INTERNAL;
	for (i = 0; i < seriallen; i++)
		snprintf(hex + 2 * i, 3, "%02X", serial[i]);
	if ((size_t)snprintf(fc->file, sizeof(fc->file), "%s/pkicards-%s-%s", dir, driver, hex) >=
			sizeof(fc->file)) {
		fc->file[0] = '\0';
		return SC_ERROR_BUFFER_TOO_SMALL;
	}
	return 0;
}

static int
pk_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* One whitespace-separated field of a line: a cursor over the buffer */
struct pk_line {
	const u8 *p;
	size_t left;
};

static int
pk_field(struct pk_line *l, const u8 **f, size_t *n)
{
	while (l->left && *l->p == ' ') {
		l->p++;
		l->left--;
	}
	*f = l->p;
	while (l->left && *l->p != ' ') {
		l->p++;
		l->left--;
	}
	*n = (size_t)(l->p - *f);
	return *n ? 0 : -1;
}

/* "-" is empty; else uppercase hex of at most @p cap bytes */
static int
pk_field_hex(struct pk_line *l, u8 *out, size_t cap, size_t *outlen)
{
	const u8 *f;
	size_t n, i;

	if (pk_field(l, &f, &n) < 0)
		return -1;
	if (n == 1 && f[0] == '-') {
		*outlen = 0;
		return 0;
	}
	if (n % 2 || n / 2 > cap)
		return -1;
	for (i = 0; i < n / 2; i++) {
		int hi = pk_hexval(f[2 * i]), lo = pk_hexval(f[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (u8)(hi << 4 | lo);
	}
	*outlen = n / 2;
	return 0;
}

static int
pk_field_num(struct pk_line *l, size_t max, size_t *v)
{
	const u8 *f;
	size_t n, i;

	if (pk_field(l, &f, &n) < 0 || n > 6)
		return -1;
	*v = 0;
	for (i = 0; i < n; i++) {
		if (f[i] < '0' || f[i] > '9')
			return -1;
		*v = *v * 10 + (size_t)(f[i] - '0');
	}
	return *v <= max ? 0 : -1;
}

/* e PATH FCI SIZE PUB VALIDATOR COMPLETE END DATA */
static int
pk_fcache_parse_entry(struct pk_fcache *fc, struct pk_line *l)
{
	u8 path[SC_MAX_PATH_SIZE], *data = NULL;
	struct pk_fcache_entry *e;
	size_t pathlen, fcilen, size, pub, val, complete, end, datalen;
	u8 fci[PK_FCACHE_FCI_MAX];

	if (pk_field_hex(l, path, sizeof(path), &pathlen) < 0 || pathlen < 2 || pathlen % 2 ||
			pk_field_hex(l, fci, sizeof(fci), &fcilen) < 0 ||
			pk_field_num(l, PK_FCACHE_FILE_MAX, &size) < 0 || pk_field_num(l, 1, &pub) < 0 ||
			pk_field_num(l, 1, &val) < 0 || pk_field_num(l, 1, &complete) < 0 ||
			pk_field_num(l, PK_FCACHE_FILE_MAX, &end) < 0)
		return -1;
	data = malloc(PK_FCACHE_FILE_MAX);
	if (!data)
		return SC_ERROR_OUT_OF_MEMORY;
	if (pk_field_hex(l, data, PK_FCACHE_FILE_MAX, &datalen) < 0 || l->left != 0 ||
			(size && datalen > size) || (complete && end > datalen) || pk_fcache_get(fc, path, pathlen)) {
		free(data);
		return -1;
	}
	e = pk_fcache_add(fc, path, pathlen);
	if (!e) {
		free(data);
		return SC_ERROR_OUT_OF_MEMORY;
	}
	memcpy(e->fci, fci, fcilen);
	e->fcilen = fcilen;
	e->ef_exists = fcilen == 0; /* only such entries are persisted without FCI */
	e->size = size;
	e->pub = pub ? 1 : 0;
	e->validator = val ? 1 : 0;
	e->complete = complete && datalen ? 1 : 0;
	e->end = e->complete ? end : 0;
	if (datalen) {
		e->data = realloc(data, datalen);
		e->datalen = e->data ? datalen : 0;
		if (!e->data)
			free(data);
	} else {
		free(data);
	}
	return 0;
}

int
pk_fcache_parse(struct pk_fcache *fc, const u8 *buf, size_t len)
{
	size_t magic = strlen(PK_FCACHE_MAGIC), fplen;
	int have_fp = 0, r = 0;

	pk_fcache_clear(fc);
	if (len < magic + 1 || memcmp(buf, PK_FCACHE_MAGIC, magic) != 0 || buf[magic] != '\n')
		return SC_ERROR_INVALID_DATA;
	buf += magic + 1;
	len -= magic + 1;
	while (r == 0 && len > 0) {
		const u8 *nl = memchr(buf, '\n', len);
		struct pk_line l;
		const u8 *f;
		size_t n;

		if (!nl) {
			r = -1;
			break;
		}
		l.p = buf;
		l.left = (size_t)(nl - buf);
		len -= l.left + 1;
		buf = nl + 1;
		if (pk_field(&l, &f, &n) < 0 || n != 1)
			r = -1;
		else if (f[0] == 'f' && !have_fp) {
			r = pk_field_hex(&l, fc->fp, sizeof(fc->fp), &fplen) < 0 || l.left ? -1 : 0;
			fc->fplen = fplen;
			have_fp = 1;
		} else if (f[0] == 'e' && have_fp) {
			r = pk_fcache_parse_entry(fc, &l);
		} else {
			r = -1;
		}
	}
	if (r != 0 || !have_fp) {
		pk_fcache_clear(fc);
		return r == SC_ERROR_OUT_OF_MEMORY ? r : SC_ERROR_INVALID_DATA;
	}
	fc->dirty = 0;
	return 0;
}

int
pk_fcache_load(struct sc_context *ctx, struct pk_fcache *fc)
{
	FILE *f;
	u8 *buf;
	size_t n;
	int r;

	if (!fc->file[0])
		return SC_ERROR_FILE_NOT_FOUND;
	f = fopen(fc->file, "rb");
	if (!f)
		return SC_ERROR_FILE_NOT_FOUND;
	buf = malloc(PK_FCACHE_FILE_LIMIT + 1);
	if (!buf) {
		fclose(f);
		return SC_ERROR_OUT_OF_MEMORY;
	}
	n = fread(buf, 1, PK_FCACHE_FILE_LIMIT + 1, f);
	fclose(f);
	r = n <= PK_FCACHE_FILE_LIMIT ? pk_fcache_parse(fc, buf, n) : SC_ERROR_INVALID_DATA;
	free(buf);
	if (r == SC_ERROR_INVALID_DATA) {
		sc_log(ctx, "file cache %s is not one this driver wrote: deleted", fc->file);
		remove(fc->file);
		return SC_ERROR_FILE_NOT_FOUND;
	}
	return r;
}

static void
pk_put_hex(FILE *f, const u8 *p, size_t n)
{
	size_t i;

	if (n == 0) {
		fputs(" -", f);
		return;
	}
	fputc(' ', f);
	for (i = 0; i < n; i++)
		fprintf(f, "%02X", p[i]);
}

static FILE *
pk_fcache_create(const char *name)
{
#ifdef _WIN32
	return fopen(name, "wb");
#else
	int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	return fd < 0 ? NULL : fdopen(fd, "wb");
#endif
}

static unsigned long
pk_fcache_pid(void)
{
#ifdef _WIN32
	return (unsigned long)GetCurrentProcessId();
#else
	return (unsigned long)getpid();
#endif
}

static int
pk_fcache_replace(const char *from, const char *to)
{
#ifdef _WIN32
	return MoveFileExA(from, to, MOVEFILE_REPLACE_EXISTING) ? 0 : -1;
#else
	return rename(from, to);
#endif
}

int
pk_fcache_save(struct sc_context *ctx, struct pk_fcache *fc)
{
	char tmp[sizeof(fc->file) + 16];
	const struct pk_fcache_entry *e;
	FILE *f;
	int bad;

	if (!fc->enabled || fc->wrote || !fc->dirty || !fc->file[0] || !fc->fplen)
		return 0;
	for (e = fc->head; e && !(e->validator && e->complete && e->pub); e = e->next)
		;
	if (!e) /* nothing tells a later process whether the card changed */
		return 0;
	/* a name of this process's own: two processes that start cold on one
	 * card both save, and must not write into one temporary file */
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.%lu", fc->file, pk_fcache_pid()) >= sizeof(tmp))
		return SC_ERROR_BUFFER_TOO_SMALL;
	f = pk_fcache_create(tmp);
	if (!f && errno == ENOENT && sc_make_cache_dir(ctx) == SC_SUCCESS)
		f = pk_fcache_create(tmp);
	if (!f) {
		sc_log(ctx, "cannot write the file cache %s", tmp);
		return SC_ERROR_INTERNAL;
	}
	fprintf(f, "%s\nf", PK_FCACHE_MAGIC);
	pk_put_hex(f, fc->fp, fc->fplen);
	fputc('\n', f);
	for (e = fc->head; e; e = e->next) {
		int keep = e->pub && e->datalen;

		if (e->missing || (!e->fcilen && !e->ef_exists))
			continue; /* nothing a later process could use */

		fputc('e', f);
		pk_put_hex(f, e->path, e->pathlen);
		pk_put_hex(f, e->fci, e->fcilen);
		fprintf(f, " %lu %u %u %u %lu", (unsigned long)e->size, e->pub ? 1u : 0u,
				e->validator ? 1u : 0u, keep && e->complete ? 1u : 0u,
				(unsigned long)(keep && e->complete ? e->end : 0));
		pk_put_hex(f, e->data, keep ? e->datalen : 0);
		fputc('\n', f);
	}
	bad = ferror(f);
	if (fclose(f) != 0 || bad || pk_fcache_replace(tmp, fc->file) != 0) {
		remove(tmp);
		sc_log(ctx, "cannot write the file cache %s", fc->file);
		return SC_ERROR_INTERNAL;
	}
	fc->dirty = 0;
	return 0;
}

void
pk_fcache_will_write(struct sc_context *ctx, struct pk_fcache *fc)
{
	if (fc->wrote)
		return;
	fc->wrote = 1;
	if (fc->file[0] && remove(fc->file) == 0)
		sc_log(ctx, "the card changes: file cache %s deleted", fc->file);
}
