/*
 * pk-p15init.h: the pkcs15init operations of this plug-in's modules.
 *
 * Copyright (C) 2026 pkicards contributors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef PK_P15INIT_H
#define PK_P15INIT_H

#include "pkcs15init/pkcs15-init.h"

/** ACS ACOS5 (card driver acos5_ext) */
struct sc_pkcs15init_operations *pk_get_acos5_p15init_ops(void);

/** G+D StarCOS SPK 2.3 / 2.4 (card driver starcos_ext) */
struct sc_pkcs15init_operations *pk_get_starcos_p15init_ops(void);

/**
 * emu_update_any_df of both modules (pk-p15df.c): directory files written
 * so that a torn write lists an object completely or not at all.
 */
int pk_p15_update_any_df(struct sc_profile *profile, struct sc_pkcs15_card *p15card, unsigned op,
		struct sc_pkcs15_object *obj);
/** A listing file that held @p old is to hold @p new: appends and removals of
 * the last entries tear-safe, other changes rewritten. */
int pk_p15_store_listing(struct sc_profile *profile, struct sc_pkcs15_card *p15card,
		const struct sc_path *path, const u8 *old, size_t old_len, const u8 *new, size_t new_len);

/** A key pair is being generated for @p key: its private key entry is
 * listed only after its public key's (pk-p15df.c) */
void pk_p15_keygen_started(struct sc_pkcs15_card *p15card, struct sc_pkcs15_object *key);
/** emu_write_info of both modules: no OpenSC info file (pk-p15df.c) */
int pk_p15_write_info(struct sc_profile *profile, struct sc_pkcs15_card *p15card,
		struct sc_pkcs15_object *pin_obj);
/** Is @p path the file of an object of the card? */
int pk_p15_path_used(struct sc_pkcs15_card *p15card, const struct sc_path *path);
/** Remove a public key listed without its private key (an interrupted key
 * generation): 1 removed, 0 none, or an error */
int pk_p15_drop_lone_pubkey(struct sc_profile *profile, struct sc_pkcs15_card *p15card,
		const struct sc_pkcs15_id *id);

/** sc_module_init with the runtime version given (for tests) */
void *pk_p15init_module_init(const char *name, const char *runtime_version);

#endif
