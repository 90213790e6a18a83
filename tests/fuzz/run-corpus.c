/*
 * run-corpus.c: runs LLVMFuzzerTestOneInput over files, so the corpus is
 * a regression test in builds without libFuzzer (gcc, sanitizers).
 *
 *   run-corpus FILE|DIR...
 *
 * Copyright (C) 2026 pkicards contributors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
run_file(const char *path)
{
	static uint8_t buf[1 << 16];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f) {
		perror(path);
		return 1;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, n);
	return 0;
}

static int
run_path(const char *path, int *count)
{
	struct stat st;
	struct dirent *e;
	DIR *d;
	char sub[4096];
	int r = 0;

	if (stat(path, &st) < 0) {
		perror(path);
		return 1;
	}
	if (!S_ISDIR(st.st_mode)) {
		(*count)++;
		return run_file(path);
	}
	d = opendir(path);
	if (!d)
		return 1;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		r |= run_path(sub, count);
	}
	closedir(d);
	return r;
}

int
main(int argc, char **argv)
{
	int i, r = 0, count = 0;

	for (i = 1; i < argc; i++)
		r |= run_path(argv[i], &count);
	printf("%d inputs run\n", count);
	return r || count == 0;
}
