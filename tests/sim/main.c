/*
 * cardsim - command line, vpcd transport (TCP client), APDU log.
 * Command line contract: doc/simulator.md.
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "sim.h"

#ifndef CARDSIM_IMAGE_DIR
#define CARDSIM_IMAGE_DIR "tests/images"
#endif

#define VPCD_MAX_MSG	65535

extern const struct sim_personality pers_acos5, pers_acos5_64v2, pers_acos5_64v3;
extern const struct sim_personality pers_spk23, pers_spk24, pers_sc34, pers_sc35;

const struct sim_personality *const sim_personalities[] = {
	&pers_acos5, &pers_acos5_64v2, &pers_acos5_64v3,
	&pers_spk23, &pers_spk24, &pers_sc34, &pers_sc35, NULL
};

const struct sim_personality *
sim_find_personality(const char *name)
{
	size_t i;

	for (i = 0; sim_personalities[i]; i++)
		if (!strcmp(sim_personalities[i]->name, name))
			return sim_personalities[i];
	return NULL;
}

struct options {
	const char *card;
	char *image;
	const char *state;
	const char *log;
	const char *host;
	int port;
	const char *serial;
	int timing_real;	/* --timing real: answers take the real card's time */
	double timing_scale;	/* --timing-scale F: F x that time (default 1) */
	const char *cost_log;	/* --cost-log FILE (cost.c) */
	uint8_t remove_on[16];	/* --remove-on HEX: pull the card at this APDU */
	size_t remove_len;
	struct sim_fault fault;
	long fault_gap_ms;	/* remove: time out of the reader; mute: silence */
	const char *fault_states; /* directory for before/half/after.state */
	int control;		/* --control: commands on stdin */
	int attach_wait;	/* --control: "attached" waits for vpcd */
	char *ctl_state, *ctl_states; /* strings set by control commands */
};

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static FILE *apdu_log, *cost_log;

static void
log_line(const char *s)
{
	if (apdu_log) {
		fprintf(apdu_log, "%s\n", s);
		fflush(apdu_log);
	}
}

/* C-APDU with secret data replaced by '**' (header and Lc stay visible) */
static void
log_exchange(const uint8_t *c, size_t cn, const uint8_t *r, size_t rn, int secret)
{
	static char line[4 * (VPCD_MAX_MSG + 8) + 8];
	size_t shown = cn;

	if (!apdu_log)
		return;
	if (secret && cn > 5)
		shown = 5;
	hex_encode(c, shown, line);
	if (shown < cn)
		strcat(line, "**");
	strcat(line, " ");
	hex_encode(r, rn, line + strlen(line));
	log_line(line);
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: cardsim --list\n"
		   "       cardsim --seal FILE\n"
		   "       cardsim --card NAME[:IMAGE] [--state FILE] [--apdu-log FILE]\n"
		   "               [--host 127.0.0.1] [--port 35963] [--serial HEX]\n"
		   "               [--timing none|real] [--timing-scale F] [--cost-log FILE]\n"
		   "               [--remove-on HEX]\n"
		   "               [--fault remove|reset|mute@N[:before|half|after]]\n"
		   "               [--fault-gap MS] [--fault-states DIR] [--control]\n");
}

static const char *
image_dir(void)
{
	const char *dir = getenv("CARDSIM_IMAGE_DIR");

	return dir ? dir : CARDSIM_IMAGE_DIR;
}

static int
by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* The text of the image's "# description: " line, or "" */
static void
image_desc(const char *path, char *out, size_t cap)
{
	static const char key[] = "# description: ";
	FILE *f = fopen(path, "r");
	char line[512];
	int n;

	out[0] = '\0';
	for (n = 0; f && n < 20 && fgets(line, sizeof(line), f); n++) {
		if (strncmp(line, key, sizeof(key) - 1) == 0) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(out, cap, "%s", line + sizeof(key) - 1);
			break;
		}
	}
	if (f)
		fclose(f);
}

/* --list: NAME<TAB>description per personality, then NAME:IMAGE<TAB>description
 * per image of the image directory */
static void
list_cards(void)
{
	char path[4096], desc[512];
	size_t k;

	for (k = 0; sim_personalities[k]; k++)
		printf("%s\t%s\n", sim_personalities[k]->name, sim_personalities[k]->desc);
	for (k = 0; sim_personalities[k]; k++) {
		const char *name = sim_personalities[k]->name;
		struct dirent **ents = NULL;
		int i, n;

		snprintf(path, sizeof(path), "%s/%s", image_dir(), name);
		n = scandir(path, &ents, NULL, by_name);
		for (i = 0; i < n; i++) {
			size_t len = strlen(ents[i]->d_name);

			if (len > 4 && !strcmp(ents[i]->d_name + len - 4, ".img")) {
				snprintf(path, sizeof(path), "%s/%s/%s", image_dir(), name, ents[i]->d_name);
				image_desc(path, desc, sizeof(desc));
				printf("%s:%.*s\t%s\n", name, (int)(len - 4), ents[i]->d_name,
				       desc[0] ? desc : "(no description line)");
			}
			free(ents[i]);
		}
		free(ents);
	}
}

static int
parse_args(int argc, char **argv, struct options *o)
{
	int i;

	o->host = "127.0.0.1";
	o->port = 35963;
	o->timing_scale = 1.0;
	o->fault_gap_ms = 1000;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--list")) {
			list_cards();
			exit(0);
		}
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			exit(0);
		}
		if (!strcmp(a, "--control")) {
			o->control = 1;
			continue;
		}
		if (!v)
			return -1;
		if (!strcmp(a, "--seal")) {
			char err[512];

			if (image_seal(v, err, sizeof(err)) < 0) {
				fprintf(stderr, "cardsim: %s\n", err);
				exit(2);
			}
			exit(0);
		}
		if (!strcmp(a, "--card"))
			o->card = v;
		else if (!strcmp(a, "--state"))
			o->state = v;
		else if (!strcmp(a, "--apdu-log"))
			o->log = v;
		else if (!strcmp(a, "--host"))
			o->host = v;
		else if (!strcmp(a, "--serial"))
			o->serial = v;
		else if (!strcmp(a, "--cost-log"))
			o->cost_log = v;
		else if (!strcmp(a, "--timing")) {
			if (strcmp(v, "none") && strcmp(v, "real"))
				return -1;
			o->timing_real = !strcmp(v, "real");
		} else if (!strcmp(a, "--timing-scale")) {
			char *end;
			double f = strtod(v, &end);

			if (*end || !(f > 0 && f <= 100))
				return -1;
			o->timing_scale = f;
		} else if (!strcmp(a, "--fault")) {
			if (fault_parse(v, &o->fault) < 0) {
				fprintf(stderr, "cardsim: --fault takes KIND@N[:WHEN]: KIND remove, reset "
					"or mute, N >= 1, WHEN before, half or after\n");
				return -1;
			}
		} else if (!strcmp(a, "--fault-states"))
			o->fault_states = v;
		else if (!strcmp(a, "--fault-gap")) {
			char *end;
			long ms = strtol(v, &end, 10);

			if (*end || ms < 0 || ms > 600000)
				return -1;
			o->fault_gap_ms = ms;
		}
		else if (!strcmp(a, "--remove-on")) {
			long n = hex_decode(v, o->remove_on, sizeof(o->remove_on));

			if (n < 1)
				return -1;
			o->remove_len = (size_t)n;
		} else if (!strcmp(a, "--port")) {
			char *end;
			long p = strtol(v, &end, 10);

			if (*end || p < 1 || p > 65535)
				return -1;
			o->port = (int)p;
		} else
			return -1;
		i++;
	}
	return o->card ? 0 : -1;
}

static void
image_path(const char *card, const char *image, char *out, size_t cap)
{
	size_t n = strlen(image);

	if (strchr(image, '/') || (n > 4 && !strcmp(image + n - 4, ".img")))
		snprintf(out, cap, "%s", image);
	else
		snprintf(out, cap, "%s/%s/%s.img", image_dir(), card, image);
}

static int
apply_serial_opt(struct sim_card *c, const char *hex)
{
	uint8_t s[SIM_SERIAL_MAX];
	long n = hex_decode(hex, s, sizeof(s));

	if (n < 0 || (size_t)n != c->pers->serial_len) {
		fprintf(stderr, "cardsim: --serial needs %zu bytes of hex for %s\n",
			c->pers->serial_len, c->pers->name);
		return -1;
	}
	memcpy(c->serial, s, (size_t)n);
	c->serial_len = (size_t)n;
	if (c->pers->apply_serial)
		c->pers->apply_serial(c);
	return 0;
}

/* Loads state, image or factory state. Exit status 2 on bad files. */
static int
load_card(struct sim_card *c, const struct options *o)
{
	char err[512], path[4096];

	if (o->state && access(o->state, F_OK) == 0) {
		if (image_load(c, o->state, 1, err, sizeof(err)) < 0) {
			fprintf(stderr, "cardsim: cannot load state file %s\n", err);
			return 2;
		}
		return 0;
	}
	if (o->image) {
		image_path(o->card, o->image, path, sizeof(path));
		if (image_load(c, path, 0, err, sizeof(err)) < 0) {
			fprintf(stderr, "cardsim: cannot load image %s\n", err);
			return 2;
		}
	} else {
		card_factory(c);
	}
	if (o->serial && apply_serial_opt(c, o->serial) < 0)
		return 1;
	if (o->state && image_save(c, o->state, err, sizeof(err)) < 0) {
		fprintf(stderr, "cardsim: %s\n", err);
		return 2;
	}
	return 0;
}

/* ---- transport ----------------------------------------------------------- */

static void
quick_ack(int fd)
{
#ifdef TCP_QUICKACK
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
#else
	(void)fd;
#endif
}

static int
io_full(int fd, uint8_t *p, size_t n, int wr)
{
	while (n) {
		ssize_t r;

		/* vpcd writes a message's length and body separately; acking at
		 * once keeps Nagle + delayed ACK from adding 40 ms per APDU */
		if (!wr)
			quick_ack(fd);
		r = wr ? write(fd, p, n) : read(fd, p, n);

		if (r < 0 && errno == EINTR && !stop)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static int
send_msg(int fd, const uint8_t *p, size_t n)
{
	uint8_t hdr[2] = { (uint8_t)(n >> 8), (uint8_t)n };

	if (io_full(fd, hdr, 2, 1) < 0)
		return -1;
	return io_full(fd, (uint8_t *)p, n, 1);
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int
connect_vpcd(const struct options *o)
{
	struct sockaddr_in sa;
	int fd, one = 1;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)o->port);
	if (inet_pton(AF_INET, strcmp(o->host, "localhost") ? o->host : "127.0.0.1",
		      &sa.sin_addr) != 1)
		return -2;
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static int
handle_control(struct sim_card *c, int fd, uint8_t code)
{
	uint8_t atr[33];
	size_t n;

	switch (code) {
	case 0x00:
		log_line("# power off");
		card_reset(c);
		return 0;
	case 0x01:
		log_line("# power on");
		card_reset(c);
		return 0;
	case 0x02:
		log_line("# reset");
		card_reset(c);
		return 0;
	case 0x04:
		card_atr(c, atr, &n);
		return send_msg(fd, atr, n);
	}
	return 0;
}

/* ---- faults (fault.c) -------------------------------------------------------- */

#define FAULT_STRUCK	-2	/* serve(): the fault happened, drop the link */

static unsigned long apdu_count;
static unsigned long link_msgs;		/* messages from vpcd on this link */

static void
save_snapshot(const struct sim_card *c, const char *dir, const char *name, const char *text,
	      size_t len)
{
	static struct sim_card t;
	char path[4096], err[512];

	card_init(&t, c->pers);
	snprintf(path, sizeof(path), "%s/%s.state", dir, name);
	if (image_from_mem(&t, text, len) < 0 || image_save(&t, path, err, sizeof(err)) < 0)
		fprintf(stderr, "cardsim: cannot write %s\n", path);
	card_clear(&t);
}

/* The card as the fault leaves it: the command not run, half done or done;
 * with --fault-states all three are written (before/half/after.state) */
static void
fault_strike(struct sim_card *c, const uint8_t *in, size_t n, const struct options *o)
{
	static uint8_t out[SIM_RESP_MAX + 2];
	static struct sim_card t0;
	static const char *const when[] = { "before", "half", "after" };
	size_t l0 = 0, l1 = 0, lh = 0;
	char *s0, *s1 = NULL, *sh = NULL, err[512], line[96];

	s0 = image_to_mem(c, &l0);
	if (o->fault.when != FAULT_BEFORE || o->fault_states) {
		c->dirty = 0;
		card_process(c, in, n, out, sizeof(out));
		s1 = image_to_mem(c, &l1);
	}
	if (s0 && s1 && (o->fault.when == FAULT_HALF || o->fault_states)) {
		card_init(&t0, c->pers);
		if (image_from_mem(&t0, s0, l0) == 0) {
			fault_half(c, &t0);
			sh = image_to_mem(c, &lh);
		}
		card_clear(&t0);
	}
	if (o->fault_states && s0 && s1 && sh) {
		save_snapshot(c, o->fault_states, "before", s0, l0);
		save_snapshot(c, o->fault_states, "half", sh, lh);
		save_snapshot(c, o->fault_states, "after", s1, l1);
	}
	if (o->fault.when == FAULT_BEFORE && s0 && s1)
		image_from_mem(c, s0, l0);
	else if (o->fault.when == FAULT_HALF && sh)
		image_from_mem(c, sh, lh);
	else if (o->fault.when == FAULT_AFTER && s1)
		image_from_mem(c, s1, l1);
	if (o->state && image_save(c, o->state, err, sizeof(err)) < 0)
		fprintf(stderr, "cardsim: %s\n", err);
	snprintf(line, sizeof(line), "# fault %s@%lu:%s (no answer)",
		 o->fault.kind == FAULT_REMOVE ? "remove" : o->fault.kind == FAULT_RESET ? "reset" : "mute",
		 o->fault.at, when[o->fault.when]);
	log_line(line);
	free(s0);
	free(s1);
	free(sh);
	card_reset(c);
}

static int
handle_apdu(struct sim_card *c, int fd, const uint8_t *in, size_t n,
	    struct options *o)
{
	static uint8_t out[SIM_RESP_MAX + 2];
	char err[512];
	struct timespec start;
	struct sim_cost cost;
	size_t rn;

	clock_gettime(CLOCK_MONOTONIC, &start);
	if (++apdu_count == o->fault.at && o->fault.kind != FAULT_NONE) {
		fault_strike(c, in, n, o);
		return FAULT_STRUCK;
	}
	c->dirty = 0;
	memset(&sim_cost_hint, 0, sizeof(sim_cost_hint));
	rn = card_process(c, in, n, out, sizeof(out));
	log_exchange(in, n, out, rn, c->secret_cmd);
	cost_of(c, in, n, out, rn, &cost);
	cost_account(&cost, in, n, &start, o->timing_real ? o->timing_scale : 0.0, cost_log);
	if (c->dirty && o->state && image_save(c, o->state, err, sizeof(err)) < 0)
		fprintf(stderr, "cardsim: %s\n", err);
	c->dirty = 0;
	return send_msg(fd, out, rn);
}

/* --remove-on: set once the card was pulled; it stays out */
static int pulled;

/* ---- control (--control): one command per line on stdin, "ok" or
 * "error: ..." on stdout; used by tests that reuse one card for many runs
 * (tests/integration/fault-sweep.py) ---------------------------------------- */

static void
ctl_reply(const char *s)
{
	printf("%s\n", s);
	fflush(stdout);
}

static char *
ctl_strdup(char **slot, const char *v)
{
	free(*slot);
	*slot = strcmp(v, "none") ? strdup(v) : NULL;
	return *slot;
}

/*
 *   state PATH     the card's memory from PATH (a state file), saved there
 *                  from now on; volatile state and APDU count reset
 *   fault SPEC     as --fault (or "none"); the APDU count starts again
 *   states DIR     as --fault-states (or "none")
 *   gap MS         as --fault-gap
 *   count          "ok N": the C-APDUs since the last state or fault command
 *   attached       "ok" once vpcd has talked to the card on its current link
 *                  (after a fault: pcscd has taken the card back, so that
 *                  the next command does not meet the old link's end)
 *   ping           nothing (synchronisation)
 */
static void
ctl_line(struct sim_card *c, struct options *o, char *line)
{
	char *arg = strchr(line, ' '), err[512];

	if (arg)
		*arg++ = '\0';
	if (!strcmp(line, "ping") && !arg) {
		ctl_reply("ok");
	} else if (!strcmp(line, "attached") && !arg) {
		if (link_msgs)
			ctl_reply("ok");
		else
			o->attach_wait = 1;	/* answered by serve() */
	} else if (!strcmp(line, "count") && !arg) {
		printf("ok %lu\n", apdu_count);
		fflush(stdout);
	} else if (!strcmp(line, "state") && arg) {
		if (image_load(c, arg, 1, err, sizeof(err)) < 0) {
			printf("error: %s\n", err);
			fflush(stdout);
			return;
		}
		o->state = ctl_strdup(&o->ctl_state, arg);
		apdu_count = 0;
		ctl_reply("ok");
	} else if (!strcmp(line, "fault") && arg) {
		if (!strcmp(arg, "none"))
			o->fault.kind = FAULT_NONE;
		else if (fault_parse(arg, &o->fault) < 0) {
			ctl_reply("error: bad fault");
			return;
		}
		apdu_count = 0;
		ctl_reply("ok");
	} else if (!strcmp(line, "states") && arg) {
		o->fault_states = ctl_strdup(&o->ctl_states, arg);
		ctl_reply("ok");
	} else if (!strcmp(line, "gap") && arg) {
		o->fault_gap_ms = atol(arg);
		ctl_reply("ok");
	} else {
		ctl_reply("error: unknown command");
	}
}

/* Wait up to @p ms (-1: no limit) for @p fd (or -1) to become readable,
 * serving control lines meanwhile: 1 readable, 0 time out, -1 stop */
static int
wait_fd(struct sim_card *c, struct options *o, int fd, long ms)
{
	static char buf[4096];
	static size_t have;
	struct pollfd p[2];
	struct timespec t0, t1;

	if (!o->control) {
		if (fd < 0) {
			sleep_ms(ms);
			return stop ? -1 : 0;
		}
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!stop) {
		long left = ms;
		int n;

		if (ms >= 0) {
			clock_gettime(CLOCK_MONOTONIC, &t1);
			left = ms - ((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000);
			if (left <= 0)
				return 0;
		}
		p[0].fd = 0;
		p[0].events = POLLIN;
		p[1].fd = fd;
		p[1].events = POLLIN;
		n = poll(p, fd >= 0 ? 2 : 1, (int)left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (fd >= 0 && (p[1].revents & (POLLIN | POLLHUP | POLLERR)))
			return 1;
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t r = read(0, buf + have, sizeof(buf) - 1 - have);
			char *nl;

			if (r <= 0) {
				stop = 1;	/* the controlling test is gone */
				return -1;
			}
			have += (size_t)r;
			while ((nl = memchr(buf, '\n', have))) {
				*nl = '\0';
				ctl_line(c, o, buf);
				have -= (size_t)(nl + 1 - buf);
				memmove(buf, nl + 1, have);
			}
			if (have == sizeof(buf) - 1)
				have = 0;	/* an overlong line is dropped */
		}
	}
	return -1;
}

/* 1 when a fault struck, else 0 (link closed, stop) */
static int
serve(struct sim_card *c, int fd, struct options *o)
{
	static uint8_t msg[VPCD_MAX_MSG];
	uint8_t hdr[2];
	size_t n;
	int r;

	link_msgs = 0;

	while (!stop) {
		if (wait_fd(c, o, fd, -1) < 0)
			return 0;
		if (io_full(fd, hdr, 2, 0) < 0)
			return 0;
		n = (size_t)hdr[0] << 8 | hdr[1];
		if (io_full(fd, msg, n, 0) < 0)
			return 0;
		link_msgs++;
		if (o->attach_wait) {
			o->attach_wait = 0;
			ctl_reply("ok");
		}
		if (n == 1 && handle_control(c, fd, msg[0]) < 0)
			return 0;
		if (n > 1 && o->remove_len && n >= o->remove_len &&
		    !memcmp(msg, o->remove_on, o->remove_len)) {
			/* the card leaves the reader with this command unanswered
			 * and unexecuted: nothing of it reaches the card's memory */
			char line[64];

			strcpy(line, "# card removed (--remove-on) at ");
			hex_encode(msg, 4, line + strlen(line));
			log_line(line);
			pulled = 1;
			/* an abortive close (RST): vpcd's receive fails, as a reader's
			 * transfer does when the card leaves, instead of reading an
			 * orderly end of stream as an empty answer */
			setsockopt(fd, SOL_SOCKET, SO_LINGER, &(struct linger){1, 0},
				   sizeof(struct linger));
			return 0;
		}
		if (n > 1 && (r = handle_apdu(c, fd, msg, n, o)) < 0)
			return r == FAULT_STRUCK;
	}
	return 0;
}

static void
run(struct sim_card *c, struct options *o)
{
	while (!stop) {
		int fd = connect_vpcd(o);

		if (fd == -2) {
			fprintf(stderr, "cardsim: --host must be an IPv4 address\n");
			exit(1);
		}
		if (fd < 0) {
			wait_fd(c, o, -1, 200);
			continue;
		}
		log_line("# connected");
		if (serve(c, fd, o)) {
			/* mute: no answer until the reader gives up; remove: out
			 * of the reader for a while; reset: back at once */
			struct linger hard = { 1, 0 };

			if (o->fault.kind == FAULT_MUTE)
				wait_fd(c, o, -1, o->fault_gap_ms);
			/* a reset connection: vpcd reports a failed exchange (an
			 * orderly close would read as a 0-byte answer) */
			setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof(hard));
			close(fd);
			link_msgs = 0;	/* "attached" waits for the next link */
			card_reset(c);
			log_line("# disconnected (fault)");
			if (o->fault.kind == FAULT_REMOVE && !stop)
				wait_fd(c, o, -1, o->fault_gap_ms);
			continue;
		}
		close(fd);
		card_reset(c);
		log_line("# disconnected");
		while (pulled && !stop)
			wait_fd(c, o, -1, 200);
		if (!stop)
			wait_fd(c, o, -1, 200);
	}
}

int
main(int argc, char **argv)
{
	static struct sim_card card;
	struct options o;
	struct sigaction sa;
	char *colon;
	pid_t parent;
	int rv;

	/* The card dies with whoever started it (with-card, apdu-run): an
	 * orphan would answer the next run's reader. */
	parent = getppid();

	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		return 1;	/* the parent died before prctl */
	memset(&o, 0, sizeof(o));
	if (parse_args(argc, argv, &o) < 0) {
		usage(stderr);
		return 1;
	}
	colon = strchr(o.card, ':');
	if (colon) {
		*colon = '\0';
		o.image = colon + 1;
	}
	if (!sim_find_personality(o.card)) {
		fprintf(stderr, "cardsim: unknown card '%s' (see --list)\n", o.card);
		return 1;
	}
	card_init(&card, sim_find_personality(o.card));
	rv = load_card(&card, &o);
	if (rv)
		return rv;
	if (o.log && !(apdu_log = fopen(o.log, "a"))) {
		fprintf(stderr, "cardsim: %s: %s\n", o.log, strerror(errno));
		return 1;
	}
	if (o.cost_log && !(cost_log = fopen(o.cost_log, "a"))) {
		fprintf(stderr, "cardsim: %s: %s\n", o.cost_log, strerror(errno));
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	run(&card, &o);
	card_clear(&card);
	free(o.ctl_state);
	free(o.ctl_states);
	if (apdu_log)
		fclose(apdu_log);
	if (cost_log)
		fclose(cost_log);
	return 0;
}
