/*
 * cli_load.c: `smtp-harness load`: options (load_args.c) to a run
 * (load_run.c), the Maildir count, the summary and the JSON; the exit status
 * the results call for. --maildir and --json paths are checked before the
 * run, so that a typo costs nothing (exit 2). No logic beyond wiring.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "smtph/load.h"

/* The directory a new file would go in must be writable. */
static int
check_json_path(const char *path, char *err, size_t errlen)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	struct stat st;

	if (strcmp(path, "-") == 0)
		return 0;
	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode) || access(path, W_OK) < 0) {
			snprintf(err, errlen, "--json %s: cannot be written", path);
			return -1;
		}
		return 0;
	}
	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if ((size_t)(slash - path) < sizeof(dir))
		snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 : (int)(slash - path), path);
	else
		dir[0] = '\0';
	if (dir[0] == '\0' || access(dir, W_OK) < 0) {
		snprintf(err, errlen, "--json %s: cannot create it (%s)", path,
		         dir[0] == '\0' ? "path too long" : strerror(errno));
		return -1;
	}
	return 0;
}

static int
check_paths(const struct load_opts *o, char *err, size_t errlen)
{
	struct stat st;

	if (o->maildir != NULL && (stat(o->maildir, &st) < 0 || !S_ISDIR(st.st_mode))) {
		snprintf(err, errlen, "--maildir %s: not a directory", o->maildir);
		return -1;
	}
	return o->json != NULL ? check_json_path(o->json, err, errlen) : 0;
}

int
cli_load(int argc, char **argv)
{
	struct load_opts o;
	struct load_result r = { 0 };
	char err[512];
	FILE *text;
	int status;

	switch (load_args_parse(argc, argv, &o, err, sizeof(err))) {
	case LOAD_ARGS_HELP:
		load_args_usage(stdout);
		return 0;
	case LOAD_ARGS_ERROR:
		fprintf(stderr, "load: %s\n", err);
		load_args_usage(stderr);
		return 2;
	case LOAD_ARGS_OK:
		break;
	}
	if (check_paths(&o, err, sizeof(err)) < 0) {
		fprintf(stderr, "load: %s\n", err);
		return 2;
	}
	if (load_run(&o, &r, err, sizeof(err)) < 0) {
		fprintf(stderr, "load: %s\n", err);
		load_result_free(&r);
		return 2;
	}
	if (o.maildir != NULL && !r.unreachable && load_maildir_count(&o, &r, err, sizeof(err)) < 0)
		fprintf(stderr, "load: %s\n", err);
	/* the summary goes where the JSON does not */
	text = o.json != NULL && strcmp(o.json, "-") == 0 ? stderr : stdout;
	load_report_text(text, &o, &r);
	status = load_result_status(&r);
	if (o.json != NULL && load_report_json(o.json, &o, &r, err, sizeof(err)) < 0) {
		fprintf(stderr, "load: %s\n", err);
		status = status == 0 ? 1 : status;
	}
	load_result_free(&r);
	return status;
}
