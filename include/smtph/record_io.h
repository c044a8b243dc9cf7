/*
 * record_io.h: where a recording's bytes come from. Interactive: the user
 * types the client's side (as with telnet to port 25), the replies are
 * printed as they come. Proxy: a real client (swaks, an MTA) connects to the
 * listening address and every byte is relayed to the target and back, and
 * recorded on the way. Both feed a struct record (record.h).
 */
#ifndef SMTPH_RECORD_IO_H
#define SMTPH_RECORD_IO_H

#include <stdio.h>

#include "smtph/record.h"

struct record_io_opts {
	const char *target;    /* HOST:PORT */
	const char *listen;    /* HOST:PORT (port 0: any) for the proxy, NULL: interactive */
	const char *port_file; /* proxy: the port it listens on is written here */
	int timeout_ms;        /* per reply (interactive), per quiet spell (proxy) */
	int accept_ms;         /* proxy: how long to wait for the client */
	FILE *echo;            /* where the conversation is shown; NULL: nowhere */
};

/*
 * Runs one session until the server or the client ends it (or stdin ends).
 * Returns 0, or -1 with err set (the target cannot be reached, a timeout, a
 * reply that breaks the grammar, a recording limit): r keeps what was
 * recorded up to then either way.
 */
int record_interactive(struct record *r, const struct record_io_opts *o, char *err, size_t errlen);
int record_proxy(struct record *r, const struct record_io_opts *o, char *err, size_t errlen);

#endif
