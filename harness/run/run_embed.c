/*
 * run_embed.c: the in-process reference server (run_embed.h): a
 * server_loop on 127.0.0.1, port 0, in a thread of its own, with a spool
 * made by mkdtemp under $TMPDIR (removed at the end), and the profile that
 * tells scenarios its limits. Owns the instance's config, loop and spool.
 */
#define _GNU_SOURCE /* mkdtemp, nftw */
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run/run_embed.h"

static void *
embedded_main(void *arg)
{
	struct run_embedded *e = arg;

	server_loop_run(e->loop);
	return NULL;
}

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* The spool: a fresh directory under $TMPDIR (or /tmp). */
static int
make_spool(struct run_embedded *e)
{
	const char *tmp = getenv("TMPDIR");

	if (snprintf(e->spool, sizeof(e->spool), "%s/smtph-spool-XXXXXX",
	             tmp != NULL && strlen(tmp) < 40 ? tmp : "/tmp") >= (int)sizeof(e->spool))
		return -1;
	if (mkdtemp(e->spool) == NULL) {
		e->spool[0] = '\0';
		return -1;
	}
	return 0;
}

int
run_embed_config(struct server_config *cfg, bool load)
{
	if (server_config_defaults(cfg) < 0)
		return -1;
	if (load) {
		/* SEC-12, SEC-13: limits small enough to reach in a scenario of seconds */
		cfg->max_sessions = RUN_EMBED_LOAD_SESSIONS;
		cfg->idle_timeout = RUN_EMBED_LOAD_IDLE;
		cfg->data_timeout = RUN_EMBED_LOAD_DATA;
	}
	return 0;
}

int
run_embed_start(struct run_embedded *e, bool load, bool tls, const struct server_fuzzin *fuzz,
                char *err, size_t errlen)
{
	const char *listen[] = { "127.0.0.1:0" };
	struct server_loop_opts lo = { .quiet = true };
	sigset_t block, old;
	int rc;

	memset(e, 0, sizeof(*e));
	if (make_spool(e) < 0) {
		snprintf(err, errlen, "cannot create a spool directory");
		return -1;
	}
	if (run_embed_config(&e->cfg, load) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (fuzz != NULL) {
		/* run --fuzz-config: limits and AUTH from octet 0, the sink failing as it says */
		e->fuzz = *fuzz;
		server_fuzzin_config(&e->fuzz, &e->cfg);
		lo.fuzz = &e->fuzz;
	}
	lo.spool = e->spool;
	/* run --tls: the instance speaks implicit TLS (SMTPS) */
	if (tls) {
		lo.listen_tls = listen;
		lo.nlisten_tls = 1;
	} else {
		lo.listen = listen;
		lo.nlisten = 1;
	}
	e->loop = server_loop_new(&e->cfg, &lo, err, errlen);
	if (e->loop == NULL)
		return -1;
	/* the server's thread leaves SIGINT and SIGTERM to the runner's */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	rc = pthread_create(&e->thread, NULL, embedded_main, e);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		snprintf(err, errlen, "cannot start the reference server thread");
		return -1;
	}
	e->running = true;
	snprintf(e->target, sizeof(e->target), "127.0.0.1:%d", server_loop_port(e->loop));
	return 0;
}

void
run_embed_stop(struct run_embedded *e)
{
	if (e->running) {
		server_loop_stop(e->loop);
		pthread_join(e->thread, NULL);
		e->running = false;
	}
	server_loop_free(&e->loop);
	server_config_free(&e->cfg);
	if (e->spool[0] != '\0')
		nftw(e->spool, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	e->spool[0] = '\0';
}

int
run_embed_profile(const struct server_config *cfg, const struct server_fuzzin *fuzz,
                  const struct profile *base, struct profile *out)
{
	const struct {
		const char *name;
		unsigned long long value;
	} limits[] = {
		{ PROFILE_MAX_SESSIONS, cfg->max_sessions },
		{ PROFILE_IDLE_TIMEOUT, cfg->idle_timeout },
		{ PROFILE_DATA_TIMEOUT, cfg->data_timeout },
		{ PROFILE_MAX_RECIPIENTS, cfg->max_recipients },
		{ PROFILE_MAX_ERRORS, cfg->max_errors },
	};
	char num[32];

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; base != NULL && i < base->count; i++) {
		if (profile_set(out, base->vars[i].name, base->vars[i].value) < 0)
			return -1;
	}
	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		snprintf(num, sizeof(num), "%llu", limits[i].value);
		if (profile_set(out, limits[i].name, num) < 0)
			return -1;
	}
	if (fuzz != NULL && server_fuzzin_configured(fuzz)) {
		char name[32];

		snprintf(name, sizeof(name), "fuzz_config_%02x", server_fuzzin_config_key(fuzz));
		snprintf(num, sizeof(num), "0x%02x", (unsigned)fuzz->octet);
		if (profile_set(out, name, num) < 0)
			return -1;
	}
	return 0;
}
