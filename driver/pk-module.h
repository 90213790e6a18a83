/*
 * pk-module.h: loader entry points (exported) and their testable core.
 *
 * Copyright (C) 2026 pkicards contributors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef PK_MODULE_H
#define PK_MODULE_H

#if defined(_WIN32)
#define PK_EXPORT __declspec(dllexport)
#else
#define PK_EXPORT __attribute__((visibility("default")))
#endif

/* exported: looked up by OpenSC with dlsym */
PK_EXPORT const char *sc_driver_version(void);
PK_EXPORT void *sc_module_init(const char *name);

/** 1 if a module built for @p built may run in OpenSC @p runtime */
int pk_version_compatible(const char *runtime, const char *built);
/** sc_module_init with the runtime version given (for tests) */
void *pk_module_init(const char *name, const char *runtime_version);

#endif
