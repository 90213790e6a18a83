/*
 * pk-profile.h: what pkcs15init modules need from struct sc_profile.
 * libopensc.so.8 does not export sc_profile_* (opensc-plugin.md §1.4), so
 * these walk the structure of OpenSC's profile.h themselves.
 *
 * Copyright (C) 2026 pkicards contributors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef PK_PROFILE_H
#define PK_PROFILE_H

#include "libopensc/opensc.h"
#include "pkcs15init/pkcs15-init.h"
#include "pkcs15init/profile.h"

/** The profile entry named @p ident (case-insensitive), or NULL */
struct file_info *pk_profile_find(struct sc_profile *profile, const char *ident);

/**
 * A copy of the file of profile entry @p ident, with file ID @p fid (0: as
 * in the profile) in the same DF. @return 0, SC_ERROR_FILE_NOT_FOUND (not
 * in the profile) or SC_ERROR_OUT_OF_MEMORY
 */
int pk_profile_file(struct sc_profile *profile, const char *ident, unsigned int fid,
		struct sc_file **out);

/** The next entry after @p prev (NULL: first) whose parent is @p parent */
struct file_info *pk_profile_next_child(struct sc_profile *profile,
		const struct file_info *parent, struct file_info *prev);

struct sc_pkcs15_pubkey;
struct pk_rsa_pubkey;
/** The RSA public key a card_ctl returned, as a PKCS#15 public key whose
 * numbers OpenSC allocated (shared by the pkcs15init modules).
 * @return 0, SC_ERROR_INVALID_DATA or an error of OpenSC's decoder */
int pk_p15_pubkey_from_card(struct sc_context *ctx, struct sc_pkcs15_pubkey *pubkey,
		const struct pk_rsa_pubkey *pub);

#endif
