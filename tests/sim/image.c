/*
 * cardsim - card images and state files (one text format for both).
 *
 *   cardsim-image 1
 *   card acos5-64v2
 *   serial A50200000002
 *   eeprom C183=96 C191=00 C192=00
 *   DF 3F00 fdb=3F dcb=00 sfi=00 lcsi=01 se=0003 name= sac= sae=
 *   EF 3F00/2F00 fdb=01 dcb=00 sfi=00 lcsi=05 sac=... sae= size=0021 data=...
 *   EF 3F00/0001 fdb=0A ... mrl=15 nor=01 rec=C18808...,-,...
 *   PIN 3F00 ref=01 max=3 tries=3 value=... pukmax=0 puktries=0 puk=
 *   checksum sha256 <64 hex digits over every byte before this line>
 *
 * See doc/simulator.md for the full grammar.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "sim.h"

#define IMAGE_MAGIC	"cardsim-image"
#define IMAGE_VERSION	1
#define IMAGE_MAX_BYTES	(16u << 20)	/* far above any card's EEPROM as text */
#define SUM_KEY		"checksum sha256 "
#define SUM_HEX		64
#define SUM_LINE_LEN	(sizeof(SUM_KEY) - 1 + SUM_HEX + 1)

struct parser {
	struct sim_card *c;
	const char *path;
	unsigned long line;
	char *err;
	size_t errcap;
	int have_card;
};

static int
perr(struct parser *ps, const char *fmt, ...)
{
	va_list ap;
	size_t off;

	off = (size_t)snprintf(ps->err, ps->errcap, "%s:%lu: ", ps->path, ps->line);
	if (off >= ps->errcap)
		return -1;
	va_start(ap, fmt);
	vsnprintf(ps->err + off, ps->errcap - off, fmt, ap);
	va_end(ap);
	return -1;
}

/* ---- small field parsers ------------------------------------------------ */

static int
parse_hexnum(const char *v, size_t maxdigits, unsigned long *out)
{
	char *end;

	if (!*v || strlen(v) > maxdigits || strspn(v, "0123456789abcdefABCDEF") != strlen(v))
		return -1;
	*out = strtoul(v, &end, 16);
	return *end ? -1 : 0;
}

static int
parse_dec(const char *v, unsigned long max, unsigned long *out)
{
	char *end;

	if (!*v || strspn(v, "0123456789") != strlen(v) || strlen(v) > 6)
		return -1;
	*out = strtoul(v, &end, 10);
	return (*end || *out > max) ? -1 : 0;
}

static int
parse_bytes(const char *v, uint8_t *out, size_t cap, size_t *n)
{
	long r;

	if (strlen(v) % 2)
		return -1;
	r = hex_decode(v, out, cap);
	if (r < 0 || strchr(v, ' ') || strchr(v, ':'))
		return -1;
	*n = (size_t)r;
	return 0;
}

/* Resolves "3F00/4100/4101": returns the parent DF, sets *fid. */
static struct sim_file *
resolve_path(struct parser *ps, const char *path, uint16_t *fid, int *is_mf)
{
	struct sim_file *df = NULL;
	char comp[5];
	const char *p = path;
	unsigned long v;

	*is_mf = 0;
	for (;;) {
		size_t n = strcspn(p, "/");

		if (n != 4)
			return perr(ps, "bad path '%s'", path), NULL;
		memcpy(comp, p, 4);
		comp[4] = '\0';
		if (parse_hexnum(comp, 4, &v) < 0)
			return perr(ps, "bad path '%s'", path), NULL;
		p += 4;
		if (*p == '\0')
			break;
		p++;
		if (!df) {
			if (!ps->c->mf || ps->c->mf->fid != v)
				return perr(ps, "path '%s' does not start at the MF", path), NULL;
			df = ps->c->mf;
		} else {
			df = fs_child(df, (uint16_t)v);
			if (!df || df->type != FT_DF)
				return perr(ps, "parent of '%s' is not a DF", path), NULL;
		}
	}
	*fid = (uint16_t)v;
	if (!df)
		*is_mf = 1;
	return df;
}

/* ---- file lines ---------------------------------------------------------- */

static int
set_records(struct parser *ps, struct sim_file *f, const char *v)
{
	uint8_t rec[256];
	char item[520];
	unsigned int idx = 0;

	if (!*v)
		return 0;
	for (;;) {
		size_t n = strcspn(v, ","), len;

		if (n >= sizeof(item))
			return perr(ps, "record %u too long", idx + 1);
		memcpy(item, v, n);
		item[n] = '\0';
		if (idx >= f->nor)
			return perr(ps, "more records than nor=%u", f->nor);
		if (strcmp(item, "-") != 0) {
			if (parse_bytes(item, rec, sizeof(rec), &len) < 0)
				return perr(ps, "bad hex in record %u", idx + 1);
			if (fs_set_record(f, idx, rec, len) < 0)
				return perr(ps, "record %u longer than mrl", idx + 1);
		}
		idx++;
		f->nrec = (uint8_t)idx;
		if (v[n] == '\0')
			return 0;
		v += n + 1;
	}
}

static int
file_attr(struct parser *ps, struct sim_file *f, const char *k, const char *v,
	  char **data)
{
	unsigned long n;
	size_t len;

	if (!strcmp(k, "data") || !strcmp(k, "rec")) {
		data[!strcmp(k, "rec")] = (char *)v;
		return 0;
	}
	if (!strcmp(k, "name"))
		return parse_bytes(v, f->name, sizeof(f->name), &f->name_len);
	if (!strcmp(k, "sac"))
		return parse_bytes(v, f->sac, sizeof(f->sac), &f->sac_len);
	if (!strcmp(k, "sae"))
		return parse_bytes(v, f->sae, sizeof(f->sae), &f->sae_len);
	if (!strcmp(k, "ac"))
		return parse_bytes(v, f->ac, sizeof(f->ac), &f->ac_len);
	if (!strcmp(k, "se") || !strcmp(k, "size")) {
		if (parse_hexnum(v, 4, &n) < 0)
			return -1;
		if (!strcmp(k, "se"))
			f->se_fid = (uint16_t)n;
		else
			f->size = n;
		return 0;
	}
	if (parse_hexnum(v, 2, &n) < 0)
		return -1;
	if (!strcmp(k, "fdb"))
		f->fdb = (uint8_t)n;
	else if (!strcmp(k, "dcb"))
		f->dcb = (uint8_t)n;
	else if (!strcmp(k, "sfi"))
		f->sfi = (uint8_t)n;
	else if (!strcmp(k, "lcsi"))
		f->lcsi = (uint8_t)n;
	else if (!strcmp(k, "mrl"))
		f->mrl = (uint8_t)n;
	else if (!strcmp(k, "nor"))
		f->nor = (uint8_t)n;
	else
		return perr(ps, "unknown attribute '%s'", k), -2;
	(void)len;
	return 0;
}

/* Splits "k=v" tokens of the rest of a line and applies them to f. */
static int
file_attrs(struct parser *ps, struct sim_file *f, char *rest)
{
	char *data[2] = { NULL, NULL };
	char *tok, *save = NULL;
	size_t n;

	for (tok = strtok_r(rest, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(tok, '=');
		int r;

		if (!eq)
			return perr(ps, "expected key=value, got '%s'", tok);
		*eq = '\0';
		r = file_attr(ps, f, tok, eq + 1, data);
		if (r == -2)
			return -1;
		if (r < 0)
			return perr(ps, "bad value for '%s'", tok);
	}
	if (data[1] && (f->type == FT_DF || !f->mrl || !f->nor))
		return perr(ps, "rec= needs a record EF with mrl and nor");
	if (data[0] && (f->type == FT_DF || f->mrl))
		return perr(ps, "data= needs a transparent EF");
	if (f->type == FT_EF && !f->mrl) {
		if (fs_set_size(f, f->size) < 0)
			return perr(ps, "size too large");
		if (data[0]) {
			if (parse_bytes(data[0], f->data, f->size, &n) < 0)
				return perr(ps, "bad data (hex, at most size bytes)");
		}
	}
	if (data[1])
		return set_records(ps, f, data[1]);
	return 0;
}

static int
line_file(struct parser *ps, enum sim_ftype type, char *rest)
{
	char *sp = strchr(rest, ' ');
	struct sim_file *parent, *f;
	uint16_t fid;
	int is_mf;

	if (sp)
		*sp++ = '\0';
	parent = resolve_path(ps, rest, &fid, &is_mf);
	if (!parent && !is_mf)
		return -1;
	if (is_mf && (type != FT_DF || ps->c->mf))
		return perr(ps, "only one MF, and it must be a DF");
	if (parent && fs_child(parent, fid))
		return perr(ps, "duplicate file %s", rest);
	f = fs_new(type, fid);
	if (!f)
		return perr(ps, "out of memory");
	if (parent)
		fs_add_child(parent, f);
	else
		ps->c->mf = f;
	return file_attrs(ps, f, sp ? sp : (char *)"");
}

/* ---- other lines ------------------------------------------------------------ */

static int
pin_attr(struct sim_pin *p, const char *k, const char *v)
{
	unsigned long n;

	if (!strcmp(k, "value"))
		return parse_bytes(v, p->value, sizeof(p->value), &p->len);
	if (!strcmp(k, "puk"))
		return parse_bytes(v, p->puk, sizeof(p->puk), &p->puk_len);
	if (!strcmp(k, "ref"))
		return parse_hexnum(v, 2, &n) < 0 ? -1 : (p->ref = (uint8_t)n, 0);
	if (parse_dec(v, 15, &n) < 0)
		return -1;
	if (!strcmp(k, "max"))
		p->max = (uint8_t)n;
	else if (!strcmp(k, "tries"))
		p->tries = (uint8_t)n;
	else if (!strcmp(k, "pukmax"))
		p->puk_max = (uint8_t)n;
	else if (!strcmp(k, "puktries"))
		p->puk_tries = (uint8_t)n;
	else if (!strcmp(k, "transport") && n <= 1)
		p->transport = (uint8_t)n;
	else
		return -2;
	return 0;
}

static int
line_pin(struct parser *ps, char *rest)
{
	char *tok, *save = NULL, *path = strtok_r(rest, " ", &save);
	struct sim_pin *p;
	struct sim_file *df;
	uint16_t fid;
	int is_mf;

	if (!path)
		return perr(ps, "PIN needs a DF path");
	df = resolve_path(ps, path, &fid, &is_mf);
	if (!df && !is_mf)
		return -1;
	df = is_mf ? ps->c->mf : fs_child(df, fid);
	if (!df || df->type != FT_DF)
		return perr(ps, "PIN owner %s is not a DF", path);
	p = calloc(1, sizeof(*p));
	if (!p)
		return perr(ps, "out of memory");
	p->df = df;
	pin_append(ps->c, p);
	for (tok = strtok_r(NULL, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(tok, '=');
		int r;

		if (!eq)
			return perr(ps, "expected key=value, got '%s'", tok);
		*eq = '\0';
		r = pin_attr(p, tok, eq + 1);
		if (r == -2)
			return perr(ps, "unknown attribute '%s'", tok);
		if (r < 0)
			return perr(ps, "bad value for '%s'", tok);
	}
	if (p->tries > p->max || p->puk_tries > p->puk_max)
		return perr(ps, "tries larger than max");
	return 0;
}

/* KEY DF-PATH kid=XX hdr=<12 bytes> data=<bytes>: a StarCOS ISF record */
static int
key_attr(struct sim_isf *k, const char *name, const char *v)
{
	unsigned long n;
	size_t len;

	if (!strcmp(name, "kid"))
		return parse_hexnum(v, 2, &n) < 0 ? -1 : (k->kid = (uint8_t)n, 0);
	if (!strcmp(name, "hdr"))
		return parse_bytes(v, k->hdr, sizeof(k->hdr), &len) < 0 || len != 12 ? -1 : 0;
	if (!strcmp(name, "data"))
		return parse_bytes(v, k->data, sizeof(k->data), &k->len);
	return -2;
}

static int
line_key(struct parser *ps, char *rest)
{
	char *tok, *save = NULL, *path = strtok_r(rest, " ", &save);
	struct sim_isf *k;
	struct sim_file *df;
	uint16_t fid;
	int is_mf;

	if (!path)
		return perr(ps, "KEY needs a DF path");
	df = resolve_path(ps, path, &fid, &is_mf);
	if (!df && !is_mf)
		return -1;
	df = is_mf ? ps->c->mf : fs_child(df, fid);
	if (!df || df->type != FT_DF)
		return perr(ps, "KEY owner %s is not a DF", path);
	if (!(k = calloc(1, sizeof(*k))))
		return perr(ps, "out of memory");
	k->df = df;
	isf_append(ps->c, k);
	for (tok = strtok_r(NULL, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(tok, '=');
		int r;

		if (!eq)
			return perr(ps, "expected key=value, got '%s'", tok);
		*eq = '\0';
		r = key_attr(k, tok, eq + 1);
		if (r == -2)
			return perr(ps, "unknown attribute '%s'", tok);
		if (r < 0)
			return perr(ps, "bad value for '%s'", tok);
	}
	if (k->hdr[0] != k->kid)
		return perr(ps, "hdr must start with kid");
	return 0;
}

static int
line_eeprom(struct parser *ps, char *rest)
{
	char *tok, *save = NULL;
	unsigned long addr, v;

	for (tok = strtok_r(rest, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(tok, '=');

		if (!eq)
			return perr(ps, "expected ADDR=VALUE, got '%s'", tok);
		*eq = '\0';
		if (parse_hexnum(tok, 4, &addr) < 0 || addr < 0xC100 || addr > 0xC1FF
		    || parse_hexnum(eq + 1, 2, &v) < 0)
			return perr(ps, "bad eeprom entry '%s'", tok);
		ps->c->eeprom[addr - 0xC100] = (uint8_t)v;
	}
	return 0;
}

static int
line_serial(struct parser *ps, const char *v)
{
	uint8_t s[SIM_SERIAL_MAX];
	size_t n;

	if (parse_bytes(v, s, sizeof(s), &n) < 0 || n != ps->c->pers->serial_len)
		return perr(ps, "serial must be %zu bytes of hex", ps->c->pers->serial_len);
	memcpy(ps->c->serial, s, n);
	ps->c->serial_len = n;
	return 0;
}

static int
parse_line(struct parser *ps, char *line)
{
	char *sp;

	if (line[0] == '#' || line[0] == '\0')
		return 0;
	if (ps->line == 1) {
		if (strcmp(line, IMAGE_MAGIC " 1") != 0)
			return perr(ps, "expected header '" IMAGE_MAGIC " %d'", IMAGE_VERSION);
		return 0;
	}
	sp = strchr(line, ' ');
	if (!sp)
		return perr(ps, "malformed line");
	*sp++ = '\0';
	if (!strcmp(line, "card")) {
		if (strcmp(sp, ps->c->pers->name) != 0)
			return perr(ps, "image is for card '%s', not '%s'", sp, ps->c->pers->name);
		ps->have_card = 1;
		return 0;
	}
	if (!ps->have_card)
		return perr(ps, "'card NAME' must come before '%s'", line);
	if (!strcmp(line, "serial"))
		return line_serial(ps, sp);
	if (!strcmp(line, "eeprom"))
		return line_eeprom(ps, sp);
	if (!strcmp(line, "DF"))
		return line_file(ps, FT_DF, sp);
	if (!strcmp(line, "EF"))
		return line_file(ps, FT_EF, sp);
	if (!strcmp(line, "PIN"))
		return line_pin(ps, sp);
	if (!strcmp(line, "KEY"))
		return line_key(ps, sp);
	return perr(ps, "unknown keyword '%s'", line);
}

/* SHA-256 of @p n bytes as 64 lowercase hex digits (out: 65 bytes) */
static int
sum_hex(const char *p, size_t n, char *out)
{
	uint8_t md[32];
	unsigned int mdlen = 0;

	if (!EVP_Digest(p, n, md, &mdlen, EVP_sha256(), NULL) || mdlen != sizeof(md))
		return -1;
	hex_encode(md, sizeof(md), out);
	for (; *out; out++)
		if (*out >= 'A' && *out <= 'F')
			*out = (char)(*out - 'A' + 'a');
	return 0;
}

/* The whole file in memory (NUL-terminated); -1 with err set */
static char *
read_all(const char *path, size_t *len, char *err, size_t errcap)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f) {
		snprintf(err, errcap, "%s: %s", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		size_t got;

		if (cap - n < 4096) {
			char *nb;

			if (cap >= IMAGE_MAX_BYTES) {
				snprintf(err, errcap, "%s: larger than %u bytes: not a card image", path,
					 IMAGE_MAX_BYTES);
				goto fail;
			}
			cap = cap ? cap * 2 : 65536;
			if (!(nb = realloc(buf, cap + 1))) {
				snprintf(err, errcap, "%s: out of memory", path);
				goto fail;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		snprintf(err, errcap, "%s: %s", path, strerror(errno ? errno : EIO));
		goto fail;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
fail:
	free(buf);
	fclose(f);
	return NULL;
}

/*
 * The last line "checksum sha256 HEX" covers every byte before it. Returns
 * the length of the covered part, or -1 (err set). Without a checksum line
 * the whole file is returned when @p need is 0 (images kept in the source
 * tree), refused when it is 1 (state files, which cardsim always seals).
 */
static long
check_sum(const char *path, const char *buf, size_t len, int need, char *err, size_t errcap)
{
	char want[SUM_HEX + 1];
	const char *line;

	if (len >= SUM_LINE_LEN && buf[len - 1] == '\n'
	    && (len == SUM_LINE_LEN || buf[len - SUM_LINE_LEN - 1] == '\n')
	    && !strncmp(buf + len - SUM_LINE_LEN, SUM_KEY, sizeof(SUM_KEY) - 1)) {
		line = buf + len - SUM_LINE_LEN;
		if (sum_hex(buf, (size_t)(line - buf), want) < 0) {
			snprintf(err, errcap, "%s: cannot compute SHA-256", path);
			return -1;
		}
		if (strncmp(line + sizeof(SUM_KEY) - 1, want, SUM_HEX) != 0) {
			snprintf(err, errcap, "%s: checksum mismatch: the file is damaged or was "
				 "edited (after a deliberate edit: cardsim --seal %s)", path, path);
			return -1;
		}
		return line - buf;
	}
	if (strstr(buf, "\n" SUM_KEY) || !strncmp(buf, SUM_KEY, sizeof(SUM_KEY) - 1)) {
		snprintf(err, errcap, "%s: the checksum line is not the file's last line: the file "
			 "is damaged", path);
		return -1;
	}
	if (need) {
		snprintf(err, errcap, "%s: no checksum line at the end: the state file is truncated "
			 "or was not written by cardsim (after a deliberate edit: cardsim --seal %s)",
			 path, path);
		return -1;
	}
	return (long)len;
}

/* Parses @p len bytes of image text (modified in place) into the card */
static int
parse_buf(struct sim_card *c, const char *path, char *buf, size_t len, char *err, size_t errcap)
{
	struct parser ps = { c, path, 0, err, errcap, 0 };
	char *line, *next;
	int rv = 0;

	card_clear(c);
	memcpy(c->serial, c->pers->serial, c->pers->serial_len);
	c->serial_len = c->pers->serial_len;
	for (line = buf; rv == 0 && line < buf + len; line = next) {
		char *nl = memchr(line, '\n', (size_t)(buf + len - line));
		size_t n = nl ? (size_t)(nl - line) : (size_t)(buf + len - line);

		next = line + n + (nl ? 1 : 0);
		line[n] = '\0';
		ps.line++;
		if (n != strlen(line))
			rv = perr(&ps, "NUL byte in line");
		else if (ps.line == 1 && n == 0)
			rv = perr(&ps, "empty file");
		else
			rv = parse_line(&ps, line);
	}
	if (rv == 0 && ps.line == 0) {
		ps.line = 1;
		rv = perr(&ps, "empty file");
	}
	if (rv == 0 && !ps.have_card)
		rv = perr(&ps, "no 'card NAME' line");
	if (rv != 0)
		card_clear(c);
	card_reset(c);
	return rv;
}

int
image_load(struct sim_card *c, const char *path, int need_sum, char *err, size_t errcap)
{
	char *buf;
	size_t len;
	long body;
	int rv;

	if (!(buf = read_all(path, &len, err, errcap)))
		return -1;
	body = check_sum(path, buf, len, need_sum, err, errcap);
	rv = body < 0 ? -1 : parse_buf(c, path, buf, (size_t)body, err, errcap);
	free(buf);
	return rv;
}

/* In-memory copies of the persistent state (fault injection, fault.c) */
char *
image_to_mem(const struct sim_card *c, size_t *len)
{
	char *body = NULL;
	FILE *m = open_memstream(&body, len);

	if (!m)
		return NULL;
	if (image_write(c, m) < 0) {
		fclose(m);
		free(body);
		return NULL;
	}
	if (fclose(m) != 0) {
		free(body);
		return NULL;
	}
	return body;
}

int
image_from_mem(struct sim_card *c, const char *text, size_t len)
{
	char err[256], *copy = malloc(len + 1);
	int rv;

	if (!copy)
		return -1;
	memcpy(copy, text, len);
	copy[len] = '\0';
	rv = parse_buf(c, "(snapshot)", copy, len, err, sizeof(err));
	free(copy);
	return rv;
}

/* ---- writing ----------------------------------------------------------------- */

static void
put_hex(FILE *f, const char *key, const uint8_t *p, size_t n)
{
	size_t i;

	fprintf(f, " %s=", key);
	for (i = 0; i < n; i++)
		fprintf(f, "%02X", p[i]);
}

static void
write_file(const struct sim_file *x, FILE *f)
{
	const struct sim_file *ch;
	char path[128];
	unsigned int i;

	fs_path(x, path, sizeof(path));
	fprintf(f, "%s %s fdb=%02X dcb=%02X sfi=%02X lcsi=%02X", x->type == FT_DF ? "DF" : "EF",
		path, x->fdb, x->dcb, x->sfi, x->lcsi);
	if (x->type == FT_DF) {
		fprintf(f, " se=%04X", x->se_fid);
		put_hex(f, "name", x->name, x->name_len);
	}
	put_hex(f, "sac", x->sac, x->sac_len);
	put_hex(f, "sae", x->sae, x->sae_len);
	if (x->ac_len)
		put_hex(f, "ac", x->ac, x->ac_len);
	if (x->type == FT_EF && fs_is_record(x)) {
		fprintf(f, " mrl=%02X nor=%02X rec=", x->mrl, x->nor);
		for (i = 0; i < x->nrec; i++) {
			size_t k;

			if (i)
				fputc(',', f);
			if (!x->rec[i])
				fputc('-', f);
			for (k = 0; x->rec[i] && k < x->reclen[i]; k++)
				fprintf(f, "%02X", x->rec[i][k]);
		}
	} else if (x->type == FT_EF) {
		fprintf(f, " size=%04zX", x->size);
		put_hex(f, "data", x->data, x->size);
	}
	fputc('\n', f);
	for (ch = x->child; ch; ch = ch->next)
		write_file(ch, f);
}

int
image_write(const struct sim_card *c, FILE *f)
{
	const struct sim_pin *p;
	const struct sim_isf *k;
	char path[128];
	size_t i, n;

	fprintf(f, IMAGE_MAGIC " %d\ncard %s\n", IMAGE_VERSION, c->pers->name);
	fputs("serial ", f);
	for (i = 0; i < c->serial_len; i++)
		fprintf(f, "%02X", c->serial[i]);
	fputc('\n', f);
	for (i = 0, n = 0; i < sizeof(c->eeprom); i++) {
		if (!c->eeprom[i])
			continue;
		fprintf(f, "%s C1%02zX=%02X", n++ ? "" : "eeprom", i, c->eeprom[i]);
	}
	if (n)
		fputc('\n', f);
	if (c->mf)
		write_file(c->mf, f);
	for (p = c->pins; p; p = p->next) {
		fs_path(p->df, path, sizeof(path));
		fprintf(f, "PIN %s ref=%02X max=%u tries=%u", path, p->ref, p->max, p->tries);
		put_hex(f, "value", p->value, p->len);
		fprintf(f, " pukmax=%u puktries=%u", p->puk_max, p->puk_tries);
		put_hex(f, "puk", p->puk, p->puk_len);
		if (p->transport)
			fputs(" transport=1", f);
		fputc('\n', f);
	}
	for (k = c->isf; k; k = k->next) {
		fs_path(k->df, path, sizeof(path));
		fprintf(f, "KEY %s kid=%02X", path, k->kid);
		put_hex(f, "hdr", k->hdr, sizeof(k->hdr));
		put_hex(f, "data", k->data, k->len);
		fputc('\n', f);
	}
	return ferror(f) ? -1 : 0;
}

/* Writes @p n bytes and the checksum line to PATH.tmp, fsync, rename */
static int
write_sealed(const char *path, const char *body, size_t n, char *err, size_t errcap)
{
	char tmp[4096], sum[SUM_HEX + 1];
	FILE *f;
	int fd, ok;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
		snprintf(err, errcap, "%s: path too long", path);
		return -1;
	}
	if (sum_hex(body, n, sum) < 0) {
		snprintf(err, errcap, "%s: cannot compute SHA-256", path);
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		snprintf(err, errcap, "%s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	ok = fwrite(body, 1, n, f) == n && fprintf(f, SUM_KEY "%s\n", sum) > 0
	     && fflush(f) == 0 && fsync(fd) == 0;
	if (fclose(f) != 0)
		ok = 0;
	if (!ok || rename(tmp, path) != 0) {
		snprintf(err, errcap, "%s: cannot write state: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

int
image_save(const struct sim_card *c, const char *path, char *err, size_t errcap)
{
	size_t n = 0;
	char *body = image_to_mem(c, &n);
	int rv;

	if (!body) {
		snprintf(err, errcap, "%s: out of memory", path);
		return -1;
	}
	rv = write_sealed(path, body, n, err, errcap);
	free(body);
	return rv;
}

/* cardsim --seal FILE: replace (or add) the checksum line after an edit */
int
image_seal(const char *path, char *err, size_t errcap)
{
	char *buf;
	size_t len;
	long body;
	int rv;

	if (!(buf = read_all(path, &len, err, errcap)))
		return -1;
	body = (long)len;
	if (len >= SUM_LINE_LEN && (len == SUM_LINE_LEN || buf[len - SUM_LINE_LEN - 1] == '\n')
	    && !strncmp(buf + len - SUM_LINE_LEN, SUM_KEY, sizeof(SUM_KEY) - 1))
		body = (long)(len - SUM_LINE_LEN);
	if (body > 0 && buf[body - 1] != '\n') {
		snprintf(err, errcap, "%s: the last line has no newline: the file is truncated", path);
		free(buf);
		return -1;
	}
	rv = write_sealed(path, buf, (size_t)body, err, errcap);
	free(buf);
	return rv;
}
