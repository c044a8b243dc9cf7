/*
 * server_sink.c: the discarding message sink of `serve --sink`: every
 * message goes through the whole dialogue and gets its 250, and nothing is
 * kept (load tests of clients, as Postfix's smtp-sink).
 */
#include "smtph/server.h"

static int
discard_begin(void *ctx, const struct server_envelope *env)
{
	(void)ctx;
	(void)env;
	return 0;
}

static int
discard_write(void *ctx, const char *data, size_t len)
{
	(void)ctx;
	(void)data;
	(void)len;
	return 0;
}

static int
discard_commit(void *ctx)
{
	(void)ctx;
	return 0;
}

static void
discard_abort(void *ctx)
{
	(void)ctx;
}

const struct server_sink_ops server_discard_ops = {
	.begin = discard_begin,
	.write = discard_write,
	.commit = discard_commit,
	.abort = discard_abort,
};
