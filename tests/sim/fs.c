/*
 * cardsim - MF/DF/EF tree.
 */
#include <stdlib.h>
#include <string.h>

#include "sim.h"

struct sim_file *
fs_new(enum sim_ftype type, uint16_t fid)
{
	struct sim_file *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->type = type;
	f->fid = fid;
	f->sfi = (uint8_t)(fid & 0x1F);
	f->lcsi = 0x05;
	return f;
}

void
fs_free(struct sim_file *f)
{
	struct sim_file *c, *n;
	size_t i;

	if (!f)
		return;
	for (c = f->child; c; c = n) {
		n = c->next;
		fs_free(c);
	}
	for (i = 0; i < SIM_MAX_RECORDS; i++)
		free(f->rec[i]);
	free(f->data);
	free(f);
}

void
fs_add_child(struct sim_file *df, struct sim_file *f)
{
	struct sim_file **pp = &df->child;

	while (*pp)
		pp = &(*pp)->next;
	*pp = f;
	f->parent = df;
	f->next = NULL;
}

void
fs_unlink(struct sim_file *f)
{
	struct sim_file **pp;

	if (!f->parent)
		return;
	for (pp = &f->parent->child; *pp; pp = &(*pp)->next) {
		if (*pp == f) {
			*pp = f->next;
			break;
		}
	}
	f->parent = NULL;
	f->next = NULL;
}

struct sim_file *
fs_child(const struct sim_file *df, uint16_t fid)
{
	struct sim_file *c;

	if (!df)
		return NULL;
	for (c = df->child; c; c = c->next)
		if (c->fid == fid)
			return c;
	return NULL;
}

struct sim_file *
fs_find_name(struct sim_file *root, const uint8_t *name, size_t n)
{
	struct sim_file *c, *r;

	if (!root)
		return NULL;
	if (root->type == FT_DF && n && root->name_len == n
	    && memcmp(root->name, name, n) == 0)
		return root;
	for (c = root->child; c; c = c->next) {
		r = fs_find_name(c, name, n);
		if (r)
			return r;
	}
	return NULL;
}

int
fs_is_record(const struct sim_file *f)
{
	return f->type == FT_EF && f->mrl != 0;
}

size_t
fs_count_children(const struct sim_file *df)
{
	const struct sim_file *c;
	size_t n = 0;

	for (c = df ? df->child : NULL; c; c = c->next)
		n++;
	return n;
}

struct sim_file *
fs_nth_child(const struct sim_file *df, size_t idx)
{
	struct sim_file *c;

	for (c = df ? df->child : NULL; c; c = c->next)
		if (idx-- == 0)
			return c;
	return NULL;
}

size_t
fs_usage(const struct sim_file *root)
{
	const struct sim_file *c;
	size_t n;

	if (!root)
		return 0;
	/* 32 bytes of header per file, plus the body */
	n = 32 + (fs_is_record(root) ? (size_t)root->mrl * root->nor : root->size);
	for (c = root->child; c; c = c->next)
		n += fs_usage(c);
	return n;
}

int
fs_set_size(struct sim_file *f, size_t size)
{
	uint8_t *d;

	if (size > SIM_MAX_DATA)
		return -1;
	d = calloc(1, size ? size : 1);
	if (!d)
		return -1;
	if (f->data)
		memcpy(d, f->data, f->size < size ? f->size : size);
	free(f->data);
	f->data = d;
	f->size = size;
	return 0;
}

/* idx is 0-based; the record must fit MRL. */
int
fs_set_record(struct sim_file *f, unsigned int idx, const uint8_t *p, size_t n)
{
	uint8_t *r;

	if (idx >= SIM_MAX_RECORDS || idx >= f->nor || n > f->mrl)
		return -1;
	r = calloc(1, f->mrl ? f->mrl : 1);
	if (!r)
		return -1;
	if (n)
		memcpy(r, p, n);
	free(f->rec[idx]);
	f->rec[idx] = r;
	f->reclen[idx] = (uint8_t)n;
	if (idx + 1 > f->nrec)
		f->nrec = (uint8_t)(idx + 1);
	return 0;
}

void
fs_path(const struct sim_file *f, char *out, size_t cap)
{
	const struct sim_file *chain[16];
	size_t n = 0, i, off = 0;

	for (; f && n < 16; f = f->parent)
		chain[n++] = f;
	if (cap)
		out[0] = '\0';
	for (i = n; i-- > 0;) {
		if (off + 6 > cap)
			return;
		off += (size_t)snprintf(out + off, cap - off, "%s%04X",
					i + 1 == n ? "" : "/", chain[i]->fid);
	}
}
