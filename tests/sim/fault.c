/*
 * cardsim - fault injection (doc/simulator.md "Faults").
 *
 * At the Nth C-APDU the card is torn out of the reader (remove), loses
 * power and is back at once (reset), or does not answer (mute). The command
 * is not executed (before), executed with its EEPROM writes half done
 * (half), or executed and committed (after); its answer is never sent.
 *
 * "Half done" follows how an EEPROM is written: page by page (32 bytes,
 * from the lowest address of the write upwards). A torn write keeps the
 * pages written before the tear and the old contents from there on; a write
 * within one page is never half done. Creating or deleting a file, a key
 * record or a PIN, and one-byte changes (PIN try counters, life cycle
 * bytes, configuration bytes) are all or nothing: the card's allocation
 * and counters are written with anti-tearing (what every smart card OS
 * does for its own bookkeeping).
 */
#include <stdlib.h>
#include <string.h>

#include "sim.h"

#define EEPROM_PAGE 32

int
fault_parse(const char *spec, struct sim_fault *f)
{
	static const char *const kinds[] = { [FAULT_REMOVE] = "remove", [FAULT_RESET] = "reset",
					     [FAULT_MUTE] = "mute" };
	static const char *const whens[] = { [FAULT_BEFORE] = "before", [FAULT_HALF] = "half",
					     [FAULT_AFTER] = "after" };
	const char *at = strchr(spec, '@'), *colon;
	char *end;
	size_t i, klen;

	if (!at)
		return -1;
	klen = (size_t)(at - spec);
	f->kind = FAULT_NONE;
	for (i = 1; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strlen(kinds[i]) == klen && !strncmp(spec, kinds[i], klen))
			f->kind = (int)i;
	if (f->kind == FAULT_NONE)
		return -1;
	f->at = strtoul(at + 1, &end, 10);
	if (end == at + 1 || f->at == 0 || (*end && *end != ':'))
		return -1;
	f->when = f->kind == FAULT_MUTE ? FAULT_BEFORE : FAULT_AFTER;
	colon = *end == ':' ? end + 1 : NULL;
	if (colon) {
		f->when = -1;
		for (i = 0; i < sizeof(whens) / sizeof(whens[0]); i++)
			if (!strcmp(colon, whens[i]))
				f->when = (int)i;
		if (f->when < 0)
			return -1;
	}
	return 0;
}

/* The second half (from a page boundary) of what was written into @p now
 * (old contents @p old, @p n bytes each) goes back to the old bytes */
static void
half_bytes(uint8_t *now, const uint8_t *old, size_t n)
{
	size_t lo = 0, hi, mid;

	while (lo < n && now[lo] == old[lo])
		lo++;
	if (lo == n)
		return;
	hi = n - 1;
	while (now[hi] == old[hi])
		hi--;
	mid = lo + (hi - lo + 2) / 2;
	mid = (mid + EEPROM_PAGE - 1) / EEPROM_PAGE * EEPROM_PAGE;
	if (mid <= hi)
		memcpy(now + mid, old + mid, hi - mid + 1);
}

/* The file of @p root's tree with the same path as @p f, or NULL */
static struct sim_file *
same_file(struct sim_file *root, const struct sim_file *f)
{
	uint16_t fids[16];
	size_t n = 0;
	struct sim_file *x = root;

	for (; f->parent && n < 16; f = f->parent)
		fids[n++] = f->fid;
	if (!root || f->fid != root->fid || n == 16)
		return NULL;
	while (x && n > 0)
		x = fs_child(x, fids[--n]);
	return x;
}

static void
half_file(struct sim_file *f1, const struct sim_file *f0)
{
	struct sim_file *c;
	unsigned int i;
	int first = 1;

	if (f1->type == FT_EF && f0->type == FT_EF && !fs_is_record(f1) && !fs_is_record(f0)
	    && f1->size == f0->size && f1->data && f0->data)
		half_bytes(f1->data, f0->data, f1->size);
	if (f1->type == FT_EF && fs_is_record(f1) && fs_is_record(f0)) {
		/* records are written in order: the first changed one half,
		 * the later changed ones not at all */
		for (i = 0; i < f1->nrec && i < f0->nrec; i++) {
			if (!f1->rec[i] || !f0->rec[i] || f1->reclen[i] != f0->reclen[i]
			    || !memcmp(f1->rec[i], f0->rec[i], f1->reclen[i]))
				continue;
			if (first)
				half_bytes(f1->rec[i], f0->rec[i], f1->reclen[i]);
			else
				memcpy(f1->rec[i], f0->rec[i], f1->reclen[i]);
			first = 0;
		}
	}
	for (c = f1->child; c; c = c->next) {
		const struct sim_file *c0 = fs_child(f0, c->fid);

		if (c0)
			half_file(c, c0);
	}
}

/* @p t1 (the card after the command) becomes the card the command left
 * when torn halfway through its writes (@p t0: the card before) */
void
fault_half(struct sim_card *t1, const struct sim_card *t0)
{
	struct sim_isf *k1;
	const struct sim_isf *k0;

	if (t1->mf && t0->mf && t1->mf->fid == t0->mf->fid)
		half_file(t1->mf, t0->mf);
	for (k1 = t1->isf; k1; k1 = k1->next) {
		const struct sim_file *df0 = same_file(t0->mf, k1->df);

		for (k0 = t0->isf; k0 && df0; k0 = k0->next) {
			if (k0->df == df0 && k0->kid == k1->kid && k0->len == k1->len) {
				half_bytes(k1->data, k0->data, k1->len);
				break;
			}
		}
	}
}
