/*
 * pk-compat.h: the differences between the OpenSC releases the plug-in is
 * built for (tested: 0.23.0 and 0.26.1), one entry each, naming the release
 * and the OpenSC commit that made it. meson.build decides by feature tests on
 * the selected OpenSC headers (PK_HAVE_* in config.h) and only where a change
 * left no trace in the headers by the version; no other file of the plug-in
 * tests for an OpenSC version. doc/install.md, "OpenSC versions", lists the
 * differences in behaviour that need no code here.
 *
 * Differences handled outside C:
 * - libopensc's soname: libopensc.so.8 up to 0.24, .so.11 in 0.25, .so.12
 *   in 0.26 (configure.ac OPENSC_LT_OLDEST): meson.build links the
 *   libopensc whose sc_get_version() equals the source's version
 *   (scripts/find-libopensc), never a fixed name.
 * - Structures that grew or widened (sc_security_env, sc_algorithm_info,
 *   sc_pin_cmd_pin.len, sc_context, sc_pkcs15_object, ... in 0.24-0.26):
 *   no source change, but a module runs only in the release whose headers
 *   it was compiled with; OpenSC refuses a card driver whose
 *   sc_driver_version() is not its own (ctx.c, "invalid module version").
 *
 * Copyright (C) 2026 pkicards contributors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef PK_COMPAT_H
#define PK_COMPAT_H

#include "config.h"

#include "libopensc/opensc.h"
#include "libopensc/pkcs15.h"

/*
 * 1. Record offset. 0.24.0 (440376bfe, "added idx parameter to
 *    sc_[read|update]_record"): the card operations read_record and
 *    update_record, sc_read_record() and sc_update_record() take an offset
 *    into the record (idx) after the record number; sc_read_record() then
 *    loops (5e06acb3f): after a record shorter than the buffer it asks for
 *    the rest with READ RECORD B3 and an offset, which neither ACOS5 nor
 *    StarCOS knows (6D00 for one more APDU per record). These helpers send
 *    one READ / UPDATE RECORD for the whole record through the card's
 *    operation, as sc_read_record() / sc_update_record() of 0.23 did, and
 *    return the operation's result (bytes read or written, or an error).
 */
static inline int
pk_read_record(struct sc_card *card, unsigned int rec_nr, u8 *buf, size_t count,
		unsigned long flags)
{
	if (!card->ops->read_record)
		return SC_ERROR_NOT_SUPPORTED;
#if PK_HAVE_RECORD_IDX
	return card->ops->read_record(card, rec_nr, 0, buf, count, flags);
#else
	return card->ops->read_record(card, rec_nr, buf, count, flags);
#endif
}

/* The same through another operation table (a driver's ISO fallback) */
static inline int
pk_ops_read_record(const struct sc_card_operations *ops, struct sc_card *card, unsigned int rec_nr,
		u8 *buf, size_t count, unsigned long flags)
{
#if PK_HAVE_RECORD_IDX
	return ops->read_record(card, rec_nr, 0, buf, count, flags);
#else
	return ops->read_record(card, rec_nr, buf, count, flags);
#endif
}

static inline int
pk_update_record(struct sc_card *card, unsigned int rec_nr, const u8 *buf, size_t count,
		unsigned long flags)
{
	if (!card->ops->update_record)
		return SC_ERROR_NOT_SUPPORTED;
#if PK_HAVE_RECORD_IDX
	return card->ops->update_record(card, rec_nr, 0, buf, count, flags);
#else
	return card->ops->update_record(card, rec_nr, buf, count, flags);
#endif
}

/*
 *    A driver's own read_record / update_record operation takes the offset
 *    where the release has it: PK_REC_IDX_PARAM in its parameter list after
 *    the record number, PK_REC_IDX_ARG where it passes the call on.
 */
#if PK_HAVE_RECORD_IDX
#define PK_REC_IDX_PARAM unsigned int idx,
#define PK_REC_IDX_ARG idx,
#define PK_REC_IDX idx
#else
#define PK_REC_IDX_PARAM
#define PK_REC_IDX_ARG
#define PK_REC_IDX 0u
#endif
/*
 *    OpenSC's own sc_read_record() (EF.DIR, PIN and SE records) asks for a
 *    record's rest at an offset after every record shorter than its buffer;
 *    the drivers' read_record answers 0 (the record ended) for PK_REC_IDX
 *    above 0 without sending anything: neither card has READ RECORD with an
 *    offset, and 0.23 never asked.
 */

/*
 * 2. READ BINARY flags. 0.24.0 (8d62e2842, "Update sc_read_binary()
 *    parameters"): the flags of the read_binary operation and of
 *    sc_read_binary() became a pointer (unsigned long *; the operation may
 *    report file flags back). The plug-in passes no flags: PK_NO_RB_FLAGS,
 *    the null constant 0, fits both.
 */
#define PK_NO_RB_FLAGS 0
/* A driver's own read_binary operation takes its flags as pk_rb_flags_t and
 * passes them on unchanged (PK_HAVE_RB_FLAGS_PTR: feature test). */
#if PK_HAVE_RB_FLAGS_PTR
typedef unsigned long *pk_rb_flags_t;
#else
typedef unsigned long pk_rb_flags_t;
#endif

/*
 * 3. sc_read_binary() errors. 0.24.0 (dec16d62c, "avoid hiding errors in
 *    card commands with SC_ERROR_OFFSET_TOO_LARGE"): a failed READ BINARY
 *    returns the card's error; before, every error of the first read became
 *    SC_ERROR_OFFSET_TOO_LARGE. No header shows it: meson.build sets
 *    PK_READ_BINARY_KEEPS_ERROR by the version. PK_READ_BINARY_ERROR(e) is
 *    what sc_read_binary() returns when the card's answer means error e.
 */
#if PK_READ_BINARY_KEEPS_ERROR
#define PK_READ_BINARY_ERROR(e) (e)
#else
#define PK_READ_BINARY_ERROR(e) SC_ERROR_OFFSET_TOO_LARGE
#endif

/*
 * 4. PKCS#1 v1.5 padding. 0.25.0 (b0f7fb9f1, "Add configuration option to
 *    disable HW PKCS#1 v1.5 padding", with the constant-time unpadding of
 *    CVE-2023-5992): SC_ALGORITHM_RSA_PAD_PKCS1 is the mask of two bits,
 *    ..._TYPE_01 (signing) and ..._TYPE_02 (deciphering), and an algorithm
 *    that also offers RSA_RAW (ACOS5) loses TYPE_02 unless opensc.conf says
 *    disable_hw_pkcs1_padding = no: OpenSC then deciphers raw and removes
 *    the padding itself. The drivers test the flags with
 *    "& SC_ALGORITHM_RSA_PAD_PKCS1" (either bit, or the one bit before
 *    0.25.0), never with "==". A caller that asks libopensc for a PKCS#1
 *    v1.5 signature (sc_pkcs15_compute_signature) passes PK_PAD_PKCS1_SIGN:
 *    the signing bit alone where it exists (both bits are refused with
 *    SC_ERROR_INTERNAL), the one PKCS#1 bit before.
 */
#ifdef SC_ALGORITHM_RSA_PAD_PKCS1_TYPE_01
#define PK_PAD_PKCS1_SIGN SC_ALGORITHM_RSA_PAD_PKCS1_TYPE_01
#else
#define PK_PAD_PKCS1_SIGN SC_ALGORITHM_RSA_PAD_PKCS1
#endif

/*
 * 5. pkcs15-tool and PIN status. 0.24.0 (b45549373): pkcs15-tool's PIN
 *    listing (-D, --list-pins) asks each PIN's status itself before
 *    printing it; before, it printed the tries left the bind had found. No
 *    header shows it: meson.build sets PK_TOOLS_ASK_PIN_STATUS by the
 *    version. The StarCOS emulator reads the PIN status at bind time only
 *    where nobody else asks.
 */
static inline int
pk_tools_ask_pin_status(void)
{
	return PK_TOOLS_ASK_PIN_STATUS;
}

/*
 * 6. Algorithm key length. Up to 0.23 sc_algorithm_info.key_length is an
 *    unsigned int; by 0.26.1 it is a size_t (opensc.h, with the key_length
 *    parameters of _sc_card_add_rsa_alg() and sc_card_find_rsa_alg()). Code
 *    that prints or compares it takes it through this accessor.
 */
#define PK_ALG_BITS(info) ((unsigned int)(info)->key_length)

/*
 * 7. Secret object content. 0.26.0 (OpenSC pull request 3282, "fixed usage
 *    of free() on data that was created with sc_mem_secure_alloc"):
 *    sc_pkcs15_free_object_content() frees an object's content with the
 *    object's content_free, else with free(); before, it freed a PIN's or
 *    key's content with sc_mem_secure_clear_free(). Content the plug-in
 *    allocates with sc_mem_secure_alloc() is given to an object here, with
 *    content_free where it exists (PK_HAVE_CONTENT_FREE: feature test); 0.26
 *    aborted in free() when pkcs15-init unbound such an object.
 */
static inline void
pk_set_secure_content(struct sc_pkcs15_object *obj, u8 *value, size_t len)
{
	obj->content.value = value;
	obj->content.len = len;
#if PK_HAVE_CONTENT_FREE
	obj->content_free = sc_mem_secure_free;
#endif
}

#endif
