/*
 * record_io.c: the two ways a recording is made (record_io.h). Owns the
 * connections it opens and the reply buffer of one session. Replies are
 * checked with the reply grammar (smtp_reply.h) before their codes are
 * recorded; a malformed one ends the recording with its bytes shown escaped.
 * Every wait has a deadline; the proxy serves exactly one client.
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <editline/readline.h>

#include "smtph/conn.h"
#include "smtph/escape.h"
#include "smtph/hostport.h"
#include "smtph/record_io.h"
#include "smtph/smtp_reply.h"

#define REPLY_BUF (64u * 1024)

struct replies {
	char buf[REPLY_BUF];
	size_t len;
	struct smtp_reply_parser p;
};

static const char tls_refusal[] =
        "454 4.7.0 TLS is not available through smtp-harness record's proxy\r\n";

/*
 * Feeds received bytes; records each complete reply and echoes it. Returns 0,
 * or -1 with err set (a malformed reply, or one larger than the buffer).
 */
static int
replies_feed(struct replies *rp, struct record *r, const char *p, size_t n, FILE *echo, char *err,
             size_t errlen)
{
	struct smtp_reply reply;
	struct smtp_error e;
	size_t used;
	int rc;

	if (n > sizeof(rp->buf) - rp->len) {
		snprintf(err, errlen, "a reply longer than %u bytes", REPLY_BUF);
		return -1;
	}
	memcpy(rp->buf + rp->len, p, n);
	rp->len += n;
	while ((rc = smtp_reply_parse(&rp->p, rp->buf, rp->len, &used, &reply, &e)) == 1) {
		if (echo != NULL)
			fprintf(echo, "%.*s", (int)reply.raw.len, reply.raw.ptr);
		record_reply(r, reply.code);
		memmove(rp->buf, rp->buf + used, rp->len - used);
		rp->len -= used;
	}
	if (rc < 0) {
		char shown[200];

		escape_c_str(shown, sizeof(shown), rp->buf, rp->len < 120 ? rp->len : 120);
		snprintf(err, errlen, "malformed reply (%s at offset %zu): \"%s\"",
		         smtp_error_name(e.code), e.offset, shown);
		return -1;
	}
	return 0;
}

/* One line from stdin into line (without the newline); 1, 0 at the end, -1 too long. */
static int
read_line(char *line, size_t cap, size_t *len)
{
	if (isatty(STDIN_FILENO)) {
		char *s = readline("");

		if (s == NULL)
			return 0;
		*len = strlen(s);
		if (*len >= cap) {
			free(s);
			return -1;
		}
		memcpy(line, s, *len);
		if (*len > 0)
			add_history(s);
		free(s);
		return 1;
	}
	if (fgets(line, (int)cap, stdin) == NULL)
		return 0;
	*len = strlen(line);
	if (*len > 0 && line[*len - 1] == '\n')
		(*len)--;
	else if (!feof(stdin))
		return -1;
	if (*len > 0 && line[*len - 1] == '\r')
		(*len)--;
	return 1;
}

/* Reads until the commands sent are answered (or the session ends). */
static int
await_replies(struct conn *c, struct replies *rp, struct record *r, const struct record_io_opts *o,
              char *err, size_t errlen)
{
	char host[256], port[16], chunk[4096];

	while (r->npend > 0 && !r->ended) {
		ssize_t got = conn_read(c, chunk, sizeof(chunk), o->timeout_ms, err, errlen);

		if (got == CONN_EOF) {
			record_closed(r);
			if (o->echo != NULL)
				fprintf(o->echo, "-- the server closed the connection\n");
			return 0;
		}
		if (got < 0)
			return -1;
		if (replies_feed(rp, r, chunk, (size_t)got, o->echo, err, errlen) < 0)
			return -1;
		if (record_tls_pending(r) && !conn_is_tls(c)) {
			if (conn_split_target(o->target, host, sizeof(host), port, sizeof(port)) <
			            0 ||
			    conn_starttls(c, host, o->timeout_ms, err, errlen) < 0)
				return -1;
			if (o->echo != NULL)
				fprintf(o->echo, "-- TLS established\n");
		}
	}
	return 0;
}

int
record_interactive(struct record *r, const struct record_io_opts *o, char *err, size_t errlen)
{
	static struct replies rp;
	static char line[RECORD_MAX_LINE + 2];
	static struct transcript tx; /* conn wants one; the recording is the record */
	char host[256], port[16];
	struct conn c;
	size_t len;
	int rc = 0, got;

	memset(&rp, 0, sizeof(rp));
	smtp_reply_parser_init(&rp.p, NULL);
	if (conn_split_target(o->target, host, sizeof(host), port, sizeof(port)) < 0) {
		snprintf(err, errlen, "bad target '%s' (want HOST:PORT or [V6]:PORT)", o->target);
		return -1;
	}
	transcript_init(&tx);
	conn_init(&c, &tx, CONN_FRAGMENT_NONE, 0);
	if (conn_open(&c, host, port, o->timeout_ms, err, errlen) < 0) {
		transcript_free(&tx);
		return -1;
	}
	/* the greeting: wait as for a reply */
	while (r->greeting == 0 && rc == 0 && !r->ended) {
		char chunk[4096];
		ssize_t n = conn_read(&c, chunk, sizeof(chunk), o->timeout_ms, err, errlen);

		if (n == CONN_EOF)
			snprintf(err, errlen,
			         "the server closed the connection before its greeting");
		if (n < 0)
			rc = -1;
		else
			rc = replies_feed(&rp, r, chunk, (size_t)n, o->echo, err, errlen);
	}
	while (rc == 0 && !r->ended && (got = read_line(line, RECORD_MAX_LINE, &len)) != 0) {
		if (got < 0) {
			snprintf(err, errlen, "a line longer than %u bytes", RECORD_MAX_LINE);
			rc = -1;
			break;
		}
		memcpy(line + len, "\r\n", 2);
		if (conn_write(&c, line, len + 2, o->timeout_ms, err, errlen) < 0 ||
		    record_client(r, line, len + 2) < 0) {
			if (r->full)
				snprintf(err, errlen, "the recording is full (limits in record.h)");
			rc = -1;
		} else if (r->mode == RECORD_MODE_COMMANDS) {
			rc = await_replies(&c, &rp, r, o, err, errlen);
		}
	}
	conn_close(&c);
	transcript_free(&tx);
	return rc;
}

/* ---- proxy ----------------------------------------------------------------- */

static int
write_all(int fd, const char *p, size_t n, int timeout_ms)
{
	while (n > 0) {
		struct pollfd pfd = { fd, POLLOUT, 0 };
		ssize_t w;

		if (poll(&pfd, 1, timeout_ms) <= 0)
			return -1;
		w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno != EINTR && errno != EAGAIN)
			return -1;
		if (w > 0) {
			p += w;
			n -= (size_t)w;
		}
	}
	return 0;
}

static int
listen_socket(const struct record_io_opts *o, char *err, size_t errlen)
{
	char host[256], port[16];
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
		                  .ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV },
	                *ai = NULL;
	int fd = -1, one = 1;

	if (hostport_split(o->listen, HOSTPORT_BARE_V6 | HOSTPORT_PORT_0, host, sizeof(host), port,
	                   sizeof(port)) < 0 ||
	    getaddrinfo(host, port, &hints, &ai) != 0 || ai == NULL) {
		snprintf(err, errlen, "bad listen address '%s' (want HOST:PORT or [V6]:PORT)",
		         o->listen);
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 1) < 0) {
		snprintf(err, errlen, "listen on %s: %s", o->listen, strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	return fd;
}

static int
accept_client(int lfd, const struct record_io_opts *o, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct pollfd pfd = { lfd, POLLIN, 0 };
	int fd;

	if (getsockname(lfd, (struct sockaddr *)&ss, &sl) == 0 && o->port_file != NULL) {
		FILE *f = fopen(o->port_file, "w");
		unsigned port =
		        ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
		                                       : ((struct sockaddr_in *)&ss)->sin_port);

		if (f == NULL || fprintf(f, "%u\n", port) < 0 || fclose(f) != 0) {
			snprintf(err, errlen, "%s: cannot write the port", o->port_file);
			return -1;
		}
	}
	if (o->echo != NULL)
		fprintf(o->echo, "-- record: waiting for a client on %s\n", o->listen);
	if (poll(&pfd, 1, o->accept_ms) <= 0) {
		snprintf(err, errlen, "no client connected to %s within %d s", o->listen,
		         o->accept_ms / 1000);
		return -1;
	}
	fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		snprintf(err, errlen, "accept: %s", strerror(errno));
	return fd;
}

struct proxy {
	struct transcript tx;
	struct record *r;
	const struct record_io_opts *o;
	struct conn srv;
	int cfd;
	struct replies rp;
	char held[RECORD_MAX_LINE]; /* a client command line not yet complete */
	size_t nheld;
};

/* A whole client command line: relayed and recorded, except STARTTLS, answered here. */
static int
client_line(struct proxy *x, const char *p, size_t n, char *err, size_t errlen)
{
	size_t text = n - (n >= 2 && p[n - 2] == '\r' ? 2 : 1);

	if (x->r->mode == RECORD_MODE_COMMANDS && text == 8 && strncasecmp(p, "STARTTLS", 8) == 0) {
		if (x->o->echo != NULL)
			fprintf(x->o->echo,
			        "-- STARTTLS answered by the proxy (454), not relayed\n");
		return write_all(x->cfd, tls_refusal, sizeof(tls_refusal) - 1, x->o->timeout_ms);
	}
	if (conn_write(&x->srv, p, n, x->o->timeout_ms, err, errlen) < 0)
		return -1;
	if (x->o->echo != NULL && x->r->mode == RECORD_MODE_COMMANDS)
		fprintf(x->o->echo, "C: %.*s\n", (int)text, p);
	return record_client(x->r, p, n);
}

/* Client bytes: content and chunks go through at once, command lines when whole. */
static int
from_client(struct proxy *x, const char *p, size_t n, char *err, size_t errlen)
{
	while (n > 0) {
		const char *lf;
		size_t take;

		if (x->r->mode != RECORD_MODE_COMMANDS && x->nheld == 0) {
			take = n;
			if (x->r->mode == RECORD_MODE_CHUNK && x->r->chunk_left < take)
				take = x->r->chunk_left;
			if (x->r->mode == RECORD_MODE_CONTENT && (lf = memchr(p, '\n', n)) != NULL)
				take = (size_t)(lf - p) +
				       1; /* the mode may change after this line */
			if (conn_write(&x->srv, p, take, x->o->timeout_ms, err, errlen) < 0 ||
			    record_client(x->r, p, take) < 0)
				return -1;
		} else {
			lf = memchr(p, '\n', n);
			take = lf != NULL ? (size_t)(lf - p) + 1 : n;
			if (take > sizeof(x->held) - x->nheld) {
				snprintf(err, errlen, "a client line longer than %u bytes",
				         RECORD_MAX_LINE);
				return -1;
			}
			memcpy(x->held + x->nheld, p, take);
			x->nheld += take;
			if (lf != NULL) {
				if (client_line(x, x->held, x->nheld, err, errlen) < 0)
					return -1;
				x->nheld = 0;
			}
		}
		p += take;
		n -= take;
	}
	return 0;
}

/* Relays until one side closes; returns 0, or -1 with err set. */
static int
relay(struct proxy *x, char *err, size_t errlen)
{
	char chunk[16384];

	for (;;) {
		struct pollfd pfd[2] = { { x->cfd, POLLIN, 0 }, { x->srv.fd, POLLIN, 0 } };
		ssize_t n;
		int ready = poll(pfd, 2, x->o->timeout_ms);

		if (ready == 0) {
			snprintf(err, errlen, "nothing moved for %d s", x->o->timeout_ms / 1000);
			return -1;
		}
		if (ready < 0 && errno != EINTR)
			return -1;
		if (pfd[1].revents != 0) {
			n = conn_read(&x->srv, chunk, sizeof(chunk), x->o->timeout_ms, err, errlen);
			if (n == CONN_EOF) {
				record_closed(x->r);
				return 0;
			}
			if (n < 0 || write_all(x->cfd, chunk, (size_t)n, x->o->timeout_ms) < 0 ||
			    replies_feed(&x->rp, x->r, chunk, (size_t)n, x->o->echo, err, errlen) <
			            0)
				return -1;
		}
		if (pfd[0].revents != 0) {
			n = recv(x->cfd, chunk, sizeof(chunk), 0);
			if (n == 0)
				return 0; /* the client is done */
			if (n < 0 && errno != EINTR && errno != EAGAIN) {
				snprintf(err, errlen, "client: %s", strerror(errno));
				return -1;
			}
			if (n > 0 && from_client(x, chunk, (size_t)n, err, errlen) < 0)
				return -1;
		}
	}
}

int
record_proxy(struct record *r, const struct record_io_opts *o, char *err, size_t errlen)
{
	static struct proxy x;
	char host[256], port[16];
	int lfd, rc = -1;

	memset(&x, 0, sizeof(x));
	x.r = r;
	x.o = o;
	x.cfd = -1;
	smtp_reply_parser_init(&x.rp.p, NULL);
	transcript_init(&x.tx);
	conn_init(&x.srv, &x.tx, CONN_FRAGMENT_NONE, 0);
	if (conn_split_target(o->target, host, sizeof(host), port, sizeof(port)) < 0) {
		snprintf(err, errlen, "bad target '%s' (want HOST:PORT or [V6]:PORT)", o->target);
		transcript_free(&x.tx);
		return -1;
	}
	lfd = listen_socket(o, err, errlen);
	if (lfd < 0) {
		transcript_free(&x.tx);
		return -1;
	}
	x.cfd = accept_client(lfd, o, err, errlen);
	close(lfd);
	if (x.cfd >= 0 && conn_open(&x.srv, host, port, o->timeout_ms, err, errlen) == 0)
		rc = relay(&x, err, errlen);
	if (r->full) {
		snprintf(err, errlen, "the recording is full (limits in record.h)");
		rc = -1;
	}
	conn_close(&x.srv);
	transcript_free(&x.tx);
	if (x.cfd >= 0)
		close(x.cfd);
	return rc;
}
