/*
 * run-corpus.c: runs LLVMFuzzerTestOneInput over files, so the corpus is
 * a regression test in builds without libFuzzer (gcc, sanitizers).
 *
 *   run-corpus FILE|DIR...
 *
 * A file ending in .vec is a file of test vectors (tests/vectors/README.md):
 * each vector, with the file's selector byte in front, is one input. Any
 * other file is one raw input (a libFuzzer corpus file or crash).
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
nibble(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "AB CD*3 ..." (CD three times in all) into buf after *n; -1 if malformed */
static int
vec_hex(const char *p, uint8_t *buf, size_t max, size_t *n)
{
	int hi, lo;
	unsigned long rep;
	char *end;

	while (*p) {
		if (*p == ' ' || *p == '\t') {
			p++;
			continue;
		}
		hi = nibble(p[0]);
		lo = hi < 0 ? -1 : nibble(p[1]);
		if (lo < 0 || *n >= max)
			return -1;
		buf[(*n)++] = (uint8_t)(hi << 4 | lo);
		p += 2;
		if (*p == '*') {
			rep = strtoul(p + 1, &end, 10);
			if (end == p + 1 || rep == 0 || rep - 1 > max - *n)
				return -1;
			memset(buf + *n, buf[*n - 1], rep - 1);
			*n += rep - 1;
			p = end;
		}
	}
	return 0;
}

/* one input per vector: selector, then the bytes */
static int
run_vectors(const char *path, int *count)
{
	static uint8_t buf[1 << 16];
	char line[8192];
	size_t n = 0;
	int sel = -1, have = 0, r = 0;
	unsigned int v;
	char *q;
	FILE *f = fopen(path, "r");

	if (!f) {
		perror(path);
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (sscanf(line, "@selector %x", &v) == 1) {
			sel = (int)v;
			continue;
		}
		if (have && (line[0] == ' ' || line[0] == '\t')) {
			r |= vec_hex(line, buf, sizeof(buf), &n);
			continue;
		}
		if (have) {
			LLVMFuzzerTestOneInput(buf, n);
			(*count)++;
			have = 0;
		}
		if (line[0] != '[')
			continue;
		q = strchr(line, ']');
		if (sel < 0 || !q) {
			fprintf(stderr, "%s: a vector without @selector or ']': %s\n", path, line);
			r = 1;
			continue;
		}
		buf[0] = (uint8_t)sel;
		n = 1;
		have = 1;
		if (vec_hex(q + 1, buf, sizeof(buf), &n) < 0) {
			fprintf(stderr, "%s: bad hex in %s\n", path, line);
			r = 1;
		}
	}
	if (have) {
		LLVMFuzzerTestOneInput(buf, n);
		(*count)++;
	}
	fclose(f);
	return r;
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
		size_t len = strlen(path);

		if (len > 4 && strcmp(path + len - 4, ".vec") == 0)
			return run_vectors(path, count);
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
