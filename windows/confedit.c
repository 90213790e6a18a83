/*
 * pkicards-confedit: add our lines to OpenSC's opensc.conf, or take them
 * out again, keeping every other byte of the file.
 *
 *   pkicards-confedit add CONF TOP-LINES PKCS15-LINES
 *   pkicards-confedit remove CONF
 *   pkicards-confedit check CONF TOP-LINES PKCS15-LINES
 *
 * OpenSC reads only the first "app default" block of its configuration
 * (ctx.c: blocks[0] of scconf_find_blocks) and, inside it, only the first
 * "framework pkcs15" block (sc_get_conf_block). So a block of our own would
 * be ignored, and a second "framework pkcs15" block of ours would hide the
 * admin's. "add" therefore inserts the lines of TOP-LINES (files, one
 * setting a line, without indentation) right after the line that opens the
 * first top-level "app default {", and the lines of PKCS15-LINES right after
 * the line that opens the first "framework pkcs15 {" in that block (or, if
 * it has none, as a new "framework pkcs15" block among the top lines). Our
 * lines come first in their blocks, so OpenSC uses our card_drivers and
 * emulator settings before any the admin wrote further down.
 *
 * Each inserted region is marked by a "# pkicards begin" and a
 * "# pkicards end" comment line; "remove" deletes exactly the marked
 * regions, so a file that was not edited in between is restored byte for
 * byte. "add" first removes old regions and writes the file only if the
 * result differs (a second add changes nothing, not even the file's time).
 * A file without an "app default" block gets one, appended and marked as
 * a whole. Line ends follow the file's (CRLF or LF).
 *
 * "check" exits 0 when the file holds exactly our current lines.
 * Exit status: 0 done (or nothing to do), 1 refused (message on stderr),
 * 2 usage or I/O error. Built for Windows (the installer) and natively
 * (the tests of tests/windows/confedit-test).
 *
 * Copyright (C) 2026 pkicards contributors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _WIN32
#include <windows.h>
#endif

#define BEGIN_MARK "# pkicards begin: added by the pkicards installer, removed by its uninstaller"
#define BEGIN_MARK_EOL "# pkicards begin (after a line end it added): added by the pkicards installer, removed by its uninstaller"
#define END_MARK "# pkicards end"
#define MAX_FILE (4u << 20)

struct buf {
	char *p;
	size_t len, cap;
};

static void
die_io(const char *what, const char *path)
{
	fprintf(stderr, "pkicards-confedit: cannot %s %s\n", what, path);
	exit(2);
}

static void
buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->len + n + 1) * 2;
		char *p = realloc(b->p, cap);
		if (p == NULL) {
			fputs("pkicards-confedit: out of memory\n", stderr);
			exit(2);
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
buf_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

static struct buf
read_file(const char *path, int must_exist)
{
	struct buf b = {NULL, 0, 0};
	char chunk[8192];
	size_t n;
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		if (must_exist)
			die_io("read", path);
		buf_add(&b, "", 0);
		return b;
	}
	buf_add(&b, "", 0);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (b.len + n > MAX_FILE) {
			fprintf(stderr, "pkicards-confedit: %s is larger than %u bytes\n", path, MAX_FILE);
			exit(2);
		}
		buf_add(&b, chunk, n);
	}
	if (ferror(f))
		die_io("read", path);
	fclose(f);
	if (memchr(b.p, '\0', b.len) != NULL) {
		fprintf(stderr, "pkicards-confedit: %s is not a text file (it holds a NUL byte)\n", path);
		exit(1);
	}
	return b;
}

/* write through a temporary file next to it, then replace */
static void
write_file(const char *path, const struct buf *b)
{
	size_t n = strlen(path) + 16;
	char *tmp = malloc(n);
	FILE *f;
	if (tmp == NULL)
		die_io("allocate a name for", path);
	snprintf(tmp, n, "%s.pkicards-new", path);
	f = fopen(tmp, "wb");
	if (f == NULL)
		die_io("create", tmp);
	if (fwrite(b->p, 1, b->len, f) != b->len || fclose(f) != 0) {
		remove(tmp);
		die_io("write", tmp);
	}
#ifdef _WIN32
	if (!MoveFileExA(tmp, path, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) {
#else
	if (rename(tmp, path) != 0) {
#endif
		remove(tmp);
		die_io("replace", path);
	}
	free(tmp);
}

/* --- the file as lines ------------------------------------------------ */
/* start of the line after the one at pos (or len) */
static size_t
next_line(const char *s, size_t len, size_t pos)
{
	const char *nl = memchr(s + pos, '\n', len - pos);
	return nl ? (size_t)(nl - s) + 1 : len;
}

/* the line at pos, without its end and leading blanks, equals text? */
static int
line_is(const char *s, size_t len, size_t pos, const char *text)
{
	size_t end = next_line(s, len, pos), n = strlen(text);
	while (pos < end && (s[pos] == ' ' || s[pos] == '\t'))
		pos++;
	while (end > pos && (s[end - 1] == '\n' || s[end - 1] == '\r' || s[end - 1] == ' ' || s[end - 1] == '\t'))
		end--;
	return end - pos == n && memcmp(s + pos, text, n) == 0;
}

/* remove every marked region; *found counts them. 0, or 1 on an unclosed
 * region (the file is then left alone) */
static int
strip_regions(const struct buf *in, struct buf *out, int *found)
{
	size_t pos = 0, len = in->len;
	*found = 0;
	out->len = 0;
	buf_add(out, "", 0);
	while (pos < len) {
		size_t nxt = next_line(in->p, len, pos);
		int eol = line_is(in->p, len, pos, BEGIN_MARK_EOL);
		if (eol || line_is(in->p, len, pos, BEGIN_MARK)) {
			size_t q = nxt;
			while (q < len && !line_is(in->p, len, q, END_MARK))
				q = next_line(in->p, len, q);
			if (q >= len) {
				fputs("pkicards-confedit: a '# pkicards begin' line has no '# pkicards end' line after it; "
				      "fix the file by hand (delete our lines between them)\n",
						stderr);
				return 1;
			}
			if (eol) { /* also the line end that add put before it */
				if (out->len > 0 && out->p[out->len - 1] == '\n')
					out->len--;
				if (out->len > 0 && out->p[out->len - 1] == '\r')
					out->len--;
				out->p[out->len] = '\0';
			}
			(*found)++;
			pos = next_line(in->p, len, q);
			continue;
		}
		buf_add(out, in->p + pos, nxt - pos);
		pos = nxt;
	}
	return 0;
}

/* --- a small scanner of scconf: words, '{', '}', ';', '=', strings ---- */
struct tok {
	size_t start, end; /* bytes */
	size_t line_end;   /* start of the next line */
	int depth;         /* brace depth before the token */
};

static int
scan(const char *s, size_t len, size_t *pos, int *depth, struct tok *t)
{
	size_t p = *pos;
	for (;;) {
		while (p < len && (s[p] == ' ' || s[p] == '\t' || s[p] == '\r' || s[p] == '\n'))
			p++;
		if (p < len && s[p] == '#') {
			p = next_line(s, len, p);
			continue;
		}
		break;
	}
	if (p >= len)
		return 0;
	t->start = p;
	t->depth = *depth;
	if (s[p] == '"') {
		p++;
		while (p < len && s[p] != '"' && s[p] != '\n')
			p++;
		if (p < len && s[p] == '"')
			p++;
	} else if (strchr("{};=,", s[p]) != NULL) {
		if (s[p] == '{')
			(*depth)++;
		else if (s[p] == '}')
			(*depth)--;
		p++;
	} else {
		while (p < len && strchr(" \t\r\n#{};=,\"", s[p]) == NULL)
			p++;
	}
	t->end = p;
	t->line_end = next_line(s, len, t->start);
	*pos = p;
	return 1;
}

static int
tok_is(const char *s, const struct tok *t, const char *w)
{
	size_t n = strlen(w);
	return t->end - t->start == n && memcmp(s + t->start, w, n) == 0;
}

/* is only blank or a comment after pos on its line? */
static int
rest_is_empty(const char *s, size_t len, size_t pos)
{
	size_t end = next_line(s, len, pos);
	for (; pos < end; pos++) {
		if (s[pos] == '#')
			return 1;
		if (s[pos] != ' ' && s[pos] != '\t' && s[pos] != '\r' && s[pos] != '\n')
			return 0;
	}
	return 1;
}

/* Find where our lines go: *app_line after the line with the '{' of the
 * first top-level "app default", *fw_line after the '{' of the first
 * "framework pkcs15" directly inside it ((size_t)-1: none), *app_open 0 if
 * there is no such block. 1 if a '{' is followed by more on its line. */
static int
find_blocks(const char *s, size_t len, int *app_open, size_t *app_line, size_t *fw_line)
{
	struct tok w[3], t;
	size_t pos = 0;
	int depth = 0, n = 0, app_depth = -1;
	*app_open = 0;
	*fw_line = (size_t)-1;
	while (scan(s, len, &pos, &depth, &t)) {
		struct tok *cur;
		if (n == 3) { /* the last three tokens */
			w[0] = w[1];
			w[1] = w[2];
			n = 2;
		}
		w[n++] = t;
		cur = &w[n - 1];
		if (app_depth >= 0 && cur->depth == app_depth && tok_is(s, cur, "}"))
			break; /* end of the app default block */
		if (n < 3 || !tok_is(s, cur, "{"))
			continue;
		if (app_depth < 0 && w[0].depth == 0 && tok_is(s, &w[0], "app") && tok_is(s, &w[1], "default")) {
			if (!rest_is_empty(s, len, cur->end))
				return 1;
			*app_open = 1;
			*app_line = cur->line_end;
			app_depth = 0;
		} else if (app_depth >= 0 && *fw_line == (size_t)-1 && w[0].depth == 1 &&
				tok_is(s, &w[0], "framework") && tok_is(s, &w[1], "pkcs15")) {
			if (!rest_is_empty(s, len, cur->end))
				return 1;
			*fw_line = cur->line_end;
		}
	}
	return 0;
}

/* the line end the file uses (that of its first line; LF if none) */
static const char *
file_eol(const struct buf *b)
{
	const char *nl = memchr(b->p, '\n', b->len);
	return nl && nl > b->p && nl[-1] == '\r' ? "\r\n" : "\n";
}

/* lines of a lines file, each prefixed by indent and ended by eol */
static void
add_lines(struct buf *out, const struct buf *lines, const char *indent, const char *eol)
{
	size_t pos = 0;
	while (pos < lines->len) {
		size_t nxt = next_line(lines->p, lines->len, pos), end = nxt;
		while (end > pos && (lines->p[end - 1] == '\n' || lines->p[end - 1] == '\r'))
			end--;
		if (end > pos) {
			buf_str(out, indent);
			buf_add(out, lines->p + pos, end - pos);
		}
		buf_str(out, eol);
		pos = nxt;
	}
}

static void
add_region(struct buf *out, const char *indent, const char *eol, const struct buf *lines,
		const char *inner_indent, const char *wrap_open)
{
	buf_str(out, indent);
	buf_str(out, BEGIN_MARK);
	buf_str(out, eol);
	if (wrap_open != NULL) {
		buf_str(out, indent);
		buf_str(out, wrap_open);
		buf_str(out, eol);
	}
	add_lines(out, lines, inner_indent, eol);
	if (wrap_open != NULL) {
		buf_str(out, indent);
		buf_str(out, "}");
		buf_str(out, eol);
	}
	buf_str(out, indent);
	buf_str(out, END_MARK);
	buf_str(out, eol);
}

/* the file with our lines in it; 1 if refused */
static int
insert(const struct buf *clean, const struct buf *top, const struct buf *p15, struct buf *out)
{
	const char *eol = file_eol(clean);
	size_t app_line, fw_line;
	int app_open;
	out->len = 0;
	buf_add(out, "", 0);
	if (find_blocks(clean->p, clean->len, &app_open, &app_line, &fw_line)) {
		fputs("pkicards-confedit: in opensc.conf, the '{' of the block \"app default\" or of its "
		      "\"framework pkcs15\" is followed by more settings on the same line; put a line break "
		      "after that '{' and run the installer again\n",
				stderr);
		return 1;
	}
	if (!app_open) {
		/* a whole block of ours at the end */
		int need_eol = clean->len > 0 && clean->p[clean->len - 1] != '\n';
		struct buf all = {NULL, 0, 0};
		buf_add(out, clean->p, clean->len);
		if (need_eol)
			buf_str(out, eol);
		buf_str(out, need_eol ? BEGIN_MARK_EOL : BEGIN_MARK);
		buf_str(out, eol);
		buf_str(out, "app default {");
		buf_str(out, eol);
		add_lines(out, top, "\t", eol);
		buf_str(&all, "\tframework pkcs15 {\n");
		add_lines(out, &all, "", eol);
		add_lines(out, p15, "\t\t", eol);
		buf_str(out, "\t}");
		buf_str(out, eol);
		buf_str(out, "}");
		buf_str(out, eol);
		buf_str(out, END_MARK);
		buf_str(out, eol);
		free(all.p);
		return 0;
	}
	buf_add(out, clean->p, app_line);
	if (fw_line == (size_t)-1) {
		/* top lines and a framework pkcs15 block of ours, one region */
		struct buf both = {NULL, 0, 0};
		buf_add(&both, top->p, top->len);
		if (both.len > 0 && both.p[both.len - 1] != '\n')
			buf_str(&both, "\n");
		buf_str(&both, "framework pkcs15 {\n");
		add_lines(&both, p15, "\t", "\n");
		buf_str(&both, "}\n");
		add_region(out, "\t", eol, &both, "\t", NULL);
		free(both.p);
		buf_add(out, clean->p + app_line, clean->len - app_line);
		return 0;
	}
	add_region(out, "\t", eol, top, "\t", NULL);
	buf_add(out, clean->p + app_line, fw_line - app_line);
	add_region(out, "\t\t", eol, p15, "\t\t", NULL);
	buf_add(out, clean->p + fw_line, clean->len - fw_line);
	return 0;
}

static void
usage(void)
{
	fputs("usage: pkicards-confedit add CONF TOP-LINES PKCS15-LINES\n"
	      "       pkicards-confedit check CONF TOP-LINES PKCS15-LINES\n"
	      "       pkicards-confedit remove CONF\n",
			stderr);
	exit(2);
}

static void
buf_free(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

int
main(int argc, char **argv)
{
	struct buf conf = {NULL, 0, 0}, clean = {NULL, 0, 0}, out = {NULL, 0, 0};
	struct buf top = {NULL, 0, 0}, p15 = {NULL, 0, 0};
	int found, rc = 2;
	if (argc < 3)
		usage();
	if (strcmp(argv[1], "remove") == 0) {
		if (argc != 3)
			usage();
		conf = read_file(argv[2], 0);
		rc = 1;
		if (strip_regions(&conf, &clean, &found))
			goto out;
		if (found > 0)
			write_file(argv[2], &clean);
		printf("%s: %s\n", argv[2], found ? "our lines removed" : "none of our lines (unchanged)");
		rc = 0;
	} else if ((strcmp(argv[1], "add") == 0 || strcmp(argv[1], "check") == 0) && argc == 5) {
		top = read_file(argv[3], 1);
		p15 = read_file(argv[4], 1);
		conf = read_file(argv[2], 1);
		rc = 1;
		if (strip_regions(&conf, &clean, &found) || insert(&clean, &top, &p15, &out))
			goto out;
		if (out.len == conf.len && memcmp(out.p, conf.p, conf.len) == 0) {
			printf("%s: our lines are in place (unchanged)\n", argv[2]);
			rc = 0;
		} else if (strcmp(argv[1], "check") == 0) {
			printf("%s: our lines are %s\n", argv[2], found ? "out of date" : "missing");
		} else {
			write_file(argv[2], &out);
			printf("%s: our lines %s\n", argv[2], found ? "updated" : "added");
			rc = 0;
		}
	} else {
		usage();
	}
out:
	buf_free(&conf);
	buf_free(&clean);
	buf_free(&out);
	buf_free(&top);
	buf_free(&p15);
	return rc;
}
