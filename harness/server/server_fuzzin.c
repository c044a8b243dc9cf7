/*
 * server_fuzzin.c: the fuzz_server_session input format (server_fuzzin.h):
 * octet 0's decoder, the preset table, the configuration the flags ask for
 * and the failing sink. Owns no state; the fuzz target, the importer and the
 * server's --fuzz-config all read the format from here, so that a preset or
 * a flag means the same thing to each of them.
 */
#include <string.h>

#include "smtph/mutate.h"
#include "smtph/server_fuzzin.h"

#define P_EHLO "EHLO " SERVER_FUZZIN_HELO "\r\n"
#define P_MAIL P_EHLO "MAIL FROM:<" SERVER_FUZZIN_SENDER ">\r\n"
#define P_RCPT P_MAIL "RCPT TO:<" SERVER_FUZZIN_RCPT ">\r\n"
#define P_TLS  P_EHLO "STARTTLS\r\n"

static const struct server_fuzzin_preset presets[SERVER_FUZZIN_NPRESETS] = {
	{ "fresh", "", "INIT", false, 0 },
	{ "after HELO", "HELO " SERVER_FUZZIN_HELO "\r\n", "READY", false, 0 },
	{ "after EHLO", P_EHLO, "READY", false, 0 },
	{ "after MAIL", P_MAIL, "MAIL", false, 0 },
	{ "after RCPT", P_RCPT, "RCPT", false, 0 },
	{ "inside DATA", P_RCPT "DATA\r\n", "DATA", false, 1 },
	{ "after STARTTLS", P_TLS, "INIT", true, 0 },
	{ "after STARTTLS and EHLO", P_TLS P_EHLO, "READY", true, 0 },
};

void
server_fuzzin_decode(unsigned char octet, struct server_fuzzin *fz)
{
	memset(fz, 0, sizeof(*fz));
	fz->octet = octet;
	fz->preset = octet & SERVER_FUZZIN_PRESET;
	fz->auth_plaintext = (octet & SERVER_FUZZIN_AUTH_PLAIN) != 0;
	fz->small = (octet & SERVER_FUZZIN_SMALL) != 0;
	fz->fail_write = (octet & SERVER_FUZZIN_FAIL_WRITE) != 0;
	fz->fail_commit = (octet & SERVER_FUZZIN_FAIL_COMMIT) != 0;
	fz->fail_begin = (octet & SERVER_FUZZIN_FAIL_BEGIN) != 0;
}

const struct server_fuzzin_preset *
server_fuzzin_preset(unsigned i)
{
	return &presets[i % SERVER_FUZZIN_NPRESETS];
}

size_t
server_fuzzin_split(const char *client, size_t n, const unsigned char **cuts, size_t *ncuts)
{
	*cuts = NULL;
	*ncuts = 0;
	/* The last occurrence of the mark, found by memchr (one step per 0xff octet, not per
	 * octet: the fuzz builds instrument this loop). */
	const char *at = NULL, *p = client, *end = client + n;

	while (p < end) {
		const char *ff = memchr(p, MUT_CUTS_MARK[0], (size_t)(end - p));

		if (ff == NULL)
			break;
		if ((size_t)(end - ff) >= MUT_CUTS_MARK_LEN &&
		    memcmp(ff, MUT_CUTS_MARK, MUT_CUTS_MARK_LEN) == 0)
			at = ff;
		p = ff + 1;
	}
	if (at != NULL) {
		size_t i = (size_t)(at - client), k = (n - i - MUT_CUTS_MARK_LEN) / 2;

		*cuts = (const unsigned char *)at + MUT_CUTS_MARK_LEN;
		*ncuts = k < SERVER_FUZZIN_MAX_CUTS ? k : SERVER_FUZZIN_MAX_CUTS;
		return i;
	}
	return n;
}

size_t
server_fuzzin_cut(const unsigned char *cuts, size_t i)
{
	return ((size_t)cuts[2 * i] << 8) | cuts[2 * i + 1];
}

bool
server_fuzzin_configured(const struct server_fuzzin *fz)
{
	return (fz->octet & SERVER_FUZZIN_FLAGS) != 0;
}

unsigned char
server_fuzzin_config_key(const struct server_fuzzin *fz)
{
	unsigned key = fz->octet & SERVER_FUZZIN_FLAGS;

	if (fz->fail_begin && server_fuzzin_preset(fz->preset)->begins > 0)
		key |= fz->preset;
	return (unsigned char)key;
}

void
server_fuzzin_config(const struct server_fuzzin *fz, struct server_config *cfg)
{
	cfg->auth_plaintext = fz->auth_plaintext;
	if (fz->small) {
		cfg->max_message = SERVER_FUZZIN_SMALL_MESSAGE;
		cfg->max_errors = SERVER_FUZZIN_SMALL_ERRORS;
		cfg->max_recipients = SERVER_FUZZIN_SMALL_RECIPIENTS;
	}
}

/* ---- the failing sink ------------------------------------------------------ */

void
server_fuzzin_sink_init(struct server_fuzzin_sink *k, const struct server_fuzzin *fz,
                        const struct server_sink_ops *inner, void *inner_ctx)
{
	memset(k, 0, sizeof(*k));
	k->inner = inner;
	k->inner_ctx = inner_ctx;
	k->fail_write = fz->fail_write;
	k->fail_commit = fz->fail_commit;
	k->fail_begin = fz->fail_begin;
	k->spare_begins = server_fuzzin_preset(fz->preset)->begins;
}

static int
fault_begin(void *ctx, const struct server_envelope *env)
{
	struct server_fuzzin_sink *k = ctx;

	if (k->spare_begins > 0)
		k->spare_begins--;
	else if (k->fail_begin)
		return -1;
	if (k->inner->begin(k->inner_ctx, env) < 0)
		return -1;
	k->open = true;
	return 0;
}

static int
fault_write(void *ctx, const char *data, size_t len)
{
	struct server_fuzzin_sink *k = ctx;

	if (k->fail_write)
		return -1;
	return k->inner->write(k->inner_ctx, data, len);
}

static int
fault_commit(void *ctx)
{
	struct server_fuzzin_sink *k = ctx;

	/* The session aborts a message whose commit failed: the inner sink gets that abort. */
	if (k->fail_commit)
		return -1;
	if (k->inner->commit(k->inner_ctx) < 0)
		return -1;
	k->open = false;
	return 0;
}

static void
fault_abort(void *ctx)
{
	struct server_fuzzin_sink *k = ctx;

	if (k->open)
		k->inner->abort(k->inner_ctx);
	k->open = false;
}

const struct server_sink_ops server_fuzzin_sink_ops = {
	.begin = fault_begin,
	.write = fault_write,
	.commit = fault_commit,
	.abort = fault_abort,
};
