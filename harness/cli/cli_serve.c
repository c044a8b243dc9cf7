/*
 * cli_serve.c: `smtp-harness serve`: options to a config and a loop; the
 * process's descriptor limit raised to its hard limit (one per session), the
 * spool checked before listening (exit 2 when it cannot be written).
 *   serve [--listen ADDR]... [--spool DIR | --sink] [--config FILE] [--quiet] [--port-file F]
 *         [--fuzz-config OCTET]
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "cli/cli.h"
#include "smtph/server.h"
#include "smtph/server_fuzzin.h"

#define SERVE_MAX_LISTEN 8

static void
serve_usage(FILE *f)
{
	fprintf(f,
	        "usage: smtp-harness serve [--listen HOST:PORT]... [--listen-tls HOST:PORT]...\n"
	        "                          [--spool DIR | --sink] [--config FILE] [--quiet]\n"
	        "                          [--port-file FILE] [--fuzz-config OCTET]\n"
	        "  --listen     address to listen on, repeatable; [::1]:2525 for IPv6;\n"
	        "               port 0 picks a free port (default 127.0.0.1:2525, unless\n"
	        "               only --listen-tls is given)\n"
	        "  --listen-tls an implicit-TLS (SMTPS, RFC 8314) address: the TLS handshake\n"
	        "               comes first, then the greeting; repeatable; the certificate\n"
	        "               is STARTTLS's (tls_cert/tls_key, else a self-signed one)\n"
	        "  --spool      Maildir spool directory (default ./spool)\n"
	        "  --sink       accept and discard messages (full dialogue, 250, nothing stored)\n"
	        "  --config     YAML configuration over the built-in defaults\n"
	        "  --port-file  write the first listener's port there once listening (the\n"
	        "               first --listen, else the first --listen-tls)\n"
	        "  --quiet      no per-connection log lines\n"
	        "  --fuzz-config  serve as a fuzz_server_session input whose octet 0 is OCTET\n"
	        "               (0x58, 88) configures the server (over --config): small\n"
	        "               limits, AUTH before TLS, a message sink that fails; for the\n"
	        "               scenarios import-crash wrote from such inputs (run -t needs\n"
	        "               a --profile setting their variable fuzz_config_XX)\n");
}

static int
write_port_file(const char *path, int port)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -1;
	fprintf(f, "%d\n", port);
	return fclose(f);
}

/* One descriptor per session: the soft limit goes up to the hard one. */
static void
raise_nofile(bool quiet, size_t max_sessions)
{
	struct rlimit rl;
	unsigned long long was;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return;
	was = (unsigned long long)rl.rlim_cur;
	if (rl.rlim_cur != rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
			fprintf(stderr, "serve: cannot raise RLIMIT_NOFILE from %llu: %s\n", was,
			        strerror(errno));
			return;
		}
	}
	if (!quiet)
		fprintf(stderr, "serve: RLIMIT_NOFILE %llu (was %llu)\n",
		        (unsigned long long)rl.rlim_cur, was);
	if (rl.rlim_cur != RLIM_INFINITY && max_sessions + 32 > rl.rlim_cur)
		fprintf(stderr,
		        "serve: max_sessions %zu, but only %llu descriptors: accept pauses when "
		        "they run out\n",
		        max_sessions, (unsigned long long)rl.rlim_cur);
}

/* Before listening: a spool we cannot write would drop every message (exit 2). */
static int
check_spool(const struct server_loop_opts *opts)
{
	char err[512];

	if (opts->sink || server_maildir_check(opts->spool, err, sizeof(err)) == 0)
		return 0;
	fprintf(stderr, "serve: %s\n", err);
	return -1;
}

int
cli_serve(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "listen-tls", required_argument, NULL, 't' },
		{ "spool", required_argument, NULL, 's' },
		{ "config", required_argument, NULL, 'c' },
		{ "port-file", required_argument, NULL, 'p' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "sink", no_argument, NULL, 'k' },
		{ "fuzz-config", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *listen[SERVE_MAX_LISTEN], *listen_tls[SERVE_MAX_LISTEN];
	struct server_loop_opts opts = { .listen = listen,
		                         .listen_tls = listen_tls,
		                         .spool = "spool" };
	const char *config = NULL, *port_file = NULL;
	struct server_fuzzin fuzz;
	struct server_config cfg;
	struct server_loop *loop;
	char err[512];
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "l:s:c:p:qkh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'l':
		case 't':
			if (opts.nlisten + opts.nlisten_tls == SERVE_MAX_LISTEN) {
				fprintf(stderr, "serve: at most %d --listen and --listen-tls\n",
				        SERVE_MAX_LISTEN);
				return 2;
			}
			if (ch == 'l')
				listen[opts.nlisten++] = optarg;
			else
				listen_tls[opts.nlisten_tls++] = optarg;
			break;
		case 's':
			opts.spool = optarg;
			break;
		case 'c':
			config = optarg;
			break;
		case 'p':
			port_file = optarg;
			break;
		case 'q':
			opts.quiet = true;
			break;
		case 'k':
			opts.sink = true;
			break;
		case 'f':
			if (cli_fuzz_config(optarg, &fuzz) < 0)
				return 2;
			opts.fuzz = &fuzz;
			break;
		case 'h':
			serve_usage(stdout);
			return 0;
		default:
			serve_usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		serve_usage(stderr);
		return 2;
	}
	if (opts.nlisten == 0 && opts.nlisten_tls == 0)
		listen[opts.nlisten++] = "127.0.0.1:2525";
	if (server_config_defaults(&cfg) < 0) {
		fprintf(stderr, "serve: out of memory\n");
		return 1;
	}
	if (config != NULL && server_config_load(&cfg, config, err, sizeof(err)) < 0) {
		fprintf(stderr, "serve: %s\n", err);
		server_config_free(&cfg);
		return 2;
	}
	if (opts.fuzz != NULL)
		server_fuzzin_config(opts.fuzz, &cfg);
	if (check_spool(&opts) < 0) {
		server_config_free(&cfg);
		return 2;
	}
	raise_nofile(opts.quiet, cfg.max_sessions);
	loop = server_loop_new(&cfg, &opts, err, sizeof(err));
	if (loop == NULL) {
		fprintf(stderr, "serve: %s\n", err);
		server_config_free(&cfg);
		return 1;
	}
	server_loop_install_signals(loop);
	if (port_file != NULL && write_port_file(port_file, server_loop_port(loop)) < 0) {
		fprintf(stderr, "serve: cannot write %s\n", port_file);
		server_loop_free(&loop);
		server_config_free(&cfg);
		return 1;
	}
	if (!opts.quiet)
		fprintf(stderr, "serve: listening on %s%s (port %d), %s%s, libevent %s\n",
		        opts.nlisten > 0 ? listen[0] : listen_tls[0],
		        opts.nlisten > 0 ? "" : " (TLS)", server_loop_port(loop),
		        opts.sink ? "discarding messages" : "spool ", opts.sink ? "" : opts.spool,
		        server_loop_backend(loop));
	rc = server_loop_run(loop);
	server_loop_free(&loop);
	server_config_free(&cfg);
	return rc;
}
