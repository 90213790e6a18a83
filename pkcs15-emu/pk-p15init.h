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

/** sc_module_init with the runtime version given (for tests) */
void *pk_p15init_module_init(const char *name, const char *runtime_version);

#endif
