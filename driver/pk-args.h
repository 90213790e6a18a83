/*
 * pk-args.h: the running program's own command line, for messages that
 * OpenSC's tools would otherwise not give (a refused key size, PIN lengths)
 * and for pkcs15-init's --so-pin at erase (pk-cmdline.h). The buffers hold
 * the whole command line, PINs included: callers wipe them.
 *
 * Copyright (C) 2026 pkicards contributors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef PK_ARGS_H
#define PK_ARGS_H

#include <stddef.h>

/**
 * The value of long option @p name (without dashes, e.g. "so-pin") in a
 * NUL-separated argument list laid out as /proc/self/cmdline (argv[0]
 * first). Accepts "--name VALUE" and "--name=VALUE"; the last occurrence
 * wins, as with getopt_long; nothing after "--" counts. Pure function over
 * the buffer.
 * @return 0 with *val and *vlen pointing into @p args,
 *   SC_ERROR_OBJECT_NOT_FOUND (option absent) or
 *   SC_ERROR_INVALID_ARGUMENTS (option given without a value)
 */
int pk_args_option(const char *args, size_t len, const char *name, const char **val,
		size_t *vlen);

/**
 * argv[0] of @p args (laid out as for pk_args_option()) names the program
 * @p name: its last path component, on Windows also with ".exe" (any case).
 */
int pk_args_program_is(const char *args, size_t len, const char *name);

/**
 * The whole command line of this process, NUL-separated as
 * /proc/self/cmdline (on Windows: split by the shell's rules, in the ANSI
 * code page); NULL where it cannot be read. The caller wipes and frees it.
 */
char *pk_args_own(size_t *len);

#endif
