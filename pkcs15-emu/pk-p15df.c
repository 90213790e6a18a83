/*
 * pk-p15df.c: how this plug-in writes the PKCS#15 directory files (PrKDF,
 * PuKDF, CDF, AODF, DODF and the ODF): so that a card torn out at any
 * moment lists each object completely or not at all (doc/security.md
 * "Faults").
 *
 * An EEPROM write that is cut off can leave any prefix of its pages
 * written. OpenSC itself rewrites a whole directory file when one object is
 * added, so a tear leaves a half entry that hides every later object. Here
 * the new entry is written after the last one, first without its first
 * byte, and a 00 after it; then its first byte (the tag, written alone and
 * so all or nothing) makes it visible: a parser stops at a 00 tag, so
 * until then the file ends where it ended before. Removing the last entry
 * is one 00 byte the same way. Other changes (an entry in the middle
 * removed or rewritten) rewrite the file from the first changed byte on;
 * those are admin operations outside personalisation and use, and a tear
 * there can damage the file (doc/security.md says so).
 *
 * A generated key pair: OpenSC adds the private key's entry, then the
 * public key's. Here the private key's entry is written without its tag
 * first and made visible only after the public key's: a tear leaves the
 * pair complete, or only its public key listed (which the next
 * --generate-key with that ID removes, pk_p15_drop_lone_pubkey), never a
 * private key without its public key (which OpenSC's --generate-key would
 * refuse to repeat: "Non unique ID").
 *
 * Attribute updates that OpenSC makes after storing a certificate (the
 * key's subject name) are not written: they would rewrite an entry in
 * place, and the subject is in the certificate.
 *
 * Copyright (C) 2026 pkicards contributors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "libopensc/log.h"
#include "libopensc/opensc.h"
#include "libopensc/pkcs15.h"
#include "pk-p15init.h"
#include "pk-profile.h"

/* The DF's encoding without @p skip (NULL: with every object) */
static int
encode_df(struct sc_pkcs15_card *p15card, struct sc_pkcs15_df *df, struct sc_pkcs15_object *skip,
		u8 **buf, size_t *len)
{
	struct sc_pkcs15_df *saved = skip ? skip->df : NULL;
	int r;

	*buf = NULL;
	*len = 0;
	if (skip)
		skip->df = NULL;
	r = sc_pkcs15_encode_df(p15card->card->ctx, p15card, df, buf, len);
	if (skip)
		skip->df = saved;
	return r;
}

/* Up to @p count bytes of the current EF from offset 0 (fewer at its end) */
static int
read_head(struct sc_card *card, u8 *buf, size_t count)
{
	size_t done = 0;

	while (done < count) {
		int r = sc_read_binary(card, (unsigned int)done, buf + done, count - done, 0);

		if (r == SC_ERROR_FILE_END_REACHED || r == 0)
			break;
		if (r < 0)
			return r;
		done += (size_t)r;
	}
	return (int)done;
}

/* A private key entry written without its tag, waiting for its public key
 * (one per card in use; PKCS#11 may personalise two cards at once) */
static struct pending {
	struct sc_pkcs15_card *p15card;
	struct sc_pkcs15_object *key;  /* generated, not yet in a listing */
	int written;                   /* its entry is on the card, tag missing */
	struct sc_path path;
	size_t off;
	u8 tag;
} pending[4];

static struct pending *
pending_of(struct sc_pkcs15_card *p15card, int make)
{
	size_t i;

	for (i = 0; i < sizeof(pending) / sizeof(pending[0]); i++)
		if (pending[i].p15card == p15card)
			return &pending[i];
	for (i = 0; make && i < sizeof(pending) / sizeof(pending[0]); i++)
		if (!pending[i].p15card) {
			memset(&pending[i], 0, sizeof(pending[i]));
			pending[i].p15card = p15card;
			return &pending[i];
		}
	return NULL;
}

void
pk_p15_keygen_started(struct sc_pkcs15_card *p15card, struct sc_pkcs15_object *key)
{
	struct pending *p = pending_of(p15card, 1);

	if (p) {
		memset(p, 0, sizeof(*p));
		p->p15card = p15card;
		p->key = key;
	}
}

/* Writing the file from scratch (OpenSC's way: data, then zeros) */
static int
rewrite(struct sc_profile *profile, struct sc_pkcs15_card *p15card, const struct sc_path *path,
		const u8 *data, size_t len)
{
	struct file_info *fi = pk_profile_by_path(profile, path);
	struct sc_file *file = NULL;
	int r = 0;

	if (fi)
		sc_file_dup(&file, fi->file);
	if (!file)
		r = sc_select_file(p15card->card, path, &file);
	LOG_TEST_RET(p15card->card->ctx, r, "no such directory file in the profile or on the card");
	r = sc_pkcs15init_update_file(profile, p15card, file, (void *)data, (unsigned int)len);
	sc_file_free(file);
	return r < 0 ? r : 0;
}

/*
 * The file at @p path held @p old (old_len bytes, then 00 or its end) and
 * is to hold @p new: an append or a truncation the tear-safe way, anything
 * else rewritten.
 */
static int
store_listing(struct sc_profile *profile, struct sc_pkcs15_card *p15card, const struct sc_path *path,
		const u8 *old, size_t old_len, const u8 *new, size_t new_len, struct pending *hold)
{
	struct sc_card *card = p15card->card;
	struct sc_file *file = NULL;
	u8 *cur = NULL, *tail = NULL;
	size_t want, size, tail_len;
	int r, have;

	LOG_FUNC_CALLED(card->ctx);
	r = sc_select_file(card, path, &file);
	if (r == SC_ERROR_FILE_NOT_FOUND) {
		/* created empty first (its size from the profile), then written
		 * as any other: a file made for the first object of a kind */
		r = rewrite(profile, p15card, path, new, 0);
		if (r == 0)
			r = sc_select_file(card, path, &file);
	}
	LOG_TEST_RET(card->ctx, r, "cannot select the directory file");
	size = file->size;
	if (size && new_len > size) {
		sc_log(card->ctx, "%s needs %zu bytes, the file has %zu", sc_print_path(path), new_len, size);
		sc_file_free(file);
		LOG_TEST_RET(card->ctx, SC_ERROR_FILE_TOO_SMALL,
				"the PKCS#15 directory file is full: no room for another object");
	}
	want = (old_len > new_len ? old_len : new_len) + 1;
	if (size && want > size)
		want = size;
	cur = calloc(1, want ? want : 1);
	if (!cur) {
		sc_file_free(file);
		LOG_FUNC_RETURN(card->ctx, SC_ERROR_OUT_OF_MEMORY);
	}
	have = read_head(card, cur, want);
	if (have < 0) {
		r = have;
		goto out;
	}
#define ENDS_AT(n) ((size_t)have == (n) ? (n) == size : ((size_t)have > (n) && (cur[n] == 0x00 || cur[n] == 0xFF)))
	if ((size_t)have >= new_len && !memcmp(cur, new, new_len) && ENDS_AT(new_len)) {
		r = 0; /* already there */
	} else if (new_len > old_len && (size_t)have >= old_len && !memcmp(cur, old, old_len) &&
			ENDS_AT(old_len)) {
		/* append: the entry without its tag and a 00 after it, then the tag */
		tail_len = new_len - old_len - 1 + (new_len < size ? 1 : 0);
		tail = calloc(1, tail_len ? tail_len : 1);
		r = tail ? sc_pkcs15init_authenticate(profile, p15card, file, SC_AC_OP_UPDATE)
			 : SC_ERROR_OUT_OF_MEMORY;
		if (r >= 0 && tail_len) {
			memcpy(tail, new + old_len + 1, new_len - old_len - 1);
			r = sc_select_file(card, path, NULL);
			if (r == 0)
				r = sc_update_binary(card, (unsigned int)(old_len + 1), tail, tail_len, 0);
		}
		if (r >= 0 && hold) {
			/* the tag later, after the public key (pending) */
			hold->written = 1;
			hold->path = *path;
			hold->off = old_len;
			hold->tag = new[old_len];
		} else {
			if (r >= 0)
				r = sc_select_file(card, path, NULL);
			if (r >= 0)
				r = sc_update_binary(card, (unsigned int)old_len, new + old_len, 1, 0);
		}
	} else if (new_len < old_len && (size_t)have >= old_len && !memcmp(cur, old, old_len) &&
			!memcmp(cur, new, new_len)) {
		/* the last entries removed: a 00 where they began */
		static const u8 zero = 0x00;

		r = sc_pkcs15init_authenticate(profile, p15card, file, SC_AC_OP_UPDATE);
		if (r >= 0)
			r = sc_select_file(card, path, NULL);
		if (r >= 0)
			r = sc_update_binary(card, (unsigned int)new_len, &zero, 1, 0);
	} else {
		sc_log(card->ctx, "%s: not an append: rewritten", sc_print_path(path));
		r = rewrite(profile, p15card, path, new, new_len);
	}
#undef ENDS_AT
out:
	free(cur);
	free(tail);
	sc_file_free(file);
	LOG_FUNC_RETURN(card->ctx, r < 0 ? r : 0);
}

int
pk_p15_store_listing(struct sc_profile *profile, struct sc_pkcs15_card *p15card,
		const struct sc_path *path, const u8 *old, size_t old_len, const u8 *new, size_t new_len)
{
	return store_listing(profile, p15card, path, old, old_len, new, new_len, NULL);
}

/* The held tag of the generated key's entry: now it is listed */
static int
release_key(struct sc_profile *profile, struct sc_pkcs15_card *p15card, struct pending *p)
{
	struct sc_card *card = p15card->card;
	struct sc_file *file = NULL;
	int r;

	if (!p->written)
		return 0;
	r = sc_select_file(card, &p->path, &file);
	if (r == 0)
		r = sc_pkcs15init_authenticate(profile, p15card, file, SC_AC_OP_UPDATE);
	sc_file_free(file);
	if (r >= 0)
		r = sc_select_file(card, &p->path, NULL);
	if (r >= 0)
		r = sc_update_binary(card, (unsigned int)p->off, &p->tag, 1, 0);
	memset(p, 0, sizeof(*p));
	LOG_TEST_RET(card->ctx, r < 0 ? r : 0, "cannot list the generated private key");
	return 0;
}

/* The ODF after a directory file was written: appended the same way when a
 * DF is new (OpenSC leaves the ODF to this hook) */
static int
store_odf(struct sc_profile *profile, struct sc_pkcs15_card *p15card)
{
	struct sc_card *card = p15card->card;
	u8 *buf = NULL, *cur = NULL;
	size_t len = 0, old_len;
	int r;

	if (!p15card->file_odf)
		LOG_TEST_RET(card->ctx, SC_ERROR_INTERNAL, "no ODF in the profile");
	r = sc_pkcs15_encode_odf(card->ctx, p15card, &buf, &len);
	LOG_TEST_RET(card->ctx, r, "cannot encode the ODF");
	/* what the card's ODF holds now: its entries are a prefix of ours when
	 * only a DF was added (DFs are appended to the list) */
	cur = calloc(1, len + 1);
	r = cur ? sc_select_file(card, &p15card->file_odf->path, NULL) : SC_ERROR_OUT_OF_MEMORY;
	if (r == SC_ERROR_FILE_NOT_FOUND) {
		old_len = 0;
		r = 0;
	} else {
		if (r == 0)
			r = read_head(card, cur, len + 1);
		for (old_len = 0; r >= 0 && old_len < (size_t)r && old_len < len && cur[old_len];) {
			/* one ODF entry: tag A0..A8, short or 81 length */
			size_t l = old_len + 1 < (size_t)r ? cur[old_len + 1] : 0, hdr = 2;

			if (l == 0x81 && old_len + 2 < (size_t)r) {
				l = cur[old_len + 2];
				hdr = 3;
			}
			if (old_len + hdr + l > len || memcmp(cur + old_len, buf + old_len, hdr + l))
				break;
			old_len += hdr + l;
		}
	}
	if (r >= 0)
		r = pk_p15_store_listing(profile, p15card, &p15card->file_odf->path, buf, old_len, buf, len);
	free(cur);
	free(buf);
	LOG_TEST_RET(card->ctx, r, "cannot update the ODF");
	return 0;
}

int
pk_p15_update_any_df(struct sc_profile *profile, struct sc_pkcs15_card *p15card, unsigned op,
		struct sc_pkcs15_object *obj)
{
	struct sc_context *ctx = p15card->card->ctx;
	struct sc_pkcs15_df *df = obj ? obj->df : NULL;
	struct pending *p;
	u8 *old = NULL, *new = NULL;
	size_t old_len = 0, new_len = 0;
	int r;

	LOG_FUNC_CALLED(ctx);
	if (!df)
		LOG_TEST_RET(ctx, SC_ERROR_INVALID_ARGUMENTS, "object not in a directory file");
	if (op == SC_AC_OP_UPDATE) {
		sc_log(ctx, "attribute update of an object not written (see pk-p15df.c)");
		LOG_FUNC_RETURN(ctx, SC_ERROR_NOT_SUPPORTED);
	}
	r = encode_df(p15card, df, op == SC_AC_OP_CREATE ? obj : NULL, &old, &old_len);
	if (r >= 0)
		r = encode_df(p15card, df, op == SC_AC_OP_ERASE ? obj : NULL, &new, &new_len);
	p = pending_of(p15card, 0);
	if (p && p->key && obj != p->key && !((obj->type & SC_PKCS15_TYPE_CLASS_MASK) ==
			SC_PKCS15_TYPE_PUBKEY && op == SC_AC_OP_CREATE))
		memset(p, 0, sizeof(*p)); /* that generation ended without its public key */
	if (r >= 0)
		r = store_listing(profile, p15card, &df->path, old, old_len, new, new_len,
				p && op == SC_AC_OP_CREATE && obj == p->key ? p : NULL);
	free(old);
	free(new);
	LOG_TEST_RET(ctx, r, "cannot write the PKCS#15 directory file");
	if (op == SC_AC_OP_CREATE && old_len == 0)
		r = store_odf(profile, p15card); /* the first object: the DF may be new */
	LOG_TEST_RET(ctx, r, "cannot write the ODF");
	if (p && op == SC_AC_OP_CREATE && (obj->type & SC_PKCS15_TYPE_CLASS_MASK) == SC_PKCS15_TYPE_PUBKEY &&
			p->key && sc_pkcs15_compare_id(&((struct sc_pkcs15_pubkey_info *)obj->data)->id,
					&((struct sc_pkcs15_prkey_info *)p->key->data)->id))
		r = release_key(profile, p15card, p);
	LOG_FUNC_RETURN(ctx, r);
}

/*
 * emu_write_info: no OpenSC info file (5015/4946). OpenSC writes it as the
 * very last step of --create-pkcs15 and ignores its failure, so a card
 * torn there would be reported personalised with the file missing or half
 * created; it records only the profile's name and options, and the
 * profiles of this plug-in have no options.
 */
int
pk_p15_write_info(struct sc_profile *profile, struct sc_pkcs15_card *p15card,
		struct sc_pkcs15_object *pin_obj)
{
	(void)profile;
	(void)p15card;
	(void)pin_obj;
	return 0;
}

/* Is @p path the file of any object of the card? */
int
pk_p15_path_used(struct sc_pkcs15_card *p15card, const struct sc_path *path)
{
	struct sc_pkcs15_object *objs[64];
	int i, n = sc_pkcs15_get_objects(p15card, SC_PKCS15_TYPE_PRKEY, objs, 64);

	for (i = 0; i < n; i++)
		if (sc_compare_path(&((struct sc_pkcs15_prkey_info *)objs[i]->data)->path, path))
			return 1;
	n = sc_pkcs15_get_objects(p15card, SC_PKCS15_TYPE_PUBKEY, objs, 64);
	for (i = 0; i < n; i++)
		if (sc_compare_path(&((struct sc_pkcs15_pubkey_info *)objs[i]->data)->path, path))
			return 1;
	n = sc_pkcs15_get_objects(p15card, SC_PKCS15_TYPE_CERT, objs, 64);
	for (i = 0; i < n; i++)
		if (sc_compare_path(&((struct sc_pkcs15_cert_info *)objs[i]->data)->path, path))
			return 1;
	n = sc_pkcs15_get_objects(p15card, SC_PKCS15_TYPE_DATA_OBJECT, objs, 64);
	for (i = 0; i < n; i++)
		if (sc_compare_path(&((struct sc_pkcs15_data_info *)objs[i]->data)->path, path))
			return 1;
	return 0;
}

/*
 * A public key listed without its private key, left by a key generation
 * that was interrupted (see above): its entry is removed (the last one of
 * the PuKDF: one byte), so that the generation can be repeated.
 * @return 1 if one was removed, 0 if none, or an error
 */
int
pk_p15_drop_lone_pubkey(struct sc_profile *profile, struct sc_pkcs15_card *p15card,
		const struct sc_pkcs15_id *id)
{
	struct sc_context *ctx = p15card->card->ctx;
	struct sc_pkcs15_object *pub = NULL;
	int r;

	if (!id || !id->len || sc_pkcs15_find_pubkey_by_id(p15card, id, &pub) != 0 ||
			sc_pkcs15_find_prkey_by_id(p15card, id, NULL) == 0)
		return 0;
	sc_log(ctx, "public key %s listed without its private key: removed (interrupted key generation)",
			sc_pkcs15_print_id(id));
	r = pk_p15_update_any_df(profile, p15card, SC_AC_OP_ERASE, pub);
	LOG_TEST_RET(ctx, r, "cannot remove the public key of an interrupted key generation");
	sc_pkcs15_remove_object(p15card, pub);
	sc_pkcs15_free_object(pub);
	return 1;
}
