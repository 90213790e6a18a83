/*
 * pk-fcache.h: the drivers' file cache.
 *
 * What the drivers read from a card (a file's FCI and its content, a public
 * key file) is kept per card, keyed by the file's absolute path, so that no
 * file is read twice in one process; public entries are also written to the
 * user's OpenSC cache directory, so that the next process can skip the
 * reads. A persisted cache belongs to one card (driver name and serial
 * number in the file name) and to one state of it: the card's fingerprint
 * (chosen by the driver: e.g. the free EEPROM counter) and the content of
 * its validator files (EF(TokenInfo), whose lastUpdate every PKCS#15 writer
 * changes). Before a process uses it the driver reads both from the card;
 * any difference discards the whole cache (doc/acos5.md "File cache").
 *
 * A process that writes to the card deletes the persisted cache before its
 * first write and never saves one: the next process starts cold.
 *
 * Copyright (C) 2026 pkicards contributors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef PK_FCACHE_H
#define PK_FCACHE_H

#include <stddef.h>
#include <time.h>

#include "libopensc/opensc.h"

#define PK_FCACHE_FCI_MAX 255
#define PK_FCACHE_FP_MAX 32
#define PK_FCACHE_FILE_MAX 65535 /* largest content kept */
#define PK_FCACHE_STAMP_LEN 15 /* a GeneralizedTime YYYYMMDDHHMMSSZ */

struct pk_fcache_entry {
	u8 path[SC_MAX_PATH_SIZE]; /* absolute, from 3F00 */
	size_t pathlen;
	u8 fci[PK_FCACHE_FCI_MAX]; /* the SELECT answer as the card gave it */
	size_t fcilen;             /* 0: not known */
	size_t size;               /* content size from the FCI (0: unknown) */
	u8 *data;                  /* content known from offset 0 */
	size_t datalen;
	size_t end;                /* content ends here (known when complete) */
	unsigned int complete : 1; /* data holds the whole content */
	unsigned int pub : 1;      /* readable without a PIN: may be persisted */
	unsigned int validator : 1; /* compared with the card before the cache is used */
	unsigned int missing : 1;  /* the card answered "not found" (never persisted) */
	/* an EF is there although its FCI is not known (a command that needs
	 * one took it); persisted as an entry without FCI */
	unsigned int ef_exists : 1;
	struct pk_fcache_entry *next;
};

struct pk_fcache {
	char file[512];         /* persisted cache, "" when there is none */
	u8 fp[PK_FCACHE_FP_MAX]; /* fingerprint of the card state the entries show */
	size_t fplen;
	unsigned int enabled : 1; /* persist (card_driver option file_caching) */
	unsigned int wrote : 1;   /* this process wrote to the card */
	unsigned int dirty : 1;   /* entries learnt since load */
	struct pk_fcache_entry *head;
};

/** Forget every entry (the card changed, was erased, or the cache is wrong). */
void pk_fcache_clear(struct pk_fcache *fc);
/** Free everything (driver finish). */
void pk_fcache_free(struct pk_fcache *fc);

/** The entry of an absolute path, or NULL. */
struct pk_fcache_entry *pk_fcache_get(struct pk_fcache *fc, const u8 *path, size_t len);
/** The entry of an absolute path, created empty when missing (NULL: no memory). */
struct pk_fcache_entry *pk_fcache_add(struct pk_fcache *fc, const u8 *path, size_t len);
/** Forget the entry of @p path and every entry below it. */
void pk_fcache_drop(struct pk_fcache *fc, const u8 *path, size_t len);
/** Forget what is known of the content of @p path (its FCI stays). */
void pk_fcache_drop_data(struct pk_fcache *fc, const u8 *path, size_t len);

/** An EF is at @p path (a command that needs one took it), whether or not its
 * FCI is known: kept and persisted (NULL: no memory, nothing noted). */
void pk_fcache_ef_exists(struct pk_fcache *fc, const u8 *path, size_t len);

/** Record the FCI of @p e (@p size: content size it names, 0 if none). */
void pk_fcache_set_fci(struct pk_fcache *fc, struct pk_fcache_entry *e, const u8 *fci,
		size_t fcilen, size_t size, int pub);
/**
 * Serve @p count bytes at @p off from what is known: all of them when they
 * were read (the padding after the content included); when the request
 * reaches past what was read, up to the end of the content only (of the
 * file, when all of it was read).
 * @return bytes copied (0 at or after that end), or -1 when not known
 */
int pk_fcache_read(const struct pk_fcache_entry *e, size_t off, u8 *buf, size_t count);
/** Bytes read from the card at @p off: kept when they extend the known prefix
 * (also past the end of the content: a writer compares with them). */
void pk_fcache_learn(struct pk_fcache *fc, struct pk_fcache_entry *e, size_t off, const u8 *buf,
		size_t n);
/** The whole content of @p e is @p buf (a record, read in one command). */
void pk_fcache_set_data(struct pk_fcache *fc, struct pk_fcache_entry *e, const u8 *buf, size_t n);
/** Bytes written to the card at @p off: the known content follows. */
void pk_fcache_written(struct pk_fcache_entry *e, size_t off, const u8 *buf, size_t n);

/**
 * Where the content of a transparent EF ends when it is a sequence of
 * BER-TLV objects followed by 00 bytes (PKCS#15 pads its directory files
 * and certificate files this way): @p p holds the first @p n bytes.
 * @return 1 and *end when the objects end before @p n and every byte after
 *         them is 00; 0 when more bytes are needed to tell; -1 when the data
 *         is not such a sequence
 */
int pk_fcache_content_end(const u8 *p, size_t n, size_t *end);

/**
 * The paths EF(ODF) names (@p p: its @p n bytes of content): each object
 * directory as [0..8] { Path { OCTET STRING } }, as a path from the MF: one
 * that does not start at 3F00 is relative to the DF of the ODF itself
 * (@p odfpath, @p odfpathlen: the ODF's path from the MF). Other entries,
 * and paths that would not fit SC_MAX_PATH_SIZE, are skipped.
 * @return the number of paths put in @p paths / @p lens (at most @p max),
 *         or a negative error when the ODF does not parse
 */
int pk_fcache_odf_paths(const u8 *p, size_t n, const u8 *odfpath, size_t odfpathlen,
		u8 (*paths)[SC_MAX_PATH_SIZE], size_t *lens, size_t max);

/**
 * The certificates that the certificate directories known complete in @p fc
 * name (EF(ODF)'s A4, A5 and A6 entries, each object's path; paths from the
 * MF only): at most @p max into @p paths / @p lens. @return how many
 */
size_t pk_fcache_cert_paths(struct pk_fcache *fc, u8 (*paths)[SC_MAX_PATH_SIZE], size_t *lens,
		size_t max);

/**
 * Where the lastUpdate time of an EF(TokenInfo) is (PKCS#15: [5] {
 * GeneralizedTime }, as OpenSC writes it: PK_FCACHE_STAMP_LEN characters
 * YYYYMMDDHHMMSSZ). @p p holds the file's first @p n bytes.
 * @return 1 and *off, the offset of those characters; 0 when the TokenInfo
 *         has no lastUpdate of that form; a negative error when it does not
 *         parse
 */
int pk_fcache_last_update(const u8 *p, size_t n, size_t *off);
/**
 * The lastUpdate characters for time @p now (UTC) into @p out; one second
 * later when they would equal @p old (PK_FCACHE_STAMP_LEN bytes each), so
 * that the file always changes.
 */
void pk_fcache_stamp(const u8 *old, time_t now, u8 *out);
/**
 * Name the persisted cache of a card (@p driver, @p serial) in OpenSC's
 * cache directory; nothing is read yet.
 */
int pk_fcache_name(struct sc_context *ctx, struct pk_fcache *fc, const char *driver,
		const u8 *serial, size_t seriallen);
/**
 * Load the persisted cache. @return 0 loaded, SC_ERROR_FILE_NOT_FOUND when
 * there is none; a file that does not parse is deleted and reported as none.
 */
int pk_fcache_load(struct sc_context *ctx, struct pk_fcache *fc);
/** The parser behind pk_fcache_load, over a buffer (fuzzed). */
int pk_fcache_parse(struct pk_fcache *fc, const u8 *buf, size_t len);
/** Write the persisted cache (when enabled, learnt something and never wrote). */
int pk_fcache_save(struct sc_context *ctx, struct pk_fcache *fc);
/** This process is about to write to the card: delete the persisted cache. */
void pk_fcache_will_write(struct sc_context *ctx, struct pk_fcache *fc);

#endif
